# AsyncLoad reads `size` bytes of the source from byte `offset` when it is
# issued; the matching AsyncWait copies them to the destination at byte 0
# (vyre-ir.md §2.1). Before the wait the destination is unchanged.
# src = 1 2 3 4; load bytes 4..12 (= 2 3) into dst = 9 9 9 -> 2 3 9.
# Three returned elements give three invocations; only invocation 0 acts.
# >>> input src = 1,2,3,4
# >>> input dst = 9,9,9
# >>> expect dst = 2 3 9
# >>> expect before = 9
# >>> tags: async
program {
  buffer src: u32 read @0 count(4)
  buffer dst: u32 read_write @1 count(3)
  buffer before: u32 read_write @2 count(1) output
  region vyre.program.root {
    if gid.x == 0 {
      async_load(src, dst, 4, 8, "copy")
      before[0] = dst[0]
      async_wait("copy")
    }
  }
}
