# f32 values that pass through workgroup memory are observed canonicalized
# (vyre-ir.md §4.3: loads and stores canonicalize). llvm-cpu stores f32
# values into a workgroup buffer that only Loads read back without
# canonicalizing them (lower_cpu_plan.c, pre-pass D), so every observer of
# the reloaded value must still see NaN payloads as the canonical NaN and
# subnormals as signed zeros. Inputs as in float/load_canonical.vy.
# out: the copy; twice: x * 2; flags per lane: x == 0, bool(x), x != x.
# >>> input x = 0x7fc00001,0xffc00000,0x7f800001,0x00000001,0x807fffff,0x00800000,-0.0,inf
# >>> expect out = nan nan nan 0 -0 1.1754944e-38 -0 inf
# >>> expect twice = nan nan nan 0 -0 2.3509887e-38 -0 inf
# >>> expect flags = 0 1 1  0 1 1  0 1 1  1 0 0  1 0 0  0 1 0  1 0 0  0 1 0
# >>> tags: float canonical workgroup-memory barrier
program workgroup(8) {
  buffer x: f32 read @0 count(8)
  buffer out: f32 read_write @1 count(8) output
  buffer twice: f32 read_write @2 count(8) live_out
  buffer flags: u32 read_write @3 count(24) live_out
  buffer tile: f32 workgroup count(8)
  region vyre.program.root {
    let i = lid.x
    tile[i] = x[i]
    barrier
    let v = tile[i]
    out[i] = v
    twice[i] = v * 2.0f
    flags[i * 3 + 0] = select(v == 0.0f, 1, 0)
    flags[i * 3 + 1] = select(cast<bool>(v), 1, 0)
    flags[i * 3 + 2] = select(v != v, 1, 0)
  }
}
