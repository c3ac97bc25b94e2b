# matmul_tiled: C = A * B + bias for n x n row-major f32 matrices through
# 16 x 16 tiles in workgroup memory. Each workgroup computes one 16 x 16
# block of C; for every tile t it copies A[block row][t] and B[t][block col]
# into workgroup memory, waits at a barrier, accumulates 16 fma steps, and
# waits again before the next copy. Every element still accumulates
# k = 0..n-1 in order, so the result is bit-identical to matmul_naive and to
# the native baseline. n = len(bias) must be a multiple of 16; being a
# buffer length, it is uniform, so the tile loop may hold barriers
# (vyre-ir.md §5.2, V010).
#
# bench: tags compute f32 fma 2d barrier workgroup-memory
# bench: size small n=96
# bench: size medium n=512
# bench: size large n=1024
# bench: input a = rand:{n*n}:7
# bench: input b = rand:{n*n}:8
# bench: input c = zeros:{n*n}
# bench: input bias = rand:{n}:9
# bench: native matmul
# bench: work flops 2*n*n*n
program matmul_tiled workgroup(16, 16) {
  buffer a: f32 read @0
  buffer b: f32 read @1
  buffer c: f32 read_write @2
  buffer bias: f32 read @3
  buffer ta: f32 workgroup count(256)
  buffer tb: f32 workgroup count(256)

  region vyre.program.root {
    let n = len(bias)
    let lx = lid.x
    let ly = lid.y
    let col = gid.x
    let row = gid.y
    let acc = 0.0f
    loop t in 0..n / 16 {
      ta[ly * 16 + lx] = a[row * n + t * 16 + lx]
      tb[ly * 16 + lx] = b[(t * 16 + ly) * n + col]
      barrier
      loop kk in 0..16 {
        acc = fma(ta[ly * 16 + kk], tb[kk * 16 + lx], acc)
      }
      barrier
    }
    if row < n && col < n {
      c[row * n + col] = acc + bias[col]
    }
  }
}
