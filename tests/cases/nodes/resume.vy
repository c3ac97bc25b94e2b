# Resume has no reference semantics: reaching it aborts the run (vyre-ir.md
# §2.1).
# >>> expect-error VY_E_RUNTIME "reached Resume `checkpoint`"
# >>> tags: node resume error
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = 1
    resume(checkpoint)
  }
}
