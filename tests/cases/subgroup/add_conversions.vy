# SubgroupAdd takes every lane value through try_as_u32 and wraps
# (vyre-ir.md §4.7): Bools count as 0/1 (a "how many lanes" count), and
# 0xffffffff on 4 lanes wraps to 0xfffffffc.
# >>> expect cnt = 2 2 2 2
# >>> expect wrap = const:4:4294967292
# >>> tags: subgroup
program workgroup(4) {
  buffer cnt: u32 read_write @0 count(4) output
  buffer wrap: u32 read_write @1 count(4) live_out
  region vyre.program.root {
    cnt[lid.x] = subgroup_add(lid.x >= 2)
    wrap[lid.x] = subgroup_add(0xFFFFFFFF)
  }
}
