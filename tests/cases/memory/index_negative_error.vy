# An index that does not fit u32 is an error, not an out-of-range access
# (vyre-ir.md §3.1, §8.16): a negative i32 index aborts the run.
# >>> input k = -1
# >>> input a = 5
# >>> expect-error VY_E_RUNTIME "load index cannot be represented as u32"
# >>> tags: memory index error
program {
  buffer k: i32 read @0 count(1)
  buffer a: u32 read @1 count(1)
  buffer out: u32 read_write @2 count(1) output
  region vyre.program.root {
    out[0] = a[k[0]]
  }
}
