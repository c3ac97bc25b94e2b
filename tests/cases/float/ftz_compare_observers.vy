# Comparisons see a subnormal operand as the zero of its sign (vyre-ir.md
# §3.2: every f32 operand is canonicalized, "comparisons therefore see
# subnormals as zero"), also where the compare's operand comes straight from
# a load or is Sign's result: sign(+-0) = +0.0 (§3.3). Found by the
# interpreter-vs-cuda fuzz campaign: ptxas turned setp.ftz compares against
# 0 into integer tests of the raw bits, so -0x1.fffffcp-127 < 0 was true on
# an H100 (jit/lower_ops.c vy_lw_flush_float_observers).
# lanes: -subnormal, +subnormal, -0, -(smallest normal), -1, 1
# rows per lane: x<0, sign(x)<0, !(x>=-0), x>0, x==0, sign(x)>0, bool(x)
#   -sub: 0 0 0 0 1 0 0    +sub: 0 0 0 0 1 0 0    -0: 0 0 0 0 1 0 0
#   -min normal: 1 1 1 0 0 0 1    -1: 1 1 1 0 0 0 1    1: 0 0 0 1 0 1 1
# >>> input a = 0x807fffff,0x00000001,0x80000000,0x80800000,-1,1
# >>> expect out = 0 0 0 0 1 0 0  0 0 0 0 1 0 0  0 0 0 0 1 0 0  1 1 1 0 0 0 1  1 1 1 0 0 0 1  0 0 0 1 0 1 1
# >>> tags: float ftz
program workgroup(6) {
  buffer a: f32 read @0 count(6)
  buffer out: u32 read_write @1 count(42) output
  region vyre.program.root {
    let i = lid.x
    let x = a[i]
    out[i * 7 + 0] = select(x < 0.0f, 1, 0)
    out[i * 7 + 1] = select(sign(x) < 0.0f, 1, 0)
    out[i * 7 + 2] = select(!(x >= -(0.0f)), 1, 0)
    out[i * 7 + 3] = select(x > 0.0f, 1, 0)
    out[i * 7 + 4] = select(x == 0.0f, 1, 0)
    out[i * 7 + 5] = select(sign(x) > 0.0f, 1, 0)
    out[i * 7 + 6] = select(cast<bool>(x), 1, 0)
  }
}
