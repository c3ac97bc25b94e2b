# An Opaque node (an extension) has no reference semantics (vyre-ir.md §2.1).
# Its kind has no registered resolver, so vyre's decoder cannot read the
# encoded blob back (no-wire); the validator rejects it (V031), so validation
# is off to reach the runtime error.
# >>> expect-error VY_E_RUNTIME "does not support opaque node extension `vendor.node.magic`"
# >>> tags: node opaque error
# >>> no-validate
# >>> no-wire
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = 1
    opaque("vendor.node.magic", "\x01\x02")
  }
}
