# A lane that finished normally has popped its scopes, so its locals are
# gone when a later subgroup op evaluates the argument for it (vyre-ir.md
# §4.7: every lane of the subgroup takes part; hashmap/state.rs pop_scope).
# Lane 1 stores in round 5 (sum 3), pops the region body in round 6 and the
# entry in round 7; lane 0, delayed by four statements, evaluates
# subgroup_add(v) in round 9, where lane 1 has no `v` any more. (A lane that
# *returned* keeps its locals: see returned_lanes.vy.)
# >>> expect-error VY_E_RUNTIME "reference to undeclared variable `v`"
# >>> tags: subgroup race error
# >>> race
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let v = lid.x + 1
    if lid.x == 0 {
      let a = 0
      let b = 0
      let c = 0
      let d = 0
    }
    out[lid.x] = subgroup_add(v)
  }
}
