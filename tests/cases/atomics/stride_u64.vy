# Atomics use an element stride of max(min_bytes, 4) and read/write one
# little-endian u32 word there (vyre-ir.md §4.5): on a u64 buffer element 1
# is the word at byte 8, the low half of w[1]. w[1] = 0x100000002:
# add 5 -> old 2, w[1] = 0x100000007 = 4294967303; the high word is kept.
# (V014: atomic on a non-u32 element, so validation is off.) w has two
# elements, so two invocations run; only invocation 0 adds.
# >>> input w = 1,4294967298
# >>> expect old = 2
# >>> expect w = 1 4294967303
# >>> tags: atomics
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer w: u64 read_write @1 count(2)
  region vyre.program.root {
    if gid.x == 0 {
      old[0] = atomic_add(w[1], 5)
    }
  }
}
