# A Bytes value stored into a u32 buffer writes its little-endian bytes,
# zero-padded to the stride (vyre-ir.md §4.3): a u16 load gives Bytes(2),
# so h = 01 02 stores 0x00000201 = 513.
# >>> input h = 0102,ffff
# >>> expect out = 513 65535
# >>> tags: memory store
# >>> no-validate
program workgroup(2) {
  buffer h: u16 read @0 count(2)
  buffer out: u32 read_write @1 count(2) output
  region vyre.program.root {
    out[lid.x] = h[lid.x]
  }
}
