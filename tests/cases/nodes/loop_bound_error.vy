# Loop bounds go through try_as_u32: a negative i32 bound aborts the run, it
# is not an empty range (vyre-ir.md §2.1, §3.1). The validator wants u32
# bounds, so validation is off.
# >>> input n = -1
# >>> expect-error VY_E_RUNTIME "loop upper bound cannot be represented as u32"
# >>> tags: node loop error
# >>> no-validate
program {
  buffer n: i32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    loop i in 0..n[0] {
      out[0] = i
    }
  }
}
