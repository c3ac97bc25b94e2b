# The same unknown op with validation off fails when evaluated (vyre-ir.md
# §2.4).
# >>> expect-error VY_E_RUNTIME "unsupported call `corpus.missing`"
# >>> host
# >>> tags: call error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = call corpus.missing(1)
  }
}
