# An input shorter than count * stride is refused (vyre-ir.md §4.2).
# a needs 3 * 4 = 12 bytes and gets 8.
# >>> input a = 1,2
# >>> expect-error VY_E_RUNTIME "requires at least 12 bytes"
# >>> tags: memory binding error
program {
  buffer a: u32 read @0 count(3)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    out[0] = a[0]
  }
}
