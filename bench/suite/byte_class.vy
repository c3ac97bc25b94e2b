# byte_class: scan text packed 4 bytes per u32 word (little-endian) and
# classify every byte: digit (0-9), letter (A-Z, a-z), space (space, \t,
# \n, \v, \f, \r) and word start (a letter whose previous byte is not a
# letter; the byte before byte 0 of word i is byte 3 of word i-1). Per word:
#   classes[i] = digits | letters << 4 | spaces << 8 | starts << 12
#              | popcount(starts) << 16 | min(ctz(digits), 4) << 20
# with bit j of each 4-bit mask for byte j. Integer shifts, masks,
# wrapping range checks, popcount and ctz, as in vyre's scanning kernels.
#
# bench: tags bytes u32 bit-manipulation elementwise
# bench: size small n=65536
# bench: size medium n=4194304
# bench: size large n=33554432
# bench: input text = rand:{n}:10
# bench: input classes = zeros:{n}
# bench: work bytes 8*n
program byte_class workgroup(256) {
  buffer text: u32 read @0
  buffer classes: u32 read_write @1

  region vyre.program.root {
    let i = gid.x
    if i < len(classes) {
      let w = text[i]
      # word 0 has no previous byte: text[i - 1] wraps to an out-of-range
      # index and loads 0, which is not a letter
      let before = text[i - 1] >> 24
      let after_letter = (before | 32) - 97 < 26
      let digits = 0
      let letters = 0
      let spaces = 0
      let starts = 0
      loop j in 0..4 {
        let b = (w >> (j * 8)) & 255
        let letter = (b | 32) - 97 < 26
        let digit = b - 48 < 10
        let space = b == 32 || b - 9 < 5
        digits = digits | cast<u32>(digit) << j
        letters = letters | cast<u32>(letter) << j
        spaces = spaces | cast<u32>(space) << j
        starts = starts | cast<u32>(letter && !after_letter) << j
        after_letter = letter
      }
      let masks = digits | letters << 4 | spaces << 8 | starts << 12
      classes[i] = masks | popcount(starts) << 16 | min(ctz(digits), 4) << 20
    }
  }
}
