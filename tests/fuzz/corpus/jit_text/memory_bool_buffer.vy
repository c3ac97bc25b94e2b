# A Bool buffer holds one 4-byte word per element and loads as u32, the raw
# word (vyre-ir.md §1.1, §8.12): flags = 0, 1, 7 load as 0, 1, 7. Storing
# a Bool writes 01 00 00 00; storing a u32 writes its word.
# out[i] = cast<u32>(flags[i]) + 1: statically a Bool -> u32 cast, but the
# runtime value is the raw u32 word, so 7 stays 7 (a real Bool would give 1).
# fl[0] = true, fl[1] = 9 (a u32 stored into Bool is valid).
# >>> input flags = 0,1,7
# >>> input fl = 0,0
# >>> expect fl = 1 9
# >>> expect out = 1 2 8
# >>> tags: memory bool
program workgroup(3) {
  buffer flags: bool read @0 count(3)
  buffer fl: bool read_write @1 count(2)
  buffer out: u32 read_write @2 count(3) output
  region vyre.program.root {
    let i = lid.x
    out[i] = cast<u32>(flags[i]) + 1
    if i == 0 {
      fl[0] = true
      fl[1] = 9
    }
  }
}
