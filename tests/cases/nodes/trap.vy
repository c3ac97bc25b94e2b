# Trap evaluates its address (u32) and aborts the whole run (vyre-ir.md
# §2.1). Lane 2 of 4 traps; the message carries the address and the tag.
# >>> expect-error VY_E_RUNTIME "reference dispatch trapped: address=7, tag=`bad_input`"
# >>> tags: node trap error
program workgroup(4) {
  buffer out: u32 read_write @0 count(4) output
  region vyre.program.root {
    if lid.x == 2 {
      trap(lid.x + 5, bad_input)
    }
    out[lid.x] = 1
  }
}
