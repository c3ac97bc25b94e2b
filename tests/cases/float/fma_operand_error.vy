# An Fma operand that is neither a float nor a u32 aborts the run
# (vyre-ir.md §3.5): here `b` is an i32.
# >>> expect-error VY_E_RUNTIME "fma operand `b` is not a float"
# >>> tags: float fma error
# >>> no-validate
program {
  buffer out: f32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = fma(1.0, 2i, 3.0)
  }
}
