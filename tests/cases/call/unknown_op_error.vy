# With a registry, an unknown op id is V016 for the validator (vyre-ir.md
# §2.4, §5.3): the program is refused before it runs.
# >>> expect-error VY_E_INVALID_PROGRAM "V016"
# >>> host
# >>> tags: call error
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = call corpus.missing(1)
  }
}
