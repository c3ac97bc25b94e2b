# Broadcast from a root other than 0 cannot run on one rank (vyre-ir.md §2.1).
# >>> input a = 1
# >>> expect-error VY_E_INVALID_PROGRAM "Broadcast from root 2"
# >>> tags: node collective error
program {
  buffer a: u32 read_write @0 count(1)
  region vyre.program.root {
    broadcast(a, 2, 0)
  }
}
