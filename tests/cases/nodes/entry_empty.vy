# An empty entry is refused (vyre-ir.md §4.1).
# >>> expect-error VY_E_INVALID_PROGRAM "entry is empty"
# >>> tags: node region error
program {
  buffer out: u32 read_write @0 count(1) output
}
