# Shuffle also moves f32 lanes when every lane value is a float
# (hashmap/subgroup.rs eval_subgroup_shuffle); out of range gives 0.0.
# Lane i reads lane (i + 1) % 4; lane 3's source is 7 -> 0.
# The validator types shuffles as u32, so the f32 store needs validation off.
# >>> input f = 1.5,-2.5,0.25,8
# >>> expect out = -2.5 0.25 8 1.5
# >>> expect oob = 0 0 0 0
# >>> tags: subgroup float
# >>> no-validate
program workgroup(4) {
  buffer f: f32 read @0 count(4)
  buffer out: f32 read_write @1 count(4) output
  buffer oob: f32 read_write @2 count(4) live_out
  region vyre.program.root {
    out[lid.x] = subgroup_shuffle(f[lid.x], (lid.x + 1) % 4)
    oob[lid.x] = subgroup_shuffle(f[lid.x], 7)
  }
}
