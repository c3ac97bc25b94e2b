# Fewer inputs than logical input buffers is an error (vyre-ir.md §4.2).
# >>> input a = 1
# >>> inputs-unchecked
# >>> expect-error VY_E_RUNTIME "missing input for buffer `b`"
# >>> tags: memory binding error
program {
  buffer a: u32 read @0 count(1)
  buffer b: u32 read @1 count(1)
  buffer out: u32 read_write @2 count(1) output
  region vyre.program.root {
    out[0] = a[0] + b[0]
  }
}
