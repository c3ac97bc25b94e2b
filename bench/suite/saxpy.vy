# saxpy: y[i] = a * x[i] + y[i] over f32, one invocation per element.
# Memory-bound: 12 bytes move per element (read x and y, write y) and 2
# flops are done; throughput is reported in GB/s against the STREAM triad.
# The multiply and the add round separately (no fma), so every backend
# and the native baseline agree bit for bit.
#
# bench: tags memory f32 elementwise
# bench: size small n=65536
# bench: size medium n=4194304
# bench: size large n=33554432
# bench: input x = rand:{n}:1
# bench: input y = rand:{n}:2
# bench: input a = const:1:2.5
# bench: work bytes 12*n
program saxpy workgroup(256) {
  buffer x: f32 read @0
  buffer y: f32 read_write @1
  buffer a: f32 uniform @2 count(1)

  region vyre.program.root {
    let i = gid.x
    if i < len(y) {
      y[i] = a[0] * x[i] + y[i]
    }
  }
}
