# A store past the end is silently dropped (vyre-ir.md §4.3); the buffer
# keeps its length. Lane i stores i + 1 at index 2 * i: indices 0, 2 land in
# the 3-element buffer, 4 and 6 are dropped; index 4294967295 too (held in
# a local: a constant out-of-range store index is V036 statically).
# >>> input out = 9,9,9
# >>> expect out = 1 9 2
# >>> tags: memory oob
program workgroup(4) {
  buffer out: u32 read_write @0 count(3)
  region vyre.program.root {
    let i = lid.x
    out[2 * i] = i + 1
    let big = 4294967295
    out[big] = 7
  }
}
