# A u64 or float value stored into a 4-byte element keeps the low 4 bytes
# of its little-endian form (vyre-ir.md §4.3): u64 0x1122334455667788 ->
# 0x55667788 = 1432778632; a float keeps the low word of its f64 bits
# (-2.5 = 0xc004000000000000 -> 0) in an i32 buffer.
# >>> input w = 1234605616436508552
# >>> expect out = 1432778632
# >>> expect s = 0
# >>> tags: memory store
# >>> no-validate
program {
  buffer w: u64 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  buffer s: i32 read_write @2 count(1) live_out
  region vyre.program.root {
    out[0] = w[0]
    s[0] = -2.5
  }
}
