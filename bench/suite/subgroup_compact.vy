# subgroup_compact: subgroup-heavy work on 32-lane subgroups (vyre's
# width; subgroup k of a workgroup is lanes 32k..32k+31, vyre-ir.md §4.7).
# For every element x:
# - packed: within each aligned group of 32 elements, the elements with
#   x % 8 == 0 moved to the front in order (the rest stay 0), placed by a
#   ballot and a popcount of the ballot bits below the lane;
# - stats[i] = max + sum + right: the subgroup maximum of x through a
#   butterfly of five xor shuffles, the wrapping subgroup sum of x
#   (subgroup_add), and the x of the next lane (lane + 1, wrapping) through
#   a shuffle.
# n must be a multiple of 32.
#
# bench: tags subgroup u32 ballot shuffle
# bench: size small n=32768
# bench: size medium n=4194304
# bench: size large n=33554432
# bench: input data = rand:{n}:11
# bench: input packed = zeros:{n}
# bench: input stats = zeros:{n}
# bench: work bytes 12*n
program subgroup_compact workgroup(256) {
  buffer data: u32 read @0
  buffer packed: u32 read_write @1
  buffer stats: u32 read_write @2

  region vyre.program.root {
    let i = gid.x
    let lane = lid.x & 31
    let x = data[i]
    let hit = (x & 7) == 0
    let mask = subgroup_ballot(hit)
    let rank = popcount(mask & ((1 << lane) - 1))
    let total = subgroup_add(x)
    let right = subgroup_shuffle(x, (lane + 1) & 31)
    let m = x
    m = max(m, subgroup_shuffle(m, lane ^ 16))
    m = max(m, subgroup_shuffle(m, lane ^ 8))
    m = max(m, subgroup_shuffle(m, lane ^ 4))
    m = max(m, subgroup_shuffle(m, lane ^ 2))
    m = max(m, subgroup_shuffle(m, lane ^ 1))
    if i < len(stats) {
      if hit {
        packed[(i & ~31) + rank] = x
      }
      stats[i] = m + total + right
    }
  }
}
