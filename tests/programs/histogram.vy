# 256-bin histogram of the low byte of every word of `data`, with atomics.
# The reference sizes the grid from the largest output buffer: `bins` has
# 256 elements, so 256 invocations run (4 workgroups of 64) and each one
# walks the data with a stride of 256.
# expect-valid
program histogram workgroup(64) {
  buffer data: u32 read @0
  buffer bins: u32 read_write @1 count(256)

  region vyre.program.root {
    let i = gid.x
    let rounds = (len(data) + 255) / 256
    loop r in 0..rounds {
      let k = r * 256 + i
      if k < len(data) {
        let bin = data[k] & 255
        # the old value is returned; this program does not need it
        let old = atomic_add(bins[bin], 1, relaxed)
      }
    }
  }
}
