# The grid uses the *bound* element count of returned buffers (vyre-ir.md
# §4.2, §4.4): rw is declared with 2 elements but bound with 6, so 6
# invocations run and each increments its own element.
# >>> input rw = 10,20,30,40,50,60
# >>> expect rw = 11 21 31 41 51 61
# >>> tags: grid binding
program {
  buffer rw: u32 read_write @0 count(2)
  region vyre.program.root {
    rw[gid.x] = rw[gid.x] + 1
  }
}
