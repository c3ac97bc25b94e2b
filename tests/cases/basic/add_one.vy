# The worked example of vyre-ir.md §7.11: out[i] = a[i] + 1 with u32
# wrap-around; one workgroup of 64 over 4 elements, lanes 4..63 skip.
# >>> input a = 10,20,30,4294967295
# >>> expect out = 11 21 31 0
program workgroup(64) {
  buffer a: u32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output live_out
  region vyre.program.root {
    let idx = gid.x
    if idx < len(out) {
      out[idx] = a[idx] + 1
    }
  }
}
