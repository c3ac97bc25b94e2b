# Store evaluates the index, then the value, then writes one element
# (vyre-ir.md §2.1, §4.3). Lane i (4 lanes) stores 100 + i at index 3 - i
# and a Bool at bools[i] (true = 01 00 00 00 in a u32 buffer). `bools` is a
# plain read_write buffer: it takes an input and is returned (§4.2).
# >>> input bools = 9,9,9,9
# >>> expect out = 103 102 101 100
# >>> expect bools = 1 0 1 0
# >>> tags: node store
program workgroup(4) {
  buffer out: u32 read_write @0 count(4) output
  buffer bools: u32 read_write @1 count(4)
  region vyre.program.root {
    let i = lid.x
    out[3 - i] = 100 + i
    bools[i] = i % 2 == 0
  }
}
