# Without a host-op registry (vyre: no DialectLookup installed) validation
# skips Calls and evaluating one aborts the run (vyre-ir.md §2.4, §8.23).
# >>> expect-error VY_E_RUNTIME "unsupported call `primitive.arith.add`"
# >>> tags: call error
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = call primitive.arith.add(1, 2)
  }
}
