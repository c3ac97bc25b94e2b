# Subgroup operations (subgroups are 32 lanes wide): a ballot of the lanes
# whose flag is set, the subgroup-wide sum of the flags, and a rotation of
# the flags by one lane with a shuffle.
# expect-valid: subgroup-ops
program subgroup_vote workgroup(64) {
  buffer flags: u32 read @0
  buffer votes: u32 read_write @1
  buffer sums: u32 read_write @2
  buffer rotated: u32 read_write @3

  region vyre.program.root {
    let i = gid.x
    let lane = lid.x & 31
    let f = flags[i]
    let mask = subgroup_ballot(f != 0)
    let total = subgroup_add(f)
    let next = subgroup_shuffle(f, (lane + 1) & 31)
    if i < len(votes) {
      votes[i] = popcount(mask)
      sums[i] = total
      rotated[i] = next
    }
  }
}
