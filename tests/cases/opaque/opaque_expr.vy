# An Opaque expression of an unregistered kind: a runtime error in the
# reference (vyre-ir.md §2.2), and vyre's decoder cannot read it back
# (no resolver: no-wire).
# >>> expect-error VY_E_RUNTIME "does not support opaque expression extension `vendor.expr.magic`"
# >>> tags: opaque error
# >>> no-validate
# >>> no-wire
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = opaque("vendor.expr.magic", "\x00\xff")
  }
}
