# u32 index arithmetic wraps (vyre-ir.md §3.3): lid + 4294967295 is
# lid - 1, so lane 0 reads out of range (0) and lane k > 0 reads a[k - 1].
# A backend that widens the index to 64 bits before adding would read
# a[k + 2^32 - 1], out of range, and give zeros.
# >>> input a = 5,6,7,8
# >>> expect out = 0 5 6 7
# >>> tags: hostile memory
program workgroup(4) {
  buffer a: u32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output
  region vyre.program.root {
    out[lid.x] = a[lid.x + 4294967295]
  }
}
