# f32 loads canonicalize (vyre-ir.md §4.3): a copy through a load turns NaN
# payloads into 0x7fc00000 and subnormals into signed zeros; the smallest
# normal 0x00800000 and -0.0 are kept. Stores canonicalize again.
# >>> input x = 0x7fc00001,0xffc00000,0x7f800001,0x00000001,0x807fffff,0x00800000,-0.0,inf
# >>> expect out = nan nan nan 0 -0 1.1754944e-38 -0 inf
# >>> tags: float canonical
program workgroup(8) {
  buffer x: f32 read @0 count(8)
  buffer out: f32 read_write @1 count(8) output
  region vyre.program.root {
    out[lid.x] = x[lid.x]
  }
}
