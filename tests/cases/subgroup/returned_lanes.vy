# Lanes that returned still take part in subgroup ops with the locals they
# had (vyre-ir.md §4.7): lane 3 returns, the others sum v over all 4 lanes
# = 1 + 2 + 3 + 4 = 10. Return keeps the locals (frames are cleared, scopes
# are not popped). Lane 3's out stays 0.
# Rounds: 1 region, 2 let v, 3 If (lane 3 -> [return]), 4 lane 3 returns /
# others pop their empty else, 5 the others store.
# >>> expect out = 10 10 10 0
# >>> tags: subgroup race
# >>> race
program workgroup(4) {
  buffer out: u32 read_write @0 count(4) output
  region vyre.program.root {
    let v = lid.x + 1
    if lid.x == 3 {
      return
    }
    out[lid.x] = subgroup_add(v)
  }
}
