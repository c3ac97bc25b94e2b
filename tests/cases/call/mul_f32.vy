# An f32 host result is canonicalized like every float (vyre-ir.md §2.4,
# expr_cast.rs spec_output_value): corpus.mul_f32(x, y) = x * y in C;
# 1e-20 * 1e-20 = 1e-40 is subnormal -> 0; the subnormal input loads as 0.
# >>> input x = 1.5,1e-20,0x00000001,-2
# >>> input y = 2,1e-20,5,inf
# >>> expect out = 3 0 0 -inf
# >>> host
# >>> tags: call float
# >>> no-validate
program workgroup(4) {
  buffer x: f32 read @0 count(4)
  buffer y: f32 read @1 count(4)
  buffer out: f32 read_write @2 count(4) output
  region vyre.program.root {
    out[lid.x] = call corpus.mul_f32(x[lid.x], y[lid.x])
  }
}
