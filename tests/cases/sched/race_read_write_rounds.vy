# A read in a round sees every write of earlier rounds and of earlier lanes
# in the same round (vyre-ir.md §4.6). Two lanes, buf starts 0 0:
#   round 2: lane 0 t = buf[1] = 0, lane 1 t = buf[0] = 0
#   round 3: lane 0 buf[0] = 0 + 1, lane 1 buf[1] = 0 + 2
#   round 4: lane 0 seen[0] = buf[1] = 2; lane 1 buf[0] = 50
#   round 5: lane 1 seen[1] = buf[0] = 50
# (lane 1 has one more statement, inside its else branch).
# >>> input buf = 0,0
# >>> expect buf = 50 2
# >>> expect seen = 2 50
# >>> tags: race
# >>> race
program workgroup(2) {
  buffer buf: u32 read_write @0 count(2)
  buffer seen: u32 read_write @1 count(2) output
  region vyre.program.root {
    let t = buf[1 - lid.x]
    buf[lid.x] = t + lid.x + 1
    if lid.x == 1 {
      buf[0] = 50
    }
    seen[lid.x] = buf[1 - lid.x]
  }
}
