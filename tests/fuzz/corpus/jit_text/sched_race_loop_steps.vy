# Loop steps (vyre-ir.md §4.6, node_step.rs): evaluating the header, starting
# each iteration, popping each iteration's body list and ending the loop are
# one step each. Lane 0 loops twice over an empty body, lane 1 once, then
# both store their id into out[0]:
#   lane 0: 3 loop header, 4 start i=0, 5 pop body, 6 start i=1, 7 pop body,
#           8 end loop, 9 store 0
#   lane 1: 3 header, 4 start, 5 pop, 6 end, 7 store 1
# -> lane 0 stores last: out[0] = 0.
# >>> expect out = 0 0
# >>> tags: race loop
# >>> race
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let n = 2 - lid.x
    loop i in 0..n {
    }
    out[0] = lid.x
  }
}
