# Select evaluates all three operands every time (vyre-ir.md §3.5, §8.14):
# an i32 division by zero in the branch that is not taken still aborts.
# cond a[0] == 0 is true, the false branch divides 7 by b[0] = 0.
# >>> input a = 0
# >>> input b = 0
# >>> expect-error VY_E_RUNTIME "i32 division by zero"
# >>> tags: select eager error
program {
  buffer a: u32 read @0 count(1)
  buffer b: i32 read @1 count(1)
  buffer out: i32 read_write @2 count(1) output
  region vyre.program.root {
    out[0] = select(a[0] == 0, 1i, 7i / b[0])
  }
}
