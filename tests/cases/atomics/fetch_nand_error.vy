# FetchNand has no reference semantics: in range it aborts the run
# (vyre-ir.md §4.5).
# >>> input c = 0
# >>> expect-error VY_E_RUNTIME "atomic op `fetch_nand` has no reference semantics"
# >>> tags: atomics error
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[0] = atomic_fetch_nand(c[0], 1)
  }
}
