# An AsyncWait with no pending transfer of its tag aborts the run
# (vyre-ir.md §2.1).
# >>> expect-error VY_E_RUNTIME "async wait for tag `never` has no matching async transfer"
# >>> tags: async error
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    async_wait(never)
  }
}
