# A workgroup-memory load whose index is the same for every invocation (here
# len(a), a uniform value) may be out of range. Out-of-range loads give 0
# (vyre-ir.md §5); in range they read what the workgroup stored before the
# barrier. Found by the interpreter-vs-cuda fuzz campaign: the lowering swapped
# such a workgroup (addrspace 3) pointer for the global zeros block, and the
# H100 faulted with an illegal address (jit/lower.c vy_lw_load).
# wg[i] = 10 * i + 1 for i < 4; then lo = wg[len(b)] with len(b) = 2 -> 21,
# hi = wg[len(a)] with len(a) = 9 (past wg's 4 elements) -> 0.
# >>> input a = 1,2,3,4,5,6,7,8,9
# >>> input b = 1,2
# >>> expect lo = 21 21 21 21
# >>> expect hi = 0 0 0 0
# >>> tags: memory oob workgroup
program workgroup(4) {
  buffer a: u32 read @0 count(9)
  buffer b: u32 read @1 count(2)
  buffer lo: u32 read_write @2 count(4) output
  buffer hi: u32 read_write @3 count(4) live_out
  buffer wg: u32 workgroup count(4)
  region vyre.program.root {
    let i = lid.x
    wg[i] = 10 * i + 1
    barrier
    lo[i] = wg[len(b)]
    hi[i] = wg[len(a)]
  }
}
