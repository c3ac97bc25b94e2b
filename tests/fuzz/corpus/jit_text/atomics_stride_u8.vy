# On a u8 buffer the atomic stride is max(1, 4) = 4 bytes (vyre-ir.md
# §4.5): element 1 is the word at bytes 4..8, read little-endian.
# bytes 04 05 06 07 = 0x07060504 = 117835012; add 0x01010101 -> 05 06 07 08.
# Element 2 (bytes 8..12) is out of range for a 10-byte buffer: returns 0.
# >>> input b = 00 01 02 03 04 05 06 07 08 09
# >>> expect old = 117835012 0
# >>> expect b = 00 01 02 03 05 06 07 08 08 09
# >>> tags: atomics
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(2) output
  buffer b: u8 read_write @1
  region vyre.program.root {
    if gid.x == 0 {
      old[0] = atomic_add(b[1], 0x01010101)
      old[1] = atomic_add(b[2], 1)
    }
  }
}
