# CompareExchange is strong: it stores `value` when old == expected and
# always returns old alone (vyre-ir.md §4.5).
# c = 5: cmpxchg(5 -> 9) returns 5, c = 9; cmpxchg(5 -> 1) returns 9, c
# stays 9; cmpxchg(9 -> 0) returns 9, c = 0.
# >>> input c = 5
# >>> expect old = 5 9 9
# >>> expect c = 0
# >>> tags: atomics
program {
  buffer old: u32 read_write @0 count(3) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    if gid.x == 0 {
      old[0] = atomic_compare_exchange(c[0], 5, 9)
      old[1] = atomic_compare_exchange(c[0], 5, 1)
      old[2] = atomic_compare_exchange(c[0], 9, 0)
    }
  }
}
