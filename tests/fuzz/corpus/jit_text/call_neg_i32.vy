# An i32 host result decodes as i32 (vyre-ir.md §2.4): corpus.neg_i32(x) =
# -x wrapping (MIN stays MIN).
# >>> input x = 5,-7,0,-2147483648
# >>> expect out = -5 7 0 -2147483648
# >>> host
# >>> tags: call
# >>> no-validate
program workgroup(4) {
  buffer x: i32 read @0 count(4)
  buffer out: i32 read_write @1 count(4) output
  region vyre.program.root {
    out[lid.x] = call corpus.neg_i32(x[lid.x])
  }
}
