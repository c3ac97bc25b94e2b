# Popping an exhausted scoped statement list costs a step (node_step.rs
# step_nodes_frame returns Ok(scoped); vyre-ir.md §4.6 calls it free). Two
# lanes, each then stores its id into out[0]:
#   lane 0 takes [block { let a }]: rounds 3 block, 4 let, 5 pop block,
#          6 pop then-list, 7 store 0
#   lane 1 takes [let a, let b]: rounds 3 let a, 4 let b, 5 pop else-list,
#          6 store 1
# so lane 0 stores last and out[0] = 0. With free pops both would store in
# round 5, lane 1 last (out[0] = 1).
# >>> expect out = 0 0
# >>> tags: race scope
# >>> race
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    if lid.x == 0 {
      block {
        let a = 1
      }
    } else {
      let a = 1
      let b = 2
    }
    out[0] = lid.x
  }
}
