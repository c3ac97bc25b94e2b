# The argument count must match the signature (vyre-ir.md §2.4: V020, and a
# runtime error; validation is off to reach the latter).
# >>> expect-error VY_E_RUNTIME "call `corpus.add_u32` received 1 arguments but the signature requires 2"
# >>> host
# >>> tags: call error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = call corpus.add_u32(1)
  }
}
