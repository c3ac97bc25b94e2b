# u64/i64/f64 literals are Opaque expressions (vyre.literal.*) that the
# reference cannot evaluate (vyre-ir.md §2.2); their kinds have resolvers, so
# they survive the wire round trip.
# >>> expect-error VY_E_RUNTIME "does not support opaque expression extension `vyre.literal.u64`"
# >>> tags: opaque error
# >>> no-validate
program {
  buffer out: u64 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = 5u64
  }
}
