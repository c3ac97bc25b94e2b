# Loop variables are immutable: assigning one aborts the run (vyre-ir.md
# §2.3; V011 in the validator, so validation is off).
# >>> expect-error VY_E_RUNTIME "assignment to loop variable `i`"
# >>> tags: node assign loop error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    loop i in 0..2 {
      i = 7
    }
  }
}
