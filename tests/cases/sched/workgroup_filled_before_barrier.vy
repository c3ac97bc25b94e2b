# Workgroup memory that the first statements fill in full before the first
# barrier (the cuda backend then skips its zeroing at block start: `tile`,
# cells l + 2 from every lane and the halo cells from lanes l < 2 and
# l >= 6), next to one they fill only in part (`part`: cells 1..8 of 10, so
# cells 0 and 9 must still read as zero in every workgroup).
# Two workgroups of 8 (the outputs have 16 elements), src = 0..15.
# out[i] = tile[l] + tile[l + 4] with tile = 100, 101, src of the
# workgroup (8 cells), 206, 207: workgroup 0 gives 100+2, 101+3, 0+4, 1+5,
# 2+6, 3+7, 4+206, 5+207; workgroup 1 the same with src 8..15.
# edge[i] = part[l] + part[l + 2] with part = 0, src + 1000 (8 cells), 0.
# >>> input src = seq:16
# >>> expect out = 102 104 4 6 8 10 210 212 110 112 20 22 24 26 218 220
# >>> expect edge = 1001 2002 2004 2006 2008 2010 2012 1006 1009 2018 2020 2022 2024 2026 2028 1014
# >>> tags: workgroup-memory barrier
program workgroup(8) {
  buffer src: u32 read @0 count(16)
  buffer out: u32 read_write @1 count(16) output
  buffer edge: u32 read_write @2 count(16) live_out
  buffer tile: u32 workgroup count(12)
  buffer part: u32 workgroup count(10)
  region vyre.program.root {
    let l = lid.x
    let i = gid.x
    tile[l + 2] = src[i]
    if l < 2 {
      tile[l] = 100 + l
    }
    if l >= 6 {
      tile[l + 4] = 200 + l
    }
    part[l + 1] = src[i] + 1000
    barrier
    out[i] = tile[l] + tile[l + 4]
    edge[i] = part[l] + part[l + 2]
  }
}
