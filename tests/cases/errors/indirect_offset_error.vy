# An IndirectDispatch count offset beyond u32 gets its own error before the
# unsupported-node one (node_step.rs).
# >>> input counts = 1
# >>> expect-error VY_E_RUNTIME "indirect dispatch count offset 4294967296 exceeds u32"
# >>> tags: node indirect_dispatch error
program {
  buffer counts: u32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    indirect_dispatch(counts, 4294967296)
  }
}
