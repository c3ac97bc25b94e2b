# Bytes past the end of the source read as zeros (vyre-ir.md §2.1): bytes
# 8..20 of a 16-byte source are 3, 4, then four zero bytes.
# >>> input src = 1,2,3,4
# >>> input dst = 9,9,9
# >>> expect dst = 3 4 0
# >>> tags: async
program {
  buffer src: u32 read @0 count(4)
  buffer dst: u32 read_write @1 count(3)
  region vyre.program.root {
    if gid.x == 0 {
      async_load(src, dst, 8, 12, t)
      async_wait(t)
    }
  }
}
