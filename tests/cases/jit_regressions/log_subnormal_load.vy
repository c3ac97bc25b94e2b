# Log of a subnormal input element (minimized from diffgen "transcendentals"
# seed 131313, where in0[0] = -1.1754942e-38 reached log()). vyre-ir.md §4
# (buffer loads): an F32 load is canonicalized, a subnormal becoming zero
# with its sign kept, so a[0] = 0x807ffffe loads as -0.0; §3.3: Log is musl
# logf, and logf(-0.0) = -inf = 0xff800000 (a pole, not NaN).
# (llvm-cpu passed the raw subnormal to logf, which returns NaN for x < 0.)
# >>> input a = 0x807ffffe
# >>> expect o = 0xff800000
# >>> tags: float f32 log subnormal transcendental
program workgroup(1) {
  buffer a: f32 read @0 count(1)
  buffer o: f32 read_write @1 count(1) output
  region vyre.program.root {
    o[0] = log(a[0])
  }
}
