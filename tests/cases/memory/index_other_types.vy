# Index values go through try_as_u32 (vyre-ir.md §3.1): an i32 >= 0, a u64
# that fits, a Bool (0/1), a finite float in range (truncated: 2.7 -> 2) and
# 2-byte Bytes (little-endian) are all valid indices. The validator does not
# check Load/Store index types (§5.3).
# out[0] = a[i32 3] = 40, out[1] = a[u64 1] = 20, out[2] = a[true] = 20,
# out[3] = a[2.7] = 30, out[4] = a[bytes 00 00] = 10
# >>> input a = 10,20,30,40
# >>> input s = 3
# >>> input w = 1
# >>> input f = 2.7
# >>> input h = 0000
# >>> expect out = 40 20 20 30 10
# >>> tags: memory index
program {
  buffer a: u32 read @0 count(4)
  buffer s: i32 read @1 count(1)
  buffer w: u64 read @2 count(1)
  buffer f: f32 read @3 count(1)
  buffer h: u16 read @4 count(1)
  buffer out: u32 read_write @5 count(5) output
  region vyre.program.root {
    if gid.x == 0 {
      out[0] = a[s[0]]
      out[1] = a[w[0]]
      out[2] = a[1 == 1]
      out[3] = a[f[0]]
      out[4] = a[h[0]]
    }
  }
}
