# Loop var in from..to is half-open (vyre-ir.md §2.1): sum of 2..6 = 2+3+4+5
# = 14; products of 1..4 = 6; 5..5 and 7..3 run no iteration (sums stay 0).
# >>> expect out = 14 6 0 0
# >>> tags: node loop
program {
  buffer out: u32 read_write @0 count(4) output
  region vyre.program.root {
    let s = 0
    loop i in 2..6 {
      s = s + i
    }
    out[0] = s
    let p = 1
    loop j in 1..4 {
      p = p * j
    }
    out[1] = p
    let e = 0
    loop k in 5..5 {
      e = e + 1
    }
    loop m in 7..3 {
      e = e + 1
    }
    out[2] = e
  }
}
