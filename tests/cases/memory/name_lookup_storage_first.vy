# Buffer names are looked up among storage buffers first, then workgroup
# buffers (vyre-ir.md §4.2, memory.rs resolve_buffer). Two buffers named `x`
# (the validator refuses duplicate names, so validation is off): the store
# and load reach the storage one, which is returned.
# >>> input x = 0
# >>> expect x = 42
# >>> tags: memory
# >>> no-validate
program {
  buffer x: u32 workgroup count(1)
  buffer x: u32 read_write @0 count(1)
  region vyre.program.root {
    x[0] = 41
    x[0] = x[0] + 1
  }
}
