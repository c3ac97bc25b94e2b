# Indices `id * m + u` all in range for the workgroup (see scaled_index.vy):
# llvm-cpu runs the region's unchecked copy, computing each index as
# id * m + u in 64 bits. Workgroup 4, grid 8 (two workgroups), src 32 words
# src[j] = j; m = len(a) - 4 = 4, and a name bound to a product:
#   a: gid * 4 + 3      -> 3 7 11 15 19 23 27 31
#   b: lid * 4 + wgid   -> (rn = lid * m) + wgid: 0 4 8 12 | 1 5 9 13
# >>> input src = seq:32
# >>> expect a = 3 7 11 15 19 23 27 31
# >>> expect b = 0 4 8 12 1 5 9 13
# >>> tags: memory bounds
program workgroup(4) {
  buffer src: u32 read @0 count(32)
  buffer a: u32 read_write @1 count(8) output
  buffer b: u32 read_write @2 count(8) live_out
  region vyre.program.root {
    let i = gid.x
    let m = len(a) - 4
    let rn = lid.x * m
    a[i] = src[i * m + 3]
    b[i] = src[rn + wgid.x]
  }
}
