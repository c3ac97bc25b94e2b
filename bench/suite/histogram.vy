# histogram: 256-bin histogram of every byte of `data` (4 bytes per u32
# word) with one global atomic add per byte. The 256 bins are the only
# returned buffer, so the reference grid is 256 invocations (4 workgroups
# of 64, vyre-ir.md §4.4); invocation i walks words i, i + 256, ...
# The final counts do not depend on the order of the atomics.
#
# bench: tags atomic u32 bytes contention
# bench: size small n=262144
# bench: size medium n=4194304
# bench: size large n=33554432
# bench: input data = rand:{n}:5
# bench: work bytes 4*n
program histogram workgroup(64) {
  buffer data: u32 read @0
  buffer bins: u32 read_write @1 count(256) output

  region vyre.program.root {
    let i = gid.x
    let lanes = len(bins)
    let rounds = (len(data) + lanes - 1) / lanes
    loop r in 0..rounds {
      let k = r * lanes + i
      if k < len(data) {
        let w = data[k]
        loop b in 0..4 {
          let old = atomic_add(bins[(w >> (b * 8)) & 255], 1, relaxed)
        }
      }
    }
  }
}
