# Select picks by the truthiness of its condition (vyre-ir.md §3.5): u32
# non-zero, Bool; works for any value type (u32 and f32 here).
# lane i: out[i] = select(c[i], 10 + i, 20 + i); f[i] = select(c[i] > 1, 1.5, -2.5)
# >>> input c = 0,1,2,3
# >>> expect out = 20 11 12 13
# >>> expect f = -2.5 -2.5 1.5 1.5
# >>> tags: select
program workgroup(4) {
  buffer c: u32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output
  buffer f: f32 read_write @2 count(4) live_out
  region vyre.program.root {
    let i = lid.x
    out[i] = select(c[i], 10 + i, 20 + i)
    f[i] = select(c[i] > 1, 1.5, -2.5)
  }
}
