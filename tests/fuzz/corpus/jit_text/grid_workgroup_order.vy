# Workgroups run one after another, z outer, then y, then x inner, and
# lanes within one in linear order (vyre-ir.md §4.6). Every invocation
# appends its id to a trace through an atomic counter; the last plain store to
# last[0] is the last invocation of the last workgroup (1,1) lane (1,1).
# Workgroup (2,2,1), 16 elements -> grid [2,2,1].
# Trace entry = wgid.y*1000 + wgid.x*100 + lid.y*10 + lid.x, in execution order.
# >>> input trace = zeros:16
# >>> input n = 0
# >>> expect out = 1111
# >>> expect trace = 0 1 10 11 100 101 110 111 1000 1001 1010 1011 1100 1101 1110 1111
# >>> expect n = 16
# >>> tags: grid race
# >>> race
program workgroup(2, 2) {
  buffer out: u32 read_write @0 count(1) output
  buffer trace: u32 read_write @1 count(16)
  buffer n: u32 read_write @2 count(1)
  region vyre.program.root {
    let id = wgid.y * 1000 + wgid.x * 100 + lid.y * 10 + lid.x
    let slot = atomic_add(n[0], 1)
    trace[slot] = id
    out[0] = id
  }
}
