# 3-point average dst[i] = (src[i-1] + src[i] + src[i+1]) / 3 through a tile
# in workgroup memory: every lane loads its element, the first and the last
# lane also load the halo cells (clamped at the edges), then a barrier.
# expect-valid
program stencil3 workgroup(64) {
  buffer src: f32 read @0
  buffer dst: f32 read_write @1
  buffer tile: f32 workgroup count(66)

  region vyre.program.root {
    let i = gid.x
    let l = lid.x
    let last = len(src) - 1
    tile[l + 1] = src[min(i, last)]
    if l == 0 {
      tile[0] = src[select(i == 0, 0, i - 1)]
    }
    if l == 63 {
      tile[65] = src[min(i + 1, last)]
    }
    barrier
    if i < len(dst) {
      dst[i] = (tile[l] + tile[l + 1] + tile[l + 2]) * 0.33333334f
    }
  }
}
