# The barrier ordering is ignored by the reference (vyre-ir.md §2.1): each
# ordering synchronizes the same way. Relaxed is V043 for the validator, so
# validation is off. Lanes pass a value around a ring of 4, one hop per
# barrier: after four hops each lane has its own value back.
# >>> expect out = 0 1 2 3
# >>> tags: barrier
# >>> no-validate
program workgroup(4) {
  buffer a: u32 workgroup count(4)
  buffer out: u32 read_write @0 count(4) output
  region vyre.program.root {
    let v = lid.x
    a[lid.x] = v
    barrier(relaxed)
    v = a[(lid.x + 1) % 4]
    barrier(acquire)
    a[lid.x] = v
    barrier(release)
    v = a[(lid.x + 1) % 4]
    barrier(acq_rel)
    a[lid.x] = v
    barrier(grid_sync)
    v = a[(lid.x + 1) % 4]
    barrier(seq_cst)
    a[lid.x] = v
    barrier
    out[lid.x] = a[(lid.x + 1) % 4]
  }
}
