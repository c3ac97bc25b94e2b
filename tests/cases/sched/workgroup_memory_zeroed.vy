# Workgroup memory is zero at the start of every workgroup and private to it
# (vyre-ir.md §4.2): each lane reads its slot (0), then writes 99 + gid.
# Three workgroups of 2; without re-zeroing the later ones would read 99+.
# first[gid] = the value read; the second half of stage is never written.
# >>> expect first = 0 0 0 0 0 0
# >>> tags: workgroup
program workgroup(2) {
  buffer stage: u32 workgroup count(4)
  buffer first: u32 read_write @0 count(6) output
  region vyre.program.root {
    first[gid.x] = stage[lid.x] + stage[lid.x + 2]
    stage[lid.x] = 99 + gid.x
  }
}
