# Legacy binding (vyre-ir.md §4.2): when the number of inputs equals the
# number of non-workgroup buffers, one input is consumed per buffer and the
# ones given for backend-allocated outputs are ignored (they start zeroed).
# Buffers: a (input), stage (workgroup: no input), out (output),
# rw (plain read_write: takes its input), res (live_out read_write:
# backend-allocated). Four inputs for the four non-workgroup buffers.
# out[0] = a[0] + out[0] (0, not 77) = 5; rw[0] = rw[0] + 1 = 101;
# res[0] = res[0] + 2 = 2 (not 55 + 2).
# >>> input a = 5
# >>> input out = 77
# >>> input rw = 100
# >>> input res = 55
# >>> expect out = 5
# >>> expect rw = 101
# >>> expect res = 2
# >>> tags: memory binding legacy
program {
  buffer a: u32 read @0 count(1)
  buffer stage: u32 workgroup count(4)
  buffer out: u32 read_write @1 count(1) output
  buffer rw: u32 read_write @2 count(1)
  buffer res: u32 read_write @3 count(1) live_out
  region vyre.program.root {
    out[0] = a[0] + out[0]
    rw[0] = rw[0] + 1
    res[0] = res[0] + 2
  }
}
