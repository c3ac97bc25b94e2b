# An f64 buffer loads Float values that are not canonicalized; they are
# narrowed to f32 when stored into an f32 buffer (vyre-ir.md §4.3, §8.11).
# d = 1.5 (3ff8000000000000), 1e-300 (01a56e1fc2f8f359: below f32 range ->
# 0), 0.1 (3fb999999999999a -> nearest f32 0.1 = 0x3dcccccd).
# >>> input d = 000000000000f83f 59f3f8c21f6ea501 9a9999999999b93f
# >>> expect out = 1.5 0 0.1
# >>> tags: memory float
# >>> no-validate
program workgroup(3) {
  buffer d: f64 read @0 count(3)
  buffer out: f32 read_write @1 count(3) output
  region vyre.program.root {
    out[lid.x] = d[lid.x]
  }
}
