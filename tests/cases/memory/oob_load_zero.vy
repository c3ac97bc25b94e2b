# A load past the end gives the zero of the element type (vyre-ir.md §4.3):
# u32 0, i32 0, f32 0.0, u64 0, and a Bool buffer 0 (it loads as u32).
# Lane i reads element i + 2 of 3-element buffers: lane 0 is in range.
# >>> input a = 1,2,3
# >>> input s = -1,-2,-3
# >>> input f = 1.5,2.5,3.5
# >>> input w = 7,8,9
# >>> input b = 1,1,1
# >>> expect out = 3 0 0
# >>> expect so = -3 0 0
# >>> expect fo = 3.5 0 0
# >>> expect wo = 9 0 0
# >>> expect bo = 1 0 0
# >>> tags: memory oob
program workgroup(3) {
  buffer a: u32 read @0 count(3)
  buffer s: i32 read @1 count(3)
  buffer f: f32 read @2 count(3)
  buffer w: u64 read @3 count(3)
  buffer b: bool read @4 count(3)
  buffer out: u32 read_write @5 count(3) output
  buffer so: i32 read_write @6 count(3) live_out
  buffer fo: f32 read_write @7 count(3) live_out
  buffer wo: u64 read_write @8 count(3) live_out
  buffer bo: u32 read_write @9 count(3) live_out
  region vyre.program.root {
    let i = lid.x
    out[i] = a[i + 2]
    so[i] = s[i + 2]
    fo[i] = f[i + 2]
    wo[i] = w[i + 2]
    bo[i] = b[i + 2]
  }
}
