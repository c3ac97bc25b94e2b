# With no workgroup axis larger than 1 the grid is [total_wg, 1, 1]
# (vyre-ir.md §4.4): 5 output elements -> 5 workgroups of one invocation.
# >>> input n = 0,0
# >>> expect out = 1 2 3 4 5
# >>> expect n = 5 4
# >>> tags: grid atomics
program {
  buffer out: u32 read_write @0 count(5) output
  buffer n: u32 read_write @1 count(2)
  region vyre.program.root {
    let c0 = atomic_add(n[0], 1)
    let c1 = atomic_max(n[1], wgid.x)
    out[gid.x] = wgid.x + 1
  }
}
