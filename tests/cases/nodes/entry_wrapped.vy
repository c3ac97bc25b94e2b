# An entry that is not all Regions is wrapped in one root Region before it
# runs (vyre-ir.md §4.1), unless it is empty or starts with a Store.
# >>> expect out = 42
# >>> tags: node region wrap
program {
  buffer out: u32 read_write @0 count(1) output
  let v = 40
  out[0] = v + 2
}
