# A zero workgroup dimension is refused when the grid is computed
# (vyre-ir.md §4.4, hashmap/mod.rs). The validator refuses it first and
# vyre's encoder cannot write it (no-wire), so validation is off.
# >>> expect-error VY_E_RUNTIME "workgroup size contains zero"
# >>> tags: grid error
# >>> no-validate
# >>> no-wire
program workgroup(4, 0) {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = 1
  }
}
