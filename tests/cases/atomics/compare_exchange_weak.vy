# CompareExchangeWeak has no reference semantics: in range it aborts the
# run (vyre-ir.md §4.5). It takes no `expected` operand in the reference
# (only the strong CompareExchange does; see expected_on_weak_error.vy).
# >>> input c = 0
# >>> expect-error VY_E_RUNTIME "atomic op `compare_exchange_weak` has no reference semantics"
# >>> tags: atomics error
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[0] = atomic_compare_exchange_weak(c[0], 1)
  }
}
