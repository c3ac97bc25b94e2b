# Region opens a scope (vyre-ir.md §2.3, §8.15; docs/ir-semantics.md says it
# is transparent, the code says otherwise): a Let in a nested region is gone
# after it, an Assign inside it reaches the outer local. Two top-level
# regions each have their own scope, so both may bind `x`.
# >>> expect out = 11 2
# >>> tags: node region scope
program {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    let x = 1
    region vyre.example.inner source vyre.example.origin {
      let y = 10
      x = x + y
    }
    let y = 0
    out[0] = x + y
  }
  region vyre.program.second {
    let x = 2
    out[1] = x
  }
}
