# An expression 58 additions deep, near the wire decoder's 64-level limit:
# lane i stores i + 58.
# >>> expect out = 58 59 60 61
# >>> tags: hostile expression
program workgroup(4) {
  buffer out: u32 read_write @0 count(4) output
  region vyre.program.root {
    out[lid.x] = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((lid.x + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1)
  }
}
