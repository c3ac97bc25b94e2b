# A SubgroupAdd lane value that does not fit u32 aborts the run (vyre-ir.md
# §4.7): lane 1's value is i32 -1.
# >>> expect-error VY_E_RUNTIME "subgroup_add lane value is not a u32"
# >>> tags: subgroup error
# >>> no-validate
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    out[lid.x] = subgroup_add(select(lid.x == 1, -1i, 1i))
  }
}
