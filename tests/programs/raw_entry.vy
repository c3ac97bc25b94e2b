# A raw entry: the statements of a program are its entry exactly as
# written. Here the entry is three top-level nodes and only the last is a
# Region (vyre's Program::new and wire decoder keep such an entry; the
# validator and the reference interpreter reject it, because a runnable
# program is one or more Regions).
program raw workgroup(1) {
  buffer out: u32 read_write @0 count(1)

  let count = 1
  out[0] = count
  region vyre.program.root {
  }
}
