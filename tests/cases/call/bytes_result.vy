# A host result of a type other than u32/i32/f32 decodes as Bytes of its
# little-endian width (vyre-ir.md §2.4): corpus.pair_u64(a) = a << 32 | a
# comes back as 8 bytes and a store into a u64 buffer writes them.
# a = 1 -> 0x0000000100000001 = 4294967297; a = 0xffffffff -> 2^64 - 1.
# >>> input a = 1,4294967295
# >>> expect out = 4294967297 18446744073709551615
# >>> host
# >>> tags: call
# >>> no-validate
program workgroup(2) {
  buffer a: u32 read @0 count(2)
  buffer out: u64 read_write @1 count(2) output
  region vyre.program.root {
    out[lid.x] = call corpus.pair_u64(a[lid.x])
  }
}
