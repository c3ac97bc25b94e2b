# A barrier inside an If whose condition differs across the workgroup
# aborts the run (vyre-ir.md §4.6; V010 statically, so validation is off).
# >>> expect-error VY_E_RUNTIME "Barrier appears inside an If whose condition differs"
# >>> tags: barrier error
# >>> no-validate
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    if lid.x == 0 {
      barrier
    }
    out[lid.x] = 1
  }
}
