# Returning does not cancel a pending transfer: the run still aborts when
# the workgroup finishes (vyre-ir.md §2.1).
# >>> input src = 1
# >>> expect-error VY_E_RUNTIME "tag `early` still pending"
# >>> tags: async error
program {
  buffer src: u32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    async_store(src, out, 0, 4, early)
    if true {
      return
    }
    async_wait(early)
  }
}
