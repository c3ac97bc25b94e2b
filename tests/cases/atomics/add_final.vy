# Atomic Add from every invocation: the final value does not depend on the
# interleaving (vyre-ir.md §4.5). 8 invocations (workgroup 4, 8 outputs)
# each add gid + 1: 1+2+...+8 = 36; out[i] = i as the bystander output.
# >>> input total = 0
# >>> expect out = 0 1 2 3 4 5 6 7
# >>> expect total = 36
# >>> tags: atomics
program workgroup(4) {
  buffer out: u32 read_write @0 count(8) output
  buffer total: u32 read_write @1 count(1)
  region vyre.program.root {
    let old = atomic_add(total[0], gid.x + 1)
    out[gid.x] = gid.x
  }
}
