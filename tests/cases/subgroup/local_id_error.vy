# SubgroupLocalId has no reference semantics (vyre-ir.md §4.7, §8.22).
# >>> expect-error VY_E_RUNTIME "has no reference semantics"
# >>> tags: subgroup error
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    out[lid.x] = subgroup_local_id()
  }
}
