# Workgroup reduction: each workgroup of 256 invocations sums its 256
# elements of `input` in workgroup memory (a tree: 128, 64, ..., 1 active
# lanes, with a barrier after every step) and writes one partial sum.
# expect-valid
program reduce_sum workgroup(256) {
  buffer input: u32 read @0
  buffer partial: u32 read_write @1
  buffer scratch: u32 workgroup count(256)

  region vyre.program.root {
    let g = gid.x
    let l = lid.x
    # out-of-range loads give 0, so the tail needs no special case
    scratch[l] = input[g]
    barrier
    loop step in 0..8 {
      let half = 128 >> step
      if l < half {
        scratch[l] = scratch[l] + scratch[l + half]
      }
      # outside the if: every invocation reaches every barrier
      barrier
    }
    if l == 0 {
      partial[wgid.x] = scratch[0]
    }
  }
}
