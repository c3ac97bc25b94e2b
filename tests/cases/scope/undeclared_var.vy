# Reading a name that is not bound aborts the run (vyre-ir.md §2.2 Var).
# >>> expect-error VY_E_RUNTIME "reference to undeclared variable `ghost`"
# >>> tags: scope error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = ghost + 1
  }
}
