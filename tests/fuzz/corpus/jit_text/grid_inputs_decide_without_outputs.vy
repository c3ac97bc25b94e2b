# With no returned buffer at all, the largest *input* decides the grid
# (vyre-ir.md §4.4): a is declared with 2 elements but bound with 10 (its
# real length counts) -> workgroup (4,1,1) -> 3 workgroups, gids 0..11.
# Nothing is returned, so the last invocation traps to make the count
# visible: address 11 proves 12 invocations ran and the trap stopped them.
# >>> input a = seq:10
# >>> expect-error VY_E_RUNTIME "address=11, tag=`last`"
# >>> tags: grid
program workgroup(4) {
  buffer a: u32 read @0 count(2)
  region vyre.program.root {
    if gid.x == 11 {
      trap(gid.x, last)
    }
  }
}
