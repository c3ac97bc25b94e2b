# Invocation, workgroup and local ids (vyre-ir.md §4.4): global = wgid *
# size + local per axis. Workgroup (2,2,1), 16 elements -> 4 workgroups ->
# grid [2,2,1]; each invocation writes wgid.x, wgid.y, lid.x, lid.y as
# decimal digits at index gid.y * 4 + gid.x (gid.x = 2 * wgid.x + lid.x).
# >>> expect out = 0 1 100 101 10 11 110 111 1000 1001 1100 1101 1010 1011 1110 1111
# >>> tags: grid ids
program workgroup(2, 2) {
  buffer out: u32 read_write @0 count(16) output
  region vyre.program.root {
    out[gid.y * 4 + gid.x] = wgid.y * 1000 + wgid.x * 100 + lid.y * 10 + lid.x
  }
}
