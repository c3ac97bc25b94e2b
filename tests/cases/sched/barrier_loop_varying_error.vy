# Uniformity records are never cleared, so one If evaluated true in one
# iteration and false in the next is an error even with a single lane and a
# condition the validator proves uniform (vyre-ir.md §4.6, §8.20).
# >>> expect-error VY_E_RUNTIME "Barrier appears inside an If whose condition differs"
# >>> tags: barrier loop error
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    loop k in 0..2 {
      if k == 0 {
        barrier
      }
    }
    out[0] = 1
  }
}
