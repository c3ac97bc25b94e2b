# Starting a tag that is already pending aborts the run (vyre-ir.md §2.1).
# >>> input src = 1
# >>> expect-error VY_E_RUNTIME "async transfer tag `t` was started more than once"
# >>> tags: async error
program {
  buffer src: u32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    async_load(src, out, 0, 4, t)
    async_load(src, out, 0, 4, t)
    async_wait(t)
  }
}
