# Indices at the top of the u32 range (vyre-ir.md §4.3): a load at
# 4294967295 - lid gives 0, a store there is dropped, an atomic at
# 4294967295 returns 0 and writes nothing. Compiled code must not form a
# pointer from them.
# >>> input a = 10,20,30,40
# >>> input c = 1,2,3,4
# >>> expect a = 10 20 30 40
# >>> expect c = 1 2 3 4
# >>> expect out = 0 0 0 0
# >>> tags: hostile memory oob
program workgroup(4) {
  buffer a: u32 read_write @0 count(4)
  buffer c: u32 read_write @1 count(4)
  buffer out: u32 read_write @2 count(4) output
  region vyre.program.root {
    let i = lid.x
    a[4294967295 - i] = 99
    out[i] = a[4294967295 - i] + atomic_add(c[4294967295], 1, relaxed)
  }
}
