# The CompareExchange `expected` operand goes through try_as_u32: a negative
# i32 aborts the run (vyre-ir.md §4.5).
# >>> input c = 0
# >>> expect-error VY_E_RUNTIME "atomic expected value cannot be represented as u32"
# >>> tags: atomics error
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[0] = atomic_compare_exchange(c[0], -1i, 1)
  }
}
