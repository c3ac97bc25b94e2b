# Block opens a scope: a Let inside it is gone after it, so the same name can
# be bound again afterwards, while an Assign to an outer local persists
# (vyre-ir.md §2.1, §2.3).
# >>> expect out = 7 5
# >>> tags: node block scope
program {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let outer = 0
    block {
      let t = 7
      outer = t
    }
    let t = 5
    out[0] = outer
    out[1] = t
  }
}
