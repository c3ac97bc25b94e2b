# stencil1d: a 5-point 1D stencil through workgroup memory,
#   dst[i] = 0.1 * (s[i-2] + s[i+2]) + 0.2 * (s[i-1] + s[i+1]) + 0.4 * s[i]
# with the edges clamped (s[-1] = s[-2] = s[0], s[n] = s[n+1] = s[n-1]).
# Every lane loads its element into a tile of 260; lanes 0-1 and 254-255
# also load the halo cells; a barrier; then each lane reads five cells.
#
# bench: tags memory f32 barrier workgroup-memory
# bench: size small n=65536
# bench: size medium n=4194304
# bench: size large n=33554432
# bench: input src = rand:{n}:6
# bench: input dst = zeros:{n}
# bench: work bytes 8*n
program stencil1d workgroup(256) {
  buffer src: f32 read @0
  buffer dst: f32 read_write @1
  buffer tile: f32 workgroup count(260)

  region vyre.program.root {
    let i = gid.x
    let l = lid.x
    let last = len(src) - 1
    tile[l + 2] = src[min(i, last)]
    if l < 2 {
      # cells i - 2 and i - 1 for l = 0; clamped at the left edge
      let left = wgid.x * 256
      tile[l] = src[select(left >= 2 - l, left - (2 - l), 0)]
    }
    if l >= 254 {
      # cells i + 2 (l = 254 fills tile[258], l = 255 fills tile[259])
      tile[l + 4] = src[min(i + 2, last)]
    }
    barrier
    if i < len(dst) {
      let c = tile[l + 2]
      let near = tile[l + 1] + tile[l + 3]
      let far = tile[l] + tile[l + 4]
      dst[i] = 0.1f * far + 0.2f * near + 0.4f * c
    }
  }
}
