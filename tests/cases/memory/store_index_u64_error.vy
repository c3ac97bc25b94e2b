# A store index above u32::MAX is an error (vyre-ir.md §3.1; u64 indices go
# through try_as_u32).
# >>> input k = 4294967296
# >>> expect-error VY_E_RUNTIME "store index cannot be represented as u32"
# >>> tags: memory index error
program {
  buffer k: u64 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    out[k[0]] = 1
  }
}
