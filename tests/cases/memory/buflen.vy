# BufLen is the element count of the *bound* buffer (vyre-ir.md §4.2):
# byte length / stride, or the byte length when the stride is 0 (Bytes).
# a: declared 2, bound with 5 u32 -> 5; w: 3 u64 (24 bytes) -> 3;
# h: 3 u16 -> 3; blob: 7 bytes -> 7; out itself: 6.
# >>> input a = 1,2,3,4,5
# >>> input w = 1,2,3
# >>> input h = 0100 0200 0300
# >>> input blob = 01020304050607
# >>> expect out = 5 3 3 7 6 0
# >>> tags: memory buflen
program {
  buffer a: u32 read @0 count(2)
  buffer w: u64 read @1 count(3)
  buffer h: u16 read @2
  buffer blob: bytes read @3
  buffer out: u32 read_write @4 count(6) output
  region vyre.program.root {
    if gid.x == 0 {
      out[0] = len(a)
      out[1] = len(w)
      out[2] = len(h)
      out[3] = len(blob)
      out[4] = len(out)
    }
  }
}
