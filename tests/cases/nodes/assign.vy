# Assign overwrites an existing local wherever it lives: from inside an If
# branch, a Loop body, a Block and a nested Region (vyre-ir.md §2.3).
# x = 1; if: x = 2; loop k in 0..3: x = x + k (2+0+1+2 = 5); block: x = x * 10
# (50); nested region: x = x + 1 (51).
# >>> expect out = 51
# >>> tags: node assign scope
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    let x = 1
    if x == 1 {
      x = 2
    }
    loop k in 0..3 {
      x = x + k
    }
    block {
      x = x * 10
    }
    region inner {
      x = x + 1
    }
    out[0] = x
  }
}
