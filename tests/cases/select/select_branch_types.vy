# Select branches of different types (V029 statically) still run: the
# result is the chosen value with its own runtime type (vyre-ir.md §3.5).
# A u32 store of i32 -1 writes ffffffff; of u32 7 writes 7.
# >>> input c = 1,0
# >>> expect out = 4294967295 7
# >>> tags: select
# >>> no-validate
program workgroup(2) {
  buffer c: u32 read @0 count(2)
  buffer out: u32 read_write @1 count(2) output
  region vyre.program.root {
    out[lid.x] = select(c[lid.x], -1i, 7)
  }
}
