# Offset and size go through try_as_u64: a negative i32 size aborts the run
# (vyre-ir.md §2.1).
# >>> input src = 1
# >>> expect-error VY_E_RUNTIME "async load size cannot be represented as u64"
# >>> tags: async error
# >>> no-validate
program {
  buffer src: u32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    async_load(src, out, 0, -4i, t)
    async_wait(t)
  }
}
