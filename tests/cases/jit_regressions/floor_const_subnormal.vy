# Floor/Ceil of a constant quotient that is subnormal (minimized from diffgen
# "plain" seed 50850, where floor(sign(8388608.0f) / -3.4028235e+38f) decided
# an early return). vyre-ir.md §3.2-§3.3: a float op's result and a UnOp's
# operand are canonicalized, a subnormal becoming zero with its sign kept.
# 1 / -3.4028235e38 = -2.94e-39 < 2^-126 (1.1754944e-38): subnormal, so -0.0;
# floor(-0.0) = -0.0 = 0x80000000. -1 / -3.4028235e38 = +2.94e-39 -> +0.0;
# ceil(+0.0) = +0.0 = 0x00000000. (llvm-cpu let LLVM fold floor/ceil of the
# raw subnormal constant: -1.0 and 1.0.)
# >>> expect o = 0x80000000 0x00000000
# >>> tags: float f32 floor ceil subnormal
program workgroup(1) {
  buffer o: f32 read_write @0 count(2) output
  region vyre.program.root {
    o[0] = floor(1.0f / -3.4028235e+38f)
    o[1] = ceil(-1.0f / -3.4028235e+38f)
  }
}
