# Two active axes (vyre-ir.md §4.4): workgroup (2,2,1), 17 output elements:
# per_wg 4, total_wg ceil(17/4) = 5, base = ceil(pow(5, 1/2)) = ceil(2.236)
# = 3 -> grid [3,3,1]: 9 workgroups, 36 invocations, over-covering the data.
# n = [invocations 36, max wgid.x 2, max wgid.y 2, max gid.y 5, max gid.x 5]
# >>> input n = 0,0,0,0,0
# >>> expect out = const:17:1
# >>> expect n = 36 2 2 5 5
# >>> tags: grid atomics
program workgroup(2, 2) {
  buffer out: u32 read_write @0 count(17) output
  buffer n: u32 read_write @1 count(5)
  region vyre.program.root {
    let c0 = atomic_add(n[0], 1)
    let c1 = atomic_max(n[1], wgid.x)
    let c2 = atomic_max(n[2], wgid.y)
    let c3 = atomic_max(n[3], gid.y)
    let c4 = atomic_max(n[4], gid.x)
    let linear = gid.y * 6 + gid.x
    if linear < len(out) {
      out[linear] = 1
    }
  }
}
