# SubgroupAdd is a full wrapping u32 reduction over the lanes of the
# caller's subgroup, not a prefix sum (vyre-ir.md §4.7, §8.22). 40 lanes:
# subgroup 0 sums 0..31 = 496, subgroup 1 sums 32..39 = 284.
# >>> expect out = 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 496 \
# >>>   284 284 284 284 284 284 284 284
# >>> tags: subgroup
program workgroup(40) {
  buffer out: u32 read_write @0 count(40) output
  region vyre.program.root {
    out[lid.x] = subgroup_add(lid.x)
  }
}
