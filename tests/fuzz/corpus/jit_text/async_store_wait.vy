# AsyncStore reads `size` bytes of the source from byte 0 when issued and
# writes them to the destination at byte `offset` at the wait (vyre-ir.md
# §2.1): the source changes in between do not matter.
# src = 1 2 3; issue 8 bytes (1 2); src[0] = 77; wait: dst at byte 4 ->
# 9 1 2 9.
# >>> input src = 1,2,3
# >>> input dst = 9,9,9,9
# >>> expect src = 77 2 3
# >>> expect dst = 9 1 2 9
# >>> tags: async
program {
  buffer src: u32 read_write @0 count(3)
  buffer dst: u32 read_write @1 count(4)
  region vyre.program.root {
    if gid.x == 0 {
      async_store(src, dst, 4, 8, t)
      src[0] = 77
      async_wait(t)
    }
  }
}
