# Stores into a read-only buffer are not blocked at run time (vyre-ir.md
# §4.3; the validator refuses them, so validation is off): a later load sees
# the stored value. `ro` itself is never returned.
# >>> input ro = 1
# >>> expect out = 42
# >>> tags: memory store
# >>> no-validate
program {
  buffer ro: u32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    ro[0] = 42
    out[0] = ro[0]
  }
}
