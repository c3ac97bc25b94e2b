# The lower loop bound goes through try_as_u32 too (vyre-ir.md §2.1): a u64
# above u32::MAX aborts the run.
# >>> input n = 4294967296
# >>> expect-error VY_E_RUNTIME "loop lower bound cannot be represented as u32"
# >>> tags: loop error
# >>> no-validate
program {
  buffer n: u64 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    loop i in n[0]..10 {
      out[0] = i
    }
  }
}
