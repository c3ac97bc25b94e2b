# Bytes buffers are byte-addressed (vyre-ir.md §4.3): Load(i) is every byte
# from offset i to the end; Store(i, v) writes v's little-endian bytes at
# offset i, clipped to the end, and nothing at i >= len.
# blob = 00 00 00 00 00 00 (6 bytes).
#   blob[1] = 0x04030201      -> 00 01 02 03 04 00
#   blob[4] = 0xAABBCCDD      -> clipped: 00 01 02 03 dd cc
#   blob[6] = 7               -> dropped (6 >= len)
#   tail[0] = blob[3]         -> the 3-byte tail 03 dd cc, stored into a
#                                4-byte tail buffer: 03 dd cc ff stays ff
# bytes_extraction allows Load/Store on Bytes (V013).
# >>> input blob = 000000000000
# >>> input tail = ffffffff
# >>> expect blob = 00 01 02 03 dd cc
# >>> expect tail = 03 dd cc ff
# >>> tags: memory bytes
program {
  buffer blob: bytes read_write @0 bytes_extraction
  buffer tail: bytes read_write @1 bytes_extraction
  region vyre.program.root {
    if gid.x == 0 {
      blob[1] = 0x04030201
      blob[4] = 0xAABBCCDD
      blob[6] = 7
      tail[0] = blob[3]
    }
  }
}
