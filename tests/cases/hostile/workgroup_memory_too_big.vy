# 4 GiB of workgroup memory (2^30 u32) is refused before anything runs:
# vyre's reference caps workgroup memory at 64 MiB per workgroup
# (67108864 bytes), and every backend applies the same cap.
# >>> expect-error VY_E_RUNTIME "workgroup memory requires 4294967296 bytes"
# >>> tags: hostile workgroup memory limit
program workgroup(64) {
  buffer w: u32 workgroup @0 count(1073741824)
  buffer out: u32 read_write @1 count(64) output
  region vyre.program.root {
    w[lid.x] = lid.x
    barrier
    out[lid.x] = w[63 - lid.x]
  }
}
