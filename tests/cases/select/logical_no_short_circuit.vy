# And/Or do not short-circuit (vyre-ir.md §3.2, §8.14): `true || (7 / 0 >
# 0)` with an i32 division by zero still aborts.
# >>> input b = 0
# >>> expect-error VY_E_RUNTIME "i32 division by zero"
# >>> tags: select eager error
program {
  buffer b: i32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    out[0] = true || 7i / b[0] > 0i
  }
}
