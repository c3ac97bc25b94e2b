# Invocations that returned are not waited for at a barrier (vyre-ir.md
# §4.6): lanes 2 and 3 return, lanes 0 and 1 exchange through the barrier.
# The returning If holds no barrier, so no uniformity record is made.
# >>> expect out = 2 1 0 0
# >>> tags: barrier return
program workgroup(4) {
  buffer stage: u32 workgroup count(4)
  buffer out: u32 read_write @0 count(4) output
  region vyre.program.root {
    if lid.x >= 2 {
      return
    }
    stage[lid.x] = lid.x + 1
    barrier
    out[lid.x] = stage[lid.x ^ 1]
  }
}
