# matmul_naive: C = A * B + bias for n x n row-major f32 matrices (bias a
# row vector added to every row, as in a dense layer), one invocation
# per element of C (gid.x = column, gid.y = row), each running the whole
# dot product from global memory: acc = fma(A[row][k], B[k][col], acc) for
# k = 0, 1, ..., n-1. Any implementation that accumulates every element in
# that order with fma (like the native i-k-j loop) gives the same bits.
# n = len(bias) must be a multiple of 16. (n is a buffer length, not a
# loaded value, so it is uniform and the tiled version may loop to it
# around barriers: vyre-ir.md §5.2, V010.)
#
# bench: tags compute f32 fma 2d
# bench: size small n=96
# bench: size medium n=512
# bench: size large n=1024
# bench: input a = rand:{n*n}:7
# bench: input b = rand:{n*n}:8
# bench: input c = zeros:{n*n}
# bench: input bias = rand:{n}:9
# bench: native matmul
# bench: work flops 2*n*n*n
program matmul_naive workgroup(16, 16) {
  buffer a: f32 read @0
  buffer b: f32 read @1
  buffer c: f32 read_write @2
  buffer bias: f32 read @3

  region vyre.program.root {
    let n = len(bias)
    let col = gid.x
    let row = gid.y
    if row < n && col < n {
      let acc = 0.0f
      loop k in 0..n {
        acc = fma(a[row * n + k], b[k * n + col], acc)
      }
      c[row * n + col] = acc + bias[col]
    }
  }
}
