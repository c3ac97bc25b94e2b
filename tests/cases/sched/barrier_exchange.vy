# A barrier makes every lane's workgroup-memory write visible before any
# lane reads past it (vyre-ir.md §4.6). Two workgroups of 4: each lane
# stores its input into stage[lid], then reads its right neighbour's.
# >>> input x = 10,11,12,13,20,21,22,23
# >>> expect out = 11 12 13 10 21 22 23 20
# >>> tags: barrier workgroup
program workgroup(4) {
  buffer x: u32 read @0 count(8)
  buffer stage: u32 workgroup count(4)
  buffer out: u32 read_write @1 count(8) output
  region vyre.program.root {
    stage[lid.x] = x[gid.x]
    barrier
    out[gid.x] = stage[(lid.x + 1) % 4]
  }
}
