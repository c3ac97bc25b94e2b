# The same program as uniform_check_finished_lane.vy with one statement less
# of delay: lane 0 evaluates the barrier If in round 7, when lane 1 (which
# recorded false in round 4) has not finished yet, so the records conflict
# (vyre-ir.md §4.6).
# >>> expect-error VY_E_RUNTIME "Barrier appears inside an If whose condition differs"
# >>> tags: barrier race error
# >>> race
# >>> no-validate
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    if lid.x == 0 {
      let a = 0
      let b = 0
      let c = 0
    }
    if lid.x == 0 {
      barrier
    }
    out[lid.x] = lid.x + 1
  }
}
