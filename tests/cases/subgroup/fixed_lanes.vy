# Subgroup operations of full subgroups whose shuffle lanes are a fixed
# function of the lane number (llvm-cpu permutes each subgroup's lanes with
# one constant shuffle, vyre-ir.md §4.7). Workgroup (32, 2): subgroup g is
# row lid.y = g (linear index lin = lid.y * 32 + lid.x), v = 3 * lin + 1.
# xr: lane ^ 5; rot: (lane + 1) & 31; oob: lane + 20 (lanes 12..31 name
# lanes 32..51: out of range, 0); row: lane lid.y, which differs between
# the subgroups (subgroup 0 reads its lane 0 = 1, subgroup 1 its lane 1 =
# 100); sum: subgroup_add(v) = 1520 and 4592.
# >>> expect xr = 16 13 22 19 4 1 10 7 40 37 46 43 28 25 34 31 64 61 70 67 52 49 58 55 88 85 94 91 76 73 82 79 \
# >>>   112 109 118 115 100 97 106 103 136 133 142 139 124 121 130 127 160 157 166 163 148 145 154 151 184 181 190 187 172 169 178 175
# >>> expect rot = 4 7 10 13 16 19 22 25 28 31 34 37 40 43 46 49 52 55 58 61 64 67 70 73 76 79 82 85 88 91 94 1 \
# >>>   100 103 106 109 112 115 118 121 124 127 130 133 136 139 142 145 148 151 154 157 160 163 166 169 172 175 178 181 184 187 190 97
# >>> expect oob = 61 64 67 70 73 76 79 82 85 88 91 94 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 \
# >>>   157 160 163 166 169 172 175 178 181 184 187 190 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
# >>> expect row = 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 \
# >>>   100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100
# >>> expect sum = 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 1520 \
# >>>   4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592 4592
# >>> tags: subgroup grid
program workgroup(32, 2) {
  buffer xr: u32 read_write @0 count(64) output
  buffer rot: u32 read_write @1 count(64) live_out
  buffer oob: u32 read_write @2 count(64) live_out
  buffer row: u32 read_write @3 count(64) live_out
  buffer sum: u32 read_write @4 count(64) live_out
  region vyre.program.root {
    let lin = lid.y * 32 + lid.x
    let lane = lid.x & 31
    let v = 3 * lin + 1
    xr[lin] = subgroup_shuffle(v, lane ^ 5)
    rot[lin] = subgroup_shuffle(v, (lane + 1) & 31)
    oob[lin] = subgroup_shuffle(v, lane + 20)
    row[lin] = subgroup_shuffle(v, lid.y)
    sum[lin] = subgroup_add(v)
  }
}
