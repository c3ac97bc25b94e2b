# Backend-allocated outputs take no input and start as count * stride zero
# bytes (vyre-ir.md §4.2): `output`, `write` (WriteOnly) and read_write +
# live_out. WriteOnly cannot be encoded by vyre (§1.2): no-wire.
# Each lane adds to the old value, so 0 + x proves the zero start.
# >>> input a = 1,2
# >>> expect o = 1 2
# >>> expect w = 2 4
# >>> expect l = 3 6
# >>> tags: memory binding
# >>> no-wire
program workgroup(2) {
  buffer a: u32 read @0 count(2)
  buffer o: u32 read_write @1 count(2) output
  buffer w: u32 write @2 count(2)
  buffer l: u32 read_write @3 count(2) live_out
  region vyre.program.root {
    let i = lid.x
    o[i] = o[i] + a[i]
    w[i] = w[i] + a[i] * 2
    l[i] = l[i] + a[i] * 3
  }
}
