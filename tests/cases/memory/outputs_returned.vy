# Returned buffers (vyre-ir.md §4.2): every non-workgroup buffer that is
# backend-allocated or ReadWrite, in declaration order; read and uniform
# buffers never are, even when written (validation off for that store).
# Declaration order: rw1 (read_write, input), ro (read), o (output),
# u (uniform), rw2 (read_write, input). Returned: rw1, o, rw2.
# >>> input rw1 = 1,2
# >>> input ro = 3,4
# >>> input u = 5
# >>> input rw2 = 6
# >>> expect rw1 = 11 2
# >>> expect o = 3 5
# >>> expect rw2 = 60
# >>> tags: memory binding
# >>> no-validate
program {
  buffer rw1: u32 read_write @0 count(2)
  buffer ro: u32 read @1 count(2)
  buffer o: u32 read_write @2 count(2) output
  buffer u: u32 uniform @3 count(1)
  buffer rw2: u32 read_write @4 count(1)
  region vyre.program.root {
    if gid.x == 0 {
      rw1[0] = rw1[0] + 10
      ro[0] = 99
      o[0] = ro[0] - 96
      o[1] = u[0]
      rw2[0] = rw2[0] * 10
    }
  }
}
