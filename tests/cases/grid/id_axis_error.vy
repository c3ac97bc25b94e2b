# An id axis above 2 aborts the run (vyre-ir.md §2.2; the validator refuses
# it too, so validation is off).
# >>> expect-error VY_E_RUNTIME "axis 3 out of range"
# >>> tags: grid error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = gid(3)
  }
}
