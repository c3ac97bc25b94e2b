# Every supported atomic op on one invocation, each returning the old value
# as u32 (vyre-ir.md §4.5); the orderings are accepted and ignored.
#  c[0]=0xF0:       or 0x0F       -> old 0xF0 (240), new 0xFF
#  c[1]=0xFF:       and 0x3C      -> old 255, new 0x3C
#  c[2]=0xFF:       xor 0x0F      -> old 255, new 0xF0 (240)
#  c[3]=7:          add 0xFFFFFFFF -> old 7, new 6 (wrapping)
#  c[4]=5:          exchange 9    -> old 5, new 9
#  c[5]=0x80000000: min 1         -> unsigned: old 2147483648, new 1
#  c[6]=1:          max 0xFFFFFFFF -> unsigned: old 1, new 4294967295
#  c[7]=10:         lru_update 4  -> max(old, value): old 10, stays 10
#  c[8]=10:         lru_update 40 -> old 10, new 40
# >>> input c = 240,255,255,7,5,2147483648,1,10,10
# >>> expect old = 240 255 255 7 5 2147483648 1 10 10
# >>> expect c = 255 60 240 6 9 1 4294967295 10 40
# >>> tags: atomics
program {
  buffer old: u32 read_write @0 count(9) output
  buffer c: u32 read_write @1 count(9)
  region vyre.program.root {
    if gid.x == 0 {
      old[0] = atomic_or(c[0], 0x0F, relaxed)
      old[1] = atomic_and(c[1], 0x3C, acquire)
      old[2] = atomic_xor(c[2], 0x0F, release)
      old[3] = atomic_add(c[3], 0xFFFFFFFF, acq_rel)
      old[4] = atomic_exchange(c[4], 9, seq_cst)
      old[5] = atomic_min(c[5], 1)
      old[6] = atomic_max(c[6], 0xFFFFFFFF)
      old[7] = atomic_lru_update(c[7], 4)
      old[8] = atomic_lru_update(c[8], 40)
    }
  }
}
