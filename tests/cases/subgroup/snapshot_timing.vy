# Subgroup arguments are evaluated per lane from locals snapshotted at the
# start of each round (vyre-ir.md §4.7), and popping an exhausted branch
# list is a step of its own (node_step.rs step_nodes_frame returns
# Ok(scoped); §4.6 says it is free, the code decides). Two lanes:
#   round 1 region, 2 `let v` (v0 = 1, v1 = 2), 3 If: lane 0 takes
#   [v = 10, v = 20], lane 1 an empty else.
#   round 4: lane 0 v = 10; lane 1 pops its else list.
#   round 5: lane 0 v = 20; lane 1 stores subgroup_add(v) from the round-5
#            snapshot: v0 = 10, v1 = 2 -> out[1] = 12.
#   round 6: lane 0 pops its then list; lane 1 `let p1`.
#   round 7: lane 0 stores from the round-7 snapshot: v0 = 20, v1 = 2 -> 22;
#            lane 1 `let p2` (the pads keep lane 1's v bound meanwhile).
# With free pops lane 1 would store in round 4 and see v0 = 1 (out[1] = 3).
# >>> expect out = 22 12
# >>> tags: subgroup race
# >>> race
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let v = lid.x + 1
    if lid.x == 0 {
      v = 10
      v = 20
    }
    out[lid.x] = subgroup_add(v)
    let p1 = 0
    let p2 = 0
  }
}
