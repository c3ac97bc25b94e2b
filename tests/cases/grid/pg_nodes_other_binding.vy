# pg_nodes counts only at binding 0 (vyre-ir.md §4.4): here it is at
# binding 1, so the 1-element output decides: one workgroup of 2.
# >>> input pg_nodes = zeros:10
# >>> expect n = 2
# >>> tags: grid atomics
program workgroup(2) {
  buffer n: u32 read_write @0 count(1) output
  buffer pg_nodes: u32 read @1 count(10)
  region vyre.program.root {
    let c = atomic_add(n[0], 1)
  }
}
