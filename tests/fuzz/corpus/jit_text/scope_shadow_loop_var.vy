# A loop variable whose name is already bound is a shadowing error when the
# first iteration binds it (vyre-ir.md §2.3, state.rs bind_loop_var).
# >>> expect-error VY_E_RUNTIME "duplicate local binding `i`"
# >>> tags: scope loop error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    let i = 0
    loop i in 0..2 {
      out[0] = i
    }
  }
}
