# An atomic past the end returns 0 and writes nothing (vyre-ir.md §4.5).
# c has 2 elements; atomic_add(c[5], 1) -> 0, atomic_exchange(c[2], 9) -> 0.
# >>> input c = 7,8
# >>> expect old = 0 0 7
# >>> expect c = 7 8
# >>> tags: atomics oob
program {
  buffer old: u32 read_write @0 count(3) output
  buffer c: u32 read_write @1 count(2)
  region vyre.program.root {
    if gid.x == 0 {
      old[0] = atomic_add(c[5], 1)
      old[1] = atomic_exchange(c[2], 9)
      old[2] = atomic_max(c[0], 3)
    }
  }
}
