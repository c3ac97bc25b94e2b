# The Shuffle lane argument of every lane goes through try_as_u32: a
# negative i32 lane aborts the run (vyre-ir.md §4.7).
# >>> expect-error VY_E_RUNTIME "subgroup_shuffle lane index is not a u32"
# >>> tags: subgroup error
# >>> no-validate
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    out[lid.x] = subgroup_shuffle(lid.x, -1i)
  }
}
