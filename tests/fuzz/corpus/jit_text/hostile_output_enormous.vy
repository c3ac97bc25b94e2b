# An output of 4294967295 u32 elements (16 GiB) is refused before any
# allocation: binding needs more than the memory limit (4 GiB by default,
# vy_interp_options.max_memory_bytes; compiled backends share the binding
# and its limit), VY_E_NOMEM, not an attempt to allocate 16 GiB.
# >>> expect-error VY_E_NOMEM "memory limit"
# >>> tags: hostile memory limit
program workgroup(64) {
  buffer out: u32 read_write @0 count(4294967295) output
  region vyre.program.root {
    out[gid.x] = 1
  }
}
