# vyre evaluates each lane's subgroup argument against a *copy* of memory
# (hashmap/step.rs eval_expr_snapshot clones the storage and workgroup
# buffers for every lane it evaluates), so an atomic inside the argument
# sees the real memory each time and its write is thrown away. Four lanes,
# c = 10: every lane's argument atomic_add(c[0], 1) returns 10, each sum is
# 4 * 10 = 40, and c stays 10. A ballot of `atomic_add(...) == 10` is true
# on every lane (0xf).
# >>> input c = 10
# >>> expect out = 40 40 40 40
# >>> expect b = 15 15 15 15
# >>> expect c = 10
# >>> tags: subgroup atomics
program workgroup(4) {
  buffer out: u32 read_write @0 count(4) output
  buffer b: u32 read_write @1 count(4) live_out
  buffer c: u32 read_write @2 count(1)
  region vyre.program.root {
    out[lid.x] = subgroup_add(atomic_add(c[0], 1))
    b[lid.x] = subgroup_ballot(atomic_add(c[0], 1) == 10)
  }
}
