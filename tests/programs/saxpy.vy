# saxpy: y[i] = a * x[i] + y[i], one invocation per element.
# expect-valid
program saxpy workgroup(256) {
  buffer x: f32 read @0
  buffer y: f32 read_write @1
  buffer a: f32 uniform @2 count(1)

  region vyre.program.root {
    let i = gid.x
    # every invocation of the grid runs, so guard the tail
    if i < len(y) {
      y[i] = fma(a[0], x[i], y[i])
    }
  }
}
