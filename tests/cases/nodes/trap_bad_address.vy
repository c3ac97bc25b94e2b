# The trap address goes through try_as_u32 first: a negative i32 address is
# its own error (vyre-ir.md §2.1, node_step.rs).
# >>> input a = -1
# >>> expect-error VY_E_RUNTIME "address is not a u32"
# >>> tags: node trap error
# >>> no-validate
program {
  buffer a: i32 read @0 count(1)
  buffer out: u32 read_write @1 count(1) output
  region vyre.program.root {
    trap(a[0], neg)
  }
}
