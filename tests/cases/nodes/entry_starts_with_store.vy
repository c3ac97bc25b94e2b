# An entry whose first node is a Store is refused instead of wrapped
# (vyre-ir.md §4.1, execution/mod.rs program_for_interpreter).
# >>> expect-error VY_E_INVALID_PROGRAM "starts with a top-level Store"
# >>> tags: node region error
program {
  buffer out: u32 read_write @0 count(1) output
  out[0] = 1
}
