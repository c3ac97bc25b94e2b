# Three active axes (vyre-ir.md §4.4): workgroup (2,2,2), 20 elements:
# per_wg 8, total_wg 3, base = ceil(pow(3, 1/3)) = ceil(1.442) = 2 -> grid
# [2,2,2]: 8 workgroups, 64 invocations; max gid.z = 3, max wgid.z = 1.
# >>> input n = 0,0,0
# >>> expect out = const:20:7
# >>> expect n = 64 3 1
# >>> tags: grid atomics
program workgroup(2, 2, 2) {
  buffer out: u32 read_write @0 count(20) output
  buffer n: u32 read_write @1 count(3)
  region vyre.program.root {
    let c0 = atomic_add(n[0], 1)
    let c1 = atomic_max(n[1], gid.z)
    let c2 = atomic_max(n[2], wgid.z)
    let linear = (gid.z * 4 + gid.y) * 4 + gid.x
    if linear < len(out) {
      out[linear] = 7
    }
  }
}
