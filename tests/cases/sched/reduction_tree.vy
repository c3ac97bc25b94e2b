# A tree reduction in workgroup memory with barriers inside a loop whose
# bounds are uniform (vyre-ir.md §4.6): 8 lanes, strides 4, 2, 1; lane 0
# writes the sum 1+2+...+8 = 36.
# loop k in 0..3: stride = 4 >> k; lanes < stride add stage[lid + stride].
# >>> input x = 1,2,3,4,5,6,7,8
# >>> expect out = 36
# >>> tags: barrier workgroup loop
program workgroup(8) {
  buffer x: u32 read @0 count(8)
  buffer stage: u32 workgroup count(8)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    stage[lid.x] = x[lid.x]
    barrier
    loop k in 0..3 {
      let stride = 4 >> k
      if lid.x < stride {
        stage[lid.x] = stage[lid.x] + stage[lid.x + stride]
      }
      barrier
    }
    if lid.x == 0 {
      out[0] = stage[0]
    }
  }
}
