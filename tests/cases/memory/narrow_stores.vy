# A store writes the value's little-endian bytes truncated or zero-padded to
# the element stride (vyre-ir.md §4.3): u32 300 into a u8 buffer keeps 0x2c;
# u32 0x12345678 into a u16 buffer keeps 78 56; i32 -1 into a u64 buffer is
# zero-extended to 00000000ffffffff (not sign-extended); Bool true into u16
# gives 01 00. The validator wants matching store types: validation off.
# >>> input b = 0000
# >>> input h = 00000000
# >>> input w = 0
# >>> expect b = 2c 00
# >>> expect h = 7856 0100
# >>> expect w = 4294967295
# >>> tags: memory store
# >>> no-validate
program {
  buffer b: u8 read_write @0 count(2)
  buffer h: u16 read_write @1 count(2)
  buffer w: u64 read_write @2 count(1)
  region vyre.program.root {
    if gid.x == 0 {
      b[0] = 300
      h[0] = 0x12345678
      h[1] = true
      w[0] = -1i
    }
  }
}
