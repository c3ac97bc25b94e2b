# A 3D workgroup: every invocation of a 4x4x4 block writes its packed
# (z, y, x) coordinates into a nx * ny * nz volume.
# expect-valid
program volume_index workgroup(4, 4, 4) {
  buffer vol: u32 read_write @0
  buffer dims: u32 uniform @1 count(3)

  region vyre.program.root {
    let x = gid.x
    let y = gid.y
    let z = gid.z
    let nx = dims[0]
    let ny = dims[1]
    let nz = dims[2]
    if x < nx && y < ny && z < nz {
      vol[(z * ny + y) * nx + x] = z << 20 | y << 10 | x
    }
  }
}
