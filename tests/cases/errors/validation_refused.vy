# With validation on, a program the validator refuses never runs: the error
# lists the rule codes (vyre-ir.md §4.1 step 2). Here: a store into a read
# buffer, which would otherwise run fine (see
# memory/readonly_store_not_blocked.vy).
# >>> input ro = 1
# >>> expect-error VY_E_INVALID_PROGRAM "program failed IR validation"
# >>> tags: validation error
program {
  buffer ro: u32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    ro[0] = 42
    out[0] = ro[0]
  }
}
