# Indices `id * m + u` with m and u the same for every invocation (llvm-cpu
# checks their largest value once per workgroup and then loads without a
# check; lower.c index_pattern, lower_cpu.c emit_region). u32 arithmetic
# wraps before the bounds rule applies (vyre-ir.md §3.2, §4.3):
#   in:   gid * 2 + 1        -> 1 3 5 7, all in range: 11 13 15 17
#   edge: gid * 3 + 1        -> 1 4 7 10; 10 is past the 8 elements: 0
#   wrap: gid * 2^31 + 2     -> 2, 2^31 + 2, 2^32 + 2 = 2 (wrapped), 2^31 + 2:
#         12 0 12 0
#   swap: 2 * gid (m first)  -> 0 2 4 6: 10 12 14 16
# >>> input src = 10,11,12,13,14,15,16,17
# >>> expect in = 11 13 15 17
# >>> expect edge = 11 14 17 0
# >>> expect wrap = 12 0 12 0
# >>> expect swap = 10 12 14 16
# >>> tags: memory bounds
program workgroup(4) {
  buffer src: u32 read @0 count(8)
  buffer in: u32 read_write @1 count(4) output
  buffer edge: u32 read_write @2 count(4) live_out
  buffer wrap: u32 read_write @3 count(4) live_out
  buffer swap: u32 read_write @4 count(4) live_out
  region vyre.program.root {
    let i = gid.x
    let m = len(src) * 268435456
    in[i] = src[i * 2 + 1]
    edge[i] = src[i * 3 + 1]
    wrap[i] = src[i * m + 2]
    swap[i] = src[2 * i]
  }
}
