# Atomic operands go through try_as_u32 (vyre-ir.md §3.1, §4.5): a Bool is
# 0/1, a non-negative i32 itself, a float in range is truncated (2.9 -> 2),
# a u64 that fits is itself.
# c = 10: add true -> 11; add 3i -> 14; add 2.9 -> 16; add u64 4 -> 20.
# >>> input c = 10
# >>> input w = 4
# >>> expect old = 10 11 14 16
# >>> expect c = 20
# >>> tags: atomics
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(4) output
  buffer c: u32 read_write @1 count(1)
  buffer w: u64 read @2 count(1)
  region vyre.program.root {
    if gid.x == 0 {
      old[0] = atomic_add(c[0], true)
      old[1] = atomic_add(c[0], 3i)
      old[2] = atomic_add(c[0], 2.9)
      old[3] = atomic_add(c[0], w[0])
    }
  }
}
