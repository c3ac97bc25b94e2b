# An Assign whose target is a ReadWrite buffer's name passes validation
# (§5.2: allowed if ReadWrite and type-compatible) but the reference has no
# such local, so the run aborts (vyre-ir.md §8.15).
# >>> expect-error VY_E_RUNTIME "assignment to undeclared variable `out`"
# >>> tags: node assign error
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out = 5
  }
}
