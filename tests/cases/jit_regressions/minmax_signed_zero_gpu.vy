# f32 Min/Max of +0 and -0 give the left operand (vyre-ir.md §3.2 leaves
# the sign unspecified; the reference, lib/interp_ops.c min_f/max_f, takes
# b only when strictly smaller/larger, so equal operands give a), also
# where the compiler knows both operands are not NaN: LLVM's NVPTX
# backend turned select(b > a, b, a) into max.f32, which gives +0 for
# (-0, +0) on the GPU (diffgen seed 50394 on an H100). The sign shows as
# 1/x = +-inf. cast<f32> of a u32 is never NaN; z = [+0, -0] and
# s = -subnormal (a signed zero to the reference) are plain loads.
#   out[0] = 1/max(-0, +0) = -inf     out[1] = 1/max(+0, -0) = inf
#   out[2] = 1/min(+0, -0) = inf      out[3] = 1/min(-0, +0) = -inf
#   out[4] = 1/max(z[1], z[0]) = -inf out[5] = 1/min(z[0], z[1]) = inf
#   out[6] = 1/max(s, +0) = -inf      out[7] = 1/min(+0, s) = inf
# >>> input u = 0
# >>> input z = 0,-0
# >>> input s = 0x80000001
# >>> expect out = -inf inf inf -inf -inf inf -inf inf
# >>> tags: float minmax jit
program workgroup(1) {
  buffer u: u32 read @0 count(1)
  buffer z: f32 read @1 count(2)
  buffer s: f32 read @2 count(1)
  buffer out: f32 read_write @3 count(8) output
  region vyre.program.root {
    out[0] = 1.0f / max(-(0.0f), cast<f32>(u[0]))
    out[1] = 1.0f / max(cast<f32>(u[0]), -(0.0f))
    out[2] = 1.0f / min(0.0f, -cast<f32>(u[0]))
    out[3] = 1.0f / min(-cast<f32>(u[0]), 0.0f)
    out[4] = 1.0f / max(z[1], z[0])
    out[5] = 1.0f / min(z[0], z[1])
    out[6] = 1.0f / max(s[0], 0.0f)
    out[7] = 1.0f / min(0.0f, s[0])
  }
}
