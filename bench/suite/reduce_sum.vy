# reduce_sum: the wrapping u32 sum of `data`, in two levels.
# vyre's reference sizes the grid from the largest returned buffer
# (vyre-ir.md §4.4), so `lane_sums` (16384 elements) sets 16384
# invocations = 64 workgroups of 256. Invocation g adds data[g],
# data[g + 16384], ... (a grid stride: neighbouring invocations read
# neighbouring words) and keeps its sum in lane_sums[g]; each workgroup
# then reduces its 256 sums as a tree in workgroup memory (128, 64, ...,
# 1 active lanes, a barrier after every step) and adds the result to
# total[0] with one atomic per workgroup. (vyre allows one `output`
# buffer, V022, so `total` is a read_write buffer passed in as 0.)
#
# bench: tags memory u32 reduction barrier atomic workgroup-memory
# bench: size small n=1048576
# bench: size medium n=4194304
# bench: size large n=33554432
# bench: input data = rand:{n}:4
# bench: input total = zeros:1
# bench: work bytes 4*n
program reduce_sum workgroup(256) {
  buffer data: u32 read @0
  buffer lane_sums: u32 read_write @1 count(16384) output
  buffer total: u32 read_write @2 count(1)
  buffer scratch: u32 workgroup count(256)

  region vyre.program.root {
    let g = gid.x
    let l = lid.x
    let lanes = len(lane_sums)
    let rounds = (len(data) + lanes - 1) / lanes
    let acc = 0
    loop r in 0..rounds {
      # out-of-range loads give 0, so the tail needs no special case
      acc = acc + data[r * lanes + g]
    }
    lane_sums[g] = acc
    scratch[l] = acc
    barrier
    loop step in 0..8 {
      let half = 128 >> step
      if l < half {
        scratch[l] = scratch[l] + scratch[l + half]
      }
      barrier
    }
    if l == 0 {
      let old = atomic_add(total[0], scratch[0], relaxed)
    }
  }
}
