# A buffer named pg_nodes at binding 0 is a special case of the grid rule
# (vyre-ir.md §4.4): its declared count (10) joins the element count even
# though it is an input. Workgroup (2,1,1), the only output has 1 element ->
# elements = max(1, 10) = 10 -> 5 workgroups, 10 invocations.
# >>> input pg_nodes = zeros:10
# >>> expect n = 10
# >>> tags: grid atomics
program workgroup(2) {
  buffer pg_nodes: u32 read @0 count(10)
  buffer n: u32 read_write @1 count(1) output
  region vyre.program.root {
    let c = atomic_add(n[0], 1)
  }
}
