# math_map: a transcendental-heavy f32 map, out[i] = f(x[i]) with
#   f(x) = exp(-x) * sin(x + 1) + log(x + 1) * cos(x) + sqrt(x)
# for x in [0, 1): every term is >= 0, so nothing cancels and the result
# stays within a few ULP of the exact value whatever libm computes the
# functions (the reference uses musl's, the native baseline the C
# library's). Compared within vyre's transcendental budget of 128 ULP.
#
# bench: tags math f32 transcendental elementwise
# bench: size small n=65536
# bench: size medium n=1048576
# bench: size large n=16777216
# bench: input x = rand:{n}:3
# bench: input out = zeros:{n}
# bench: check out ulp:128
# bench: work elements n
program math_map workgroup(256) {
  buffer x: f32 read @0
  buffer out: f32 read_write @1

  region vyre.program.root {
    let i = gid.x
    if i < len(out) {
      let v = x[i]
      out[i] = exp(-v) * sin(v + 1.0f) + log(v + 1.0f) * cos(v) + sqrt(v)
    }
  }
}
