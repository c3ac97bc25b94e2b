# The atomic range check needs only the 4-byte word, not the whole element
# (R/oob.rs atomic_load: offset + 4 <= len), while a typed load needs the
# whole stride (§4.3). w is bound with 12 bytes (1.5 u64 elements): the
# atomic on element 1 (bytes 8..12) works, a u64 load of w[1] is out of
# range (8 + 8 > 12) and gives 0. len(w) = 12 / 8 = 1.
# >>> input w = 1 | 05 00 00 00
# >>> expect old = 5 0 1
# >>> expect w = 1 | 07 00 00 00
# >>> tags: atomics oob
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(3) output
  buffer w: u64 read_write @1
  region vyre.program.root {
    if gid.x == 0 {
      old[0] = atomic_add(w[1], 2)
      old[1] = cast<u32>(w[1])
      old[2] = len(w)
    }
  }
}
