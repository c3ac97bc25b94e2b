# A Load from a buffer the program does not declare aborts the run
# (vyre-ir.md §2.2; the validator refuses it, so validation is off).
# >>> expect-error VY_E_RUNTIME "missing buffer `ghost`"
# >>> tags: memory error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = ghost[0]
  }
}
