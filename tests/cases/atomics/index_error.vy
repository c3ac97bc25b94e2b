# An atomic index that does not fit u32 aborts the run (vyre-ir.md §4.5):
# i32 -1.
# >>> input c = 0
# >>> expect-error VY_E_RUNTIME "atomic index cannot be represented as u32"
# >>> tags: atomics error
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[0] = atomic_add(c[-1i], 1)
  }
}
