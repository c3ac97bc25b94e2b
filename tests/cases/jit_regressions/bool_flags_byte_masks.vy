# Per-invocation flags in 32-bit slots (minimized from diffgen "plain" seed
# 51234). The Loops make the program run at workgroup level and the Return
# makes llvm-cpu keep a "returned" flag per invocation; with 8-bit flags,
# LLVM 19's x86 backend vectorized the region 8 invocations at a time,
# widened the flag compare to 16 bytes and kept the upper 8 mask bits set
# in the masked flag store, marking the next 8 invocations as returned, so
# their stores never ran (out0 kept 0 for invocations 16-23, 32-39, ...).
# By hand (vyre-ir.md §3): out0 starts at 0, inverse_sqrt(-0.0) = 1/-0.0 =
# -inf; v0 = -1.1754944e-38 / (min(-inf - 1.1754944e-38, x) * -3.7507536e+29)
# = -1.1754944e-38 / +inf = -0.0 whatever in0 holds (x is finite), so every
# element of out0 ends as -0.0; out1 is never written.
# >>> input in0 = -7,-2147483648,-842147336
# >>> expect out1 = zeros:127
# >>> expect out0 = const:256:-0.0
# >>> tags: jit vectorize return
program workgroup(64) {
  buffer out1: u32 read_write @1 count(127) live_out
  buffer in0: i32 read @2 count(3)
  buffer out0: f32 read_write @0 count(256) output live_out
  region vyre.program.root {
    loop i4 in 0..4 {
      loop i5 in 0..min(cast<u32>(cast<bool>(-1i)), 3) {
      }
    }
  }
  region diffgen.part {
    let gl = gid.x
    let v10 = in0[gl % len(in0)]
    if gid.y + gid.x * 1 < len(out0) {
      out0[gid.y + gid.x * 1] = inverse_sqrt(-out0[gid.y + gid.x * 1])
    }
    let v0 = -1.1754944e-38f / (min(out0[gid.y + gid.x * 1] - 1.1754944e-38f, cast<f32>(in0[gl % len(in0)]) + 0.0f) * -3.7507536e+29f)
    out0[gid.y + gid.x * 1] = v0
    return
  }
}
