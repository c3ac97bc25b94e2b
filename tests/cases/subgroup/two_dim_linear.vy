# Subgroups split the workgroup by *linear* local index x + y*sx + z*sx*sy
# (vyre-ir.md §4.6, §4.7). Workgroup (8,8): subgroup 0 holds rows y = 0..3
# (lanes 0..31), subgroup 1 rows 4..7. ballot(lid.y == 3) sets bits 24..31
# (lanes 24..31 = row 3) in subgroup 0 -> 0xff000000; nothing in subgroup 1.
# >>> expect out = 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 4278190080 \
# >>>   0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
# >>> tags: subgroup grid
program workgroup(8, 8) {
  buffer out: u32 read_write @0 count(64) output
  region vyre.program.root {
    out[lid.y * 8 + lid.x] = subgroup_ballot(lid.y == 3)
  }
}
