# rule_eval: branchy rule evaluation over five columns of n records, in
# the style of vyre's release workloads (vyre-driver.md §3: three u32 mask
# columns and a 16-lane bit-count loop; conditions over flags, counts,
# offsets, sizes and entropy). With count = strings & 15 and the offset
# and the size taken modulo 2^20, the verdict of a record collects one bit
# per rule that fires:
#   1  flag bit 0 set and size < 64 KiB
#   2  count >= 8 and entropy > 0.75
#   4  count >= 8, entropy <= 0.75 and flag bits 1 and 2 both set
#   8  offset < size and 16-byte aligned
#   16 at least `threshold` of the low 16 bit positions set in all three of
#      flags, strings and offset (the release workloads' loop)
# and the records matching rule 16 are counted into total[0] with an
# atomic.
#
# bench: tags branchy u32 f32 atomic multi-buffer
# bench: size small n=65536
# bench: size medium n=4194304
# bench: size large n=16777216
# bench: input flags = rand:{n}:12
# bench: input strings = rand:{n}:13
# bench: input offsets = rand:{n}:14
# bench: input sizes = rand:{n}:15
# bench: input entropy = rand:{n}:16
# bench: input threshold = const:1:2
# bench: input verdict = zeros:{n}
# bench: work bytes 24*n
program rule_eval workgroup(256) {
  buffer flags: u32 read @0
  buffer strings: u32 read @1
  buffer offsets: u32 read @2
  buffer sizes: u32 read @3
  buffer entropy: f32 read @4
  buffer threshold: u32 uniform @5 count(1)
  buffer verdict: u32 read_write @6
  buffer total: u32 read_write @7 count(1) output

  region vyre.program.root {
    let i = gid.x
    if i < len(verdict) {
      let f = flags[i]
      let s = strings[i]
      let count = s & 15
      let off = offsets[i] & 1048575
      let size = sizes[i] & 1048575
      let v = 0
      if (f & 1) != 0 && size < 65536 {
        v = v | 1
      }
      if count >= 8 {
        if entropy[i] > 0.75f {
          v = v | 2
        } else {
          if (f & 6) == 6 {
            v = v | 4
          }
        }
      }
      if off < size && (off & 15) == 0 {
        v = v | 8
      }
      let hits = 0
      loop b in 0..16 {
        if (f >> b & s >> b & off >> b & 1) != 0 {
          hits = hits + 1
        }
      }
      if hits >= threshold[0] {
        v = v | 16
        let old = atomic_add(total[0], 1, relaxed)
      }
      verdict[i] = v
    }
  }
}
