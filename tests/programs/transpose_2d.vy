# Matrix transpose through a 16x16 tile in workgroup memory, with a 2D
# workgroup. `a` is rows x cols, row-major; `at` is cols x rows. The tile
# rows are padded to 17 elements (the usual trick against bank conflicts).
# expect-valid
program transpose workgroup(16, 16) {
  buffer a: f32 read @0
  buffer at: f32 read_write @1
  buffer dims: u32 uniform @2 count(2)
  buffer tile: f32 workgroup count(272)

  region vyre.program.root {
    let rows = dims[0]
    let cols = dims[1]
    let x = gid.x
    let y = gid.y
    if y < rows && x < cols {
      tile[lid.y * 17 + lid.x] = a[y * cols + x]
    }
    barrier
    # the transposed block: workgroup (bx, by) writes block (by, bx)
    let ox = wgid.y * 16 + lid.x
    let oy = wgid.x * 16 + lid.y
    if oy < cols && ox < rows {
      at[oy * rows + ox] = tile[lid.x * 17 + lid.y]
    }
  }
}
