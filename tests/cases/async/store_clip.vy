# An AsyncStore that runs past the destination's end is clipped, and one
# that starts at or past it writes nothing (vyre-ir.md §2.1).
# dst = 9 9 9: 8 bytes at byte 8 -> only dst[2] = 1; 4 bytes at byte 12 ->
# nothing.
# >>> input src = 1,2
# >>> input dst = 9,9,9
# >>> expect dst = 9 9 1
# >>> tags: async
program {
  buffer src: u32 read @0 count(2)
  buffer dst: u32 read_write @1 count(3)
  region vyre.program.root {
    if gid.x == 0 {
      async_store(src, dst, 8, 8, a)
      async_wait(a)
      async_store(src, dst, 12, 4, b)
      async_wait(b)
    }
  }
}
