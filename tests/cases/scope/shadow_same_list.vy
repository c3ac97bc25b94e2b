# Two Lets of one name in one statement list: the second binding fails at
# runtime (V032 statically, so validation is off).
# >>> expect-error VY_E_RUNTIME "duplicate local binding `t`"
# >>> tags: scope error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    let t = 1
    let t = 2
    out[0] = t
  }
}
