# A vec2<u32> element loads as 8 raw bytes and stores back unchanged
# (vyre-ir.md §1.1, §4.3); out-of-range loads give 8 zero bytes.
# out[i] = v[i + 1] for i in 0..2: v[1], then the zero value.
# >>> input v = 0100000002000000 0300000004000000
# >>> expect out = 0300000004000000 0000000000000000
# >>> tags: memory vec
program workgroup(2) {
  buffer v: vec2<u32> read @0 count(2)
  buffer out: vec2<u32> read_write @1 count(2) output
  region vyre.program.root {
    out[lid.x] = v[lid.x + 1]
  }
}
