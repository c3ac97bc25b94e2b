# The interpreter keeps -0.0 literals (vyre-ir.md §8.6): 1 / -0.0 = -inf,
# 1 / 0.0 = inf; -0.0 + 0.0 = 0, -0.0 + -0.0 = -0, 0.0 * -1 = -0.
# >>> expect out = -inf inf 0 -0 -0
# >>> tags: float canonical
# >>> no-validate
program {
  buffer out: f32 read_write @0 count(5) output
  region vyre.program.root {
    out[0] = 1.0 / -0.0
    out[1] = 1.0 / 0.0
    out[2] = -0.0 + 0.0
    out[3] = -0.0 + -0.0
    out[4] = 0.0 * -1.0
  }
}
