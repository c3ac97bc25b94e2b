# Sibling blocks may reuse a name once the earlier binding's scope has been
# popped (vyre-ir.md §2.3); so may both branches of an If and consecutive
# top-level regions.
# >>> expect out = 3 4 9
# >>> tags: scope
program {
  buffer out: u32 read_write @0 count(3) output
  region vyre.program.root {
    block {
      let t = 3
      out[0] = t
    }
    block {
      let t = 4
      out[1] = t
    }
  }
  region vyre.program.next {
    let t = 9
    out[2] = t
  }
}
