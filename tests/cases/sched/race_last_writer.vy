# Non-atomic stores to one address are resolved by the fixed interleaving
# (vyre-ir.md §4.6, §8.19): lanes store in order within a round, workgroups
# run one after another, so the last lane of the last workgroup wins.
# Two workgroups of 4 store gid into out[0]: 7.
# >>> expect out = 7 0 0 0 0 0 0 0
# >>> tags: race
# >>> race
program workgroup(4) {
  buffer out: u32 read_write @0 count(8) output
  region vyre.program.root {
    out[0] = gid.x
  }
}
