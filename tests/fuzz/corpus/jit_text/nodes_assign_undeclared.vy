# Assign to a name that is not bound aborts the run (vyre-ir.md §2.1,
# state.rs assign). The validator refuses it too, so validation is off.
# >>> expect-error VY_E_RUNTIME "assignment to undeclared variable `y`"
# >>> tags: node assign error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    y = 5
    out[0] = 1
  }
}
