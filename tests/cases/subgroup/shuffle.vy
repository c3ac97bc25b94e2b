# Shuffle(value, lane): the caller gets values[src], where src is its own
# lane argument, relative to its subgroup's start; out of range gives 0
# (vyre-ir.md §4.7). 40 lanes; out reverses subgroup 0 (src = 31 - lid mod 32);
# in the 8-lane subgroup 1 those sources (31..24) are out of range -> 0.
# first[i] = shuffle(lid, 0) = the subgroup's first lane id: 0 or 32.
# >>> expect out = 310 300 290 280 270 260 250 240 230 220 210 200 190 180 170 160 150 140 130 120 110 100 90 80 70 60 50 40 30 20 10 0 \
# >>>   0 0 0 0 0 0 0 0
# >>> expect first = 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 \
# >>>   32 32 32 32 32 32 32 32
# >>> tags: subgroup
program workgroup(40) {
  buffer out: u32 read_write @0 count(40) output
  buffer first: u32 read_write @1 count(40) live_out
  region vyre.program.root {
    out[lid.x] = subgroup_shuffle(lid.x * 10, 31 - lid.x % 32)
    first[lid.x] = subgroup_shuffle(lid.x, 0)
  }
}
