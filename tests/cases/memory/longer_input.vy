# An input may be longer than count * stride; the extra elements are kept
# and in range (vyre-ir.md §4.2, §8.17). a is declared with 2 elements and
# bound with 4: a[3] loads 40 (not the out-of-range zero), a[4] is 0.
# >>> input a = 10,20,30,40
# >>> expect out = 40 0
# >>> tags: memory binding
program {
  buffer a: u32 read @0 count(2)
  buffer out: u32 read_write @1 count(2) output
  region vyre.program.root {
    if gid.x == 0 {
      out[0] = a[3]
      out[1] = a[4]
    }
  }
}
