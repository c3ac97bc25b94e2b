# A UnOp with an extension id has no reference semantics (vyre-ir.md §3.3).
# >>> expect-error VY_E_RUNTIME "unary op extension 0x80000003 has no reference semantics"
# >>> tags: opaque error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = opaque_unop<0x80000003>(1)
  }
}
