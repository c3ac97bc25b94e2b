# A collective on a group other than WORLD cannot be lowered for one rank:
# the program is refused before it runs (vyre-ir.md §2.1).
# >>> input a = 1
# >>> expect-error VY_E_INVALID_PROGRAM "communication group 3"
# >>> tags: node collective error
program {
  buffer a: u32 read_write @0 count(1)
  region vyre.program.root {
    all_reduce(a, sum, 3)
  }
}
