# Shuffle of i32 lanes is refused: only all-u32 or all-f32 lanes move
# (hashmap/subgroup.rs: "mixed or unsupported value types").
# >>> expect-error VY_E_RUNTIME "subgroup_shuffle lanes have mixed or unsupported value types"
# >>> tags: subgroup error
# >>> no-validate
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    out[lid.x] = subgroup_shuffle(-1i, 0)
  }
}
