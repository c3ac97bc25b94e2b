# A float op whose operands are both constants is folded by LLVM's IR
# builder, which knows nothing of the reference's flush of subnormal
# results (vyre-ir.md §3.2: every f32 result is canonicalized). Each inner
# result below is subnormal and must become a signed zero before the next
# op: 1/3e38 = 3.3e-39, 1e-20 * 1e-20 = 1e-40, 1e-30 / 1e10 = 1e-40 and
# 1e-38 - 1.1e-38 = -1e-39 flush to 0, 0, 0 and -0, so every product with
# 1e30 is zero and -0 + 0 = +0. Kept as 3.3e-31 etc. they would give about
# 3.3e-9, 1e-10 and 1e-10 - 1e-9.
# >>> expect out = 0 0 0
# >>> tags: float jit
program workgroup(1) {
  buffer out: f32 read_write @0 count(3) output
  region vyre.program.root {
    out[0] = reciprocal(3.0e38f) * 1.0e30f
    out[1] = (1.0e-20f * 1.0e-20f) * 1.0e30f
    out[2] = (1.0e-30f / 1.0e10f) * 1.0e30f + (1.0e-38f - 1.1e-38f) * 1.0e30f
  }
}
