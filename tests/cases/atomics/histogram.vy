# A histogram: 16 invocations (workgroup 8) count their input value into
# 4 bins with atomic adds; final counts are interleaving-independent.
# values: 0,1,2,3,0,1,2,0,1,0,3,3,3,3,2,0 -> bin0 5, bin1 3, bin2 3, bin3 5
# >>> input v = 0,1,2,3,0,1,2,0,1,0,3,3,3,3,2,0
# >>> input bins = 0,0,0,0
# >>> expect seen = const:16:1
# >>> expect bins = 5 3 3 5
# >>> tags: atomics
program workgroup(8) {
  buffer v: u32 read @0 count(16)
  buffer seen: u32 read_write @1 count(16) output
  buffer bins: u32 read_write @2 count(4)
  region vyre.program.root {
    let i = gid.x
    if i < len(v) {
      let old = atomic_add(bins[v[i]], 1)
      seen[i] = 1
    }
  }
}
