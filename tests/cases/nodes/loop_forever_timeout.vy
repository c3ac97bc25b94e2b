# Node::forever is Loop{0..u32::MAX}; with a step budget of 1000 statement
# steps the interpreter stops with VY_E_TIMEOUT (vyre-jit's step budget,
# interp.h) instead of running for hours.
# >>> expect-error VY_E_TIMEOUT "step budget of 1000"
# >>> step-budget 1000
# >>> tags: node loop timeout
program {
  buffer out: u32 read_write @0 count(1) output
  region vyre.program.root {
    loop __forever__ in 0..4294967295 {
      out[0] = out[0] + 1
    }
  }
}
