# Binding a name that is already live anywhere in the environment aborts the
# run: shadowing is a runtime error in the reference whatever the validator
# options (vyre-ir.md §2.3; V008 statically, so validation is off).
# >>> expect-error VY_E_RUNTIME "duplicate local binding `x`"
# >>> tags: scope error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    let x = 1
    if x == 1 {
      let x = 2
      out[0] = x
    }
  }
}
