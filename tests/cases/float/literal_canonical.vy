# An f32 literal evaluates to its canonical value (vyre-ir.md §2.2 LitF32):
# NaN payloads become 0x7fc00000, subnormals flush to zero with their sign,
# and -0.0 is kept (the wire encoder would turn it into +0.0, §8.6, but the
# fingerprint covers the encoded form, so the round trip still holds).
# out = [f32_bits(0x7fc00001), f32_bits(0x00000001), f32_bits(0x80000001),
#        -0.0, 1e-45 (subnormal), 1.5]
# >>> expect out = nan 0 -0 -0 0 1.5
# >>> tags: float canonical
program {
  buffer out: f32 read_write @0 count(6) output
  region vyre.program.root {
    out[0] = f32_bits(0x7FC00001)
    out[1] = f32_bits(0x00000001)
    out[2] = f32_bits(0x80000001)
    out[3] = -0.0
    out[4] = 1e-45
    out[5] = 1.5
  }
}
