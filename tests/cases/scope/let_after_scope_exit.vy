# A Let inside an If branch is popped when the branch ends; reading it
# afterwards is an undeclared-variable error (vyre-ir.md §2.3).
# >>> expect-error VY_E_RUNTIME "reference to undeclared variable `inner`"
# >>> tags: scope error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    if true {
      let inner = 5
    }
    out[0] = inner
  }
}
