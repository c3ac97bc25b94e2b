# Subgroups are 32 lanes wide; with 40 lanes the second subgroup is partial
# (lanes 32..39), and bit j refers to lane start + j (vyre-ir.md §4.7).
# lid < 35: subgroup 0 all true -> 0xffffffff; subgroup 1: lanes 32, 33, 34
# -> bits 0..2 -> 7.
# >>> expect out = 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 4294967295 \
# >>>   7 7 7 7 7 7 7 7
# >>> tags: subgroup
program workgroup(40) {
  buffer out: u32 read_write @0 count(40) output
  region vyre.program.root {
    out[lid.x] = subgroup_ballot(lid.x < 35)
  }
}
