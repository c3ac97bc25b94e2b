# Uniformity records are compared only among live invocations (vyre-ir.md
# §4.6, sync.rs verify_uniform_control_flow filters done lanes). Lane 0 is
# delayed by four statements, so lane 1 evaluates the barrier If (false) and
# finishes before lane 0 evaluates it (true): no conflict is ever seen.
#   round 2: first If (lane 0 -> 4 lets, lane 1 -> empty else)
#   lane 1: 3 pop else, 4 second If (false), 5 pop else, 6 store, 7 pop the
#           region body, 8 pop the entry -> done
#   lane 0: 3-6 lets, 7 pop then, 8 second If (true) -> checked after round
#           8, when lane 1 is done; 9 barrier (all live lanes wait: released)
# With three lets the second If comes in round 7 while lane 1 is still live:
# see uniform_check_live_lane_error.vy. Validation (V010) is off.
# >>> expect out = 1 2
# >>> tags: barrier race
# >>> race
# >>> no-validate
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    if lid.x == 0 {
      let a = 0
      let b = 0
      let c = 0
      let d = 0
    }
    if lid.x == 0 {
      barrier
    }
    out[lid.x] = lid.x + 1
  }
}
