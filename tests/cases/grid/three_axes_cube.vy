# total_wg 64 on three axes: pow(64, 1/3) in binary64 is 3.9999999999999996
# and its ceiling 4 (vyre-ir.md §4.4: C pow, as Rust's f64::powf). Workgroup
# (2,2,2), 512 elements -> 64 workgroups -> grid [4,4,4]: 512 invocations,
# max wgid.x = max wgid.y = max wgid.z = 3.
# >>> input n = 0,0,0,0
# >>> expect out = const:512:1
# >>> expect n = 512 3 3 3
# >>> tags: grid atomics
program workgroup(2, 2, 2) {
  buffer out: u32 read_write @0 count(512) output
  buffer n: u32 read_write @1 count(4)
  region vyre.program.root {
    let c0 = atomic_add(n[0], 1)
    let c1 = atomic_max(n[1], wgid.x)
    let c2 = atomic_max(n[2], wgid.y)
    let c3 = atomic_max(n[3], wgid.z)
    out[(gid.z * 8 + gid.y) * 8 + gid.x] = 1
  }
}
