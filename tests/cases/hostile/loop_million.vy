# A million-iteration loop in one invocation: the sum 0 + 1 + ... + 999999
# = 499999500000, wrapped to u32 (mod 2^32) = 1783293664.
# >>> expect out = 1783293664
# >>> tags: hostile loop
program workgroup(1) {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    let s = 0
    loop i in 0..1000000 {
      s = s + i
    }
    out[0] = s
  }
}
