# The old value each invocation gets from a contended atomic is fixed by the
# reference's interleaving: lanes in order within a round, workgroups in
# order (vyre-ir.md §4.5, §4.6). Lane i adds i + 1 to a counter that starts
# at 100: olds 100, 101, 103, 106; final 110. Compiled backends only
# promise the final value (race).
# >>> input c = 100
# >>> expect old = 100 101 103 106
# >>> expect c = 110
# >>> tags: atomics race
# >>> race
program workgroup(4) {
  buffer old: u32 read_write @0 count(4) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[lid.x] = atomic_add(c[0], lid.x + 1)
  }
}
