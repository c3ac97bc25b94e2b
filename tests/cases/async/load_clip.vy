# The copy into the destination is clipped to its length (vyre-ir.md §2.1):
# 16 bytes into an 8-byte destination keep the first 8.
# >>> input src = 1,2,3,4
# >>> input dst = 9,9
# >>> expect dst = 1 2
# >>> tags: async
program {
  buffer src: u32 read @0 count(4)
  buffer dst: u32 read_write @1 count(2)
  region vyre.program.root {
    if gid.x == 0 {
      async_load(src, dst, 0, 16, t)
      async_wait(t)
    }
  }
}
