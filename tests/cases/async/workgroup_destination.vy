# Async copies reach workgroup memory too, and tags are per invocation:
# both lanes use tag `t` at the same time (vyre-ir.md §2.1). Each lane loads
# src into `stage` (workgroup memory), waits, then reads its element.
# >>> input src = 5,6
# >>> expect out = 5 6
# >>> tags: async workgroup
program workgroup(2) {
  buffer src: u32 read @0 count(2)
  buffer stage: u32 workgroup count(2)
  buffer out: u32 read_write @1 count(2) output
  region vyre.program.root {
    async_load(src, stage, 0, 8, t)
    async_wait(t)
    out[lid.x] = stage[lid.x]
  }
}
