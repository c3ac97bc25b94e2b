# An `expected` operand on anything but CompareExchange is an error, checked
# before any operand is evaluated (vyre-ir.md §4.5).
# >>> input c = 0
# >>> expect-error VY_E_RUNTIME "non-compare-exchange atomic includes an expected value"
# >>> tags: atomics error
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[0] = atomic_add(c[0], 1, 2)
  }
}
