# Each iteration gets a fresh scope holding the loop var, so a Let in the
# body binds again every iteration without a shadowing error (vyre-ir.md
# §2.1, §2.3). Nested loops: out = sum over i in 0..3, j in 0..i of (i*10+j)
# = (10) + (20+21) = 51; lets t counted 3 times.
# >>> expect out = 51 3
# >>> tags: node loop scope
program {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let s = 0
    let n = 0
    loop i in 0..3 {
      let t = i * 10
      n = n + 1
      loop j in 0..i {
        s = s + t + j
      }
    }
    out[0] = s
    out[1] = n
  }
}
