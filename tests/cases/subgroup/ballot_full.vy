# Ballot over a full 32-lane subgroup (vyre-ir.md §4.7): bit j is set when
# lane j's condition holds. lid % 3 == 0 for lanes 0, 3, ..., 30 ->
# 0x49249249 = 1227133513, the same in every lane.
# >>> expect out = const:32:1227133513
# >>> tags: subgroup
program workgroup(32) {
  buffer out: u32 read_write @0 count(32) output
  region vyre.program.root {
    out[lid.x] = subgroup_ballot(lid.x % 3 == 0)
  }
}
