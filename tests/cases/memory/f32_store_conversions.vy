# Stores into an f32 buffer (vyre-ir.md §4.3): a float is narrowed to f32; a
# u32 is taken as f32 *bits*; any other value (i32, Bool) stores 0.0; the
# result is canonicalized (u32 1 = a subnormal -> 0, 0x7fc00001 -> nan).
# out = [u32 0x3fc00000 -> 1.5, u32 1 -> 0, u32 0x7fc00001 -> nan,
#        i32 5 -> 0, true -> 0, 2.5 -> 2.5]
# >>> expect out = 1.5 0 nan 0 0 2.5
# >>> tags: memory store float
# >>> no-validate
program {
  buffer out: f32 read_write @0 count(6) output
  region vyre.program.root {
    if gid.x == 0 {
      out[0] = 0x3FC00000
      out[1] = 1
      out[2] = 0x7FC00001
      out[3] = 5i
      out[4] = true
      out[5] = 2.5
    }
  }
}
