# A Call reaches a host op through the registry (vyre-ir.md §2.4; host.h):
# corpus.add_u32 is u32(u32, u32) = a + b (wrapping in C). The case's `host`
# directive installs the corpus registry (tests/support/cases.c).
# >>> input a = 1,2,4294967295
# >>> input b = 10,20,2
# >>> expect out = 11 22 1
# >>> host
# >>> tags: call
program workgroup(3) {
  buffer a: u32 read @0 count(3)
  buffer b: u32 read @1 count(3)
  buffer out: u32 read_write @2 count(3) output
  region vyre.program.root {
    out[lid.x] = call corpus.add_u32(a[lid.x], b[lid.x])
  }
}
