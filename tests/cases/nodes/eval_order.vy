# Evaluation order (vyre-ir.md §2.1, §2.2, §4.5): a Store evaluates its
# index before its value; a BinOp its left operand before its right; an
# Atomic its index, then expected, then value. Atomic adds on a counter make
# the order visible (each returns the old value).
#   out[atomic_add(c,1) -> 0] = atomic_add(c,10) -> 1      => out[0] = 1
#   out[1] = atomic_add(c,100) -> 11  -  atomic_add(c,1000) -> 111
#          = 11 - 111 = 4294967196 (wrapping); c[0] is now 1111
#   out[2] = atomic_compare_exchange(c[atomic_add(c[0],0) % 2], 5, 6): the
#            index evaluates first (1111 % 2 = 1), then expected 5 and value
#            6 against c[1] = 5 -> returns 5, c[1] = 6
# >>> input c = 0,5
# >>> expect out = 1 4294967196 5
# >>> expect c = 1111 6
# >>> tags: node eval_order atomics
program {
  buffer out: u32 read_write @0 count(3) output
  buffer c: u32 read_write @1 count(2)
  region vyre.program.root {
    if gid.x == 0 {
      out[atomic_add(c[0], 1)] = atomic_add(c[0], 10)
      out[1] = atomic_add(c[0], 100) - atomic_add(c[0], 1000)
      out[2] = atomic_compare_exchange(c[atomic_add(c[0], 0) % 2], 5, 6)
    }
  }
}
