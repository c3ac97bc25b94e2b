# Truthiness of the other runtime types (vyre-ir.md §3.1): a float is true
# when != 0.0, so -0.0 is false and NaN true; an i32 that does not fit u32
# (negative) counts as true; a u64 above u32::MAX counts as true.
# The validator accepts only u32/Bool conditions, so validation is off.
# Lane i: f32 cond -> f[i], i32 cond -> s[i], u64 cond -> w[i]; each sets
# bit 0/1/2 of out[i] when true.
# f: -0, nan, 0.5, 0      -> true for lanes 1, 2
# s: 0, -1, 5, 0          -> true for lanes 1, 2
# w: 0, 2^32, 1, 2^64-1   -> true for lanes 1, 2, 3
# >>> input f = -0.0,nan,0.5,0
# >>> input s = 0,-1,5,0
# >>> input w = 0,4294967296,1,18446744073709551615
# >>> expect out = 0 7 7 4
# >>> tags: node if truthiness
# >>> no-validate
program workgroup(4) {
  buffer f: f32 read @0 count(4)
  buffer s: i32 read @1 count(4)
  buffer w: u64 read @2 count(4)
  buffer out: u32 read_write @3 count(4) output
  region vyre.program.root {
    let i = lid.x
    let r = 0
    if f[i] {
      r = r | 1
    }
    if s[i] {
      r = r | 2
    }
    if w[i] {
      r = r | 4
    }
    out[i] = r
  }
}
