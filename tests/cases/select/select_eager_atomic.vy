# The untaken Select branch still runs its side effects (vyre-ir.md §3.5):
# select(false, ..., atomic_add(...)) and select(true, atomic_add(...), ...)
# both increment the counter; the results are 5 (cond false picks 5) and the
# old value 1 (the second atomic sees the first's increment). Two output
# elements give two invocations; only invocation 0 runs the atomics.
# >>> input n = 0
# >>> expect out = 5 1
# >>> expect n = 2
# >>> tags: select eager atomics
program {
  buffer out: u32 read_write @0 count(2) output
  buffer n: u32 read_write @1 count(1)
  region vyre.program.root {
    if gid.x == 0 {
      let first = select(false, atomic_add(n[0], 1), 5)
      let second = select(true, atomic_add(n[0], 1), 5)
      out[0] = first
      out[1] = second
    }
  }
}
