# Return ends the invocation: nothing after it runs, in this list or any
# enclosing one (vyre-ir.md §2.1). Lanes 0..3; lanes with x odd return
# before the store, so their out stays 0.
# >>> input x = 1,2,3,4
# >>> expect out = 0 20 0 40
# >>> tags: node return
program workgroup(4) {
  buffer x: u32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output
  region vyre.program.root {
    let i = lid.x
    if x[i] % 2 == 1 {
      return
    }
    out[i] = x[i] * 10
  }
}
