# Loop bounds are evaluated once, before the first iteration (vyre-ir.md
# §2.1): changing n inside the body does not change the trip count.
# n = 3; loop i in 0..n { n = n + 1; c = c + 1 } -> c = 3, n = 6.
# >>> expect out = 3 6
# >>> tags: node loop
program {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let n = 3
    let c = 0
    loop i in 0..n {
      n = n + 1
      c = c + 1
    }
    out[0] = c
    out[1] = n
  }
}
