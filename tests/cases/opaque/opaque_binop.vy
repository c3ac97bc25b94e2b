# A BinOp with an extension id has no reference semantics (vyre-ir.md §3.2).
# >>> expect-error VY_E_RUNTIME "binary op extension 0x80000002 has no reference semantics"
# >>> tags: opaque error
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = opaque_binop<0x80000002>(1, 2)
  }
}
