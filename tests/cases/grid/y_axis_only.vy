# Only the y axis is active (workgroup (1,4,1)): it gets base = total_wg,
# x and z stay 1 (vyre-ir.md §4.4). 10 elements -> 3 workgroups -> grid
# [1,3,1]: gid.x is always 0, gid.y runs 0..11.
# >>> input n = 0,0,0
# >>> expect out = 0 1 2 3 4 5 6 7 8 9
# >>> expect n = 12 11 0
# >>> tags: grid atomics
program workgroup(1, 4) {
  buffer out: u32 read_write @0 count(10) output
  buffer n: u32 read_write @1 count(3)
  region vyre.program.root {
    let c0 = atomic_add(n[0], 1)
    let c1 = atomic_max(n[1], gid.y)
    let c2 = atomic_max(n[2], gid.x)
    if gid.y < len(out) {
      out[gid.y] = lid.y + 4 * wgid.y
    }
  }
}
