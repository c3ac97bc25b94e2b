# The uniformity record is made for every If whose branches contain a
# Barrier at any depth, whether or not the barrier is ever reached
# (vyre-ir.md §4.6): here it sits in a loop that runs zero times.
# >>> expect-error VY_E_RUNTIME "Barrier appears inside an If whose condition differs"
# >>> tags: barrier error
# >>> no-validate
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    if lid.x == 0 {
      loop i in 0..0 {
        barrier
      }
    }
    out[lid.x] = 1
  }
}
