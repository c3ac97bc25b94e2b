# A CompareExchange "ticket" across 4 lanes: each lane tries 0 -> lane + 1
# once; only the first in the interleaving (lane 0) wins, the others see 1
# (vyre-ir.md §4.5, §4.6). The winner id is race-free; the olds are not.
# >>> input lock = 0
# >>> expect old = 0 1 1 1
# >>> expect lock = 1
# >>> tags: atomics race
# >>> race
program workgroup(4) {
  buffer old: u32 read_write @0 count(4) output
  buffer lock: u32 read_write @1 count(1)
  region vyre.program.root {
    old[lid.x] = atomic_compare_exchange(lock[0], 0, lid.x + 1)
  }
}
