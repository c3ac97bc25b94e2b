# Leftover inputs are an error (vyre-ir.md §4.2): one logical input, two
# non-workgroup buffers (so two inputs would be legacy mode), three given.
# >>> input a = 1
# >>> input out = 2
# >>> input extra = 03
# >>> inputs-unchecked
# >>> expect-error VY_E_RUNTIME "unused input values supplied (3 given, 1 used)"
# >>> tags: memory binding error
program {
  buffer a: u32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    out[0] = a[0]
  }
}
