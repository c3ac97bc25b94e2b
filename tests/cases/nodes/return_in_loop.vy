# A Return inside a loop inside a block ends the whole invocation, not just
# the loop (vyre-ir.md §2.1): s counts 0+1+2 before i == 3 returns, so the
# final store never happens and out[1] keeps the running sum written before.
# >>> expect out = 0 3
# >>> tags: node return loop
program {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let s = 0
    block {
      loop i in 0..10 {
        if i == 3 {
          return
        }
        s = s + i
        out[1] = s
      }
    }
    out[0] = 99
  }
}
