# Only the strong CompareExchange may carry `expected` (hashmap/mod.rs
# eval_atomic matches (CompareExchange, Some) and rejects (_, Some)): a
# CompareExchangeWeak with one fails that check before anything else.
# >>> input c = 0
# >>> expect-error VY_E_RUNTIME "non-compare-exchange atomic includes an expected value"
# >>> tags: atomics error
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[0] = atomic_compare_exchange_weak(c[0], 0, 1)
  }
}
