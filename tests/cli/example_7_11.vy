# The worked example of vyre-ir.md §7.11:
# wrapped([read("a",0,U32).count(4), output("out",1,U32).count(4)], [64,1,1],
#         [let idx = gid.x; if idx < buflen(out) { out[idx] = a[idx] + 1u }])
# Its buffers are already in canonical order and its only literal is on the
# right, so its plain wire encoding is its canonical encoding.
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
