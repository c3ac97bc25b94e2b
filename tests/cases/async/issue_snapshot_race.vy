# The async payload is read at issue time: lane 1 overwrites buf[0] in the
# same round, after lane 0 issued the load, so the copy still has the old
# value (vyre-ir.md §2.1, §4.6). Rounds: 1 region, 2 If, 3 lane 0 issues /
# lane 1 stores 100, 4 lane 0 waits.
# >>> input buf = 1,2
# >>> expect buf = 100 2
# >>> expect got = 1 2
# >>> tags: async race
# >>> race
program workgroup(2) {
  buffer buf: u32 read_write @0 count(2)
  buffer got: u32 read_write @1 count(2) output
  region vyre.program.root {
    if lid.x == 0 {
      async_load(buf, got, 0, 8, t)
      async_wait(t)
    } else {
      buf[0] = 100
    }
  }
}
