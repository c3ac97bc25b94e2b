# Atomics work only on storage buffers: one on workgroup memory aborts the
# run (vyre-ir.md §4.5; V025 statically, so validation is off).
# >>> expect-error VY_E_RUNTIME "is workgroup memory or missing"
# >>> tags: atomics error
# >>> no-validate
program workgroup(2) {
  buffer shared: u32 workgroup count(2)
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    out[lid.x] = atomic_add(shared[0], 1)
  }
}
