# IndirectDispatch has no reference semantics: reaching it aborts the run
# (vyre-ir.md §2.1, node_step.rs eval_indirect_dispatch).
# >>> input counts = 1,1,1
# >>> expect-error VY_E_RUNTIME "IndirectDispatch cannot execute in the reference interpreter"
# >>> tags: node indirect_dispatch error
program {
  buffer counts: u32 read @0 count(3)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    out[0] = 1
    indirect_dispatch(counts, 0)
  }
}
