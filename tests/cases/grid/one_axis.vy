# The grid comes from buffer sizes (vyre-ir.md §4.4): the largest returned
# buffer has 10 elements, workgroup (4,1,1) -> ceil(10/4) = 3 workgroups, 12
# invocations; lanes 10 and 11 fail the guard. The counters are atomics so
# every invocation is counted: n[0] = 12 invocations, n[1] = max gid.x = 11,
# n[2] = max wgid.x = 2.
# >>> input n = 0,0,0
# >>> expect out = 0 2 4 6 8 10 12 14 16 18
# >>> expect n = 12 11 2
# >>> tags: grid atomics
program workgroup(4) {
  buffer out: u32 read_write @0 count(10) output
  buffer n: u32 read_write @1 count(3)
  region vyre.program.root {
    let g = gid.x
    let c0 = atomic_add(n[0], 1)
    let c1 = atomic_max(n[1], g)
    let c2 = atomic_max(n[2], wgid.x)
    if g < len(out) {
      out[g] = g * 2
    }
  }
}
