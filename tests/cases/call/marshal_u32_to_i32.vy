# Arguments are marshalled as their little-endian bytes truncated or padded
# to the parameter width (vyre-ir.md §2.4, value.rs extend_bytes_width): a
# u32 5 passed to the i32 parameter of corpus.neg_i32 arrives as 5 -> -5; a
# Bool true arrives as 1 -> -1.
# >>> expect out = -5 -1
# >>> host
# >>> tags: call
# >>> no-validate
program {
  buffer out: i32 read_write @0 count(2) output
  region vyre.program.root {
    if gid.x == 0 {
      out[0] = call corpus.neg_i32(5)
      out[1] = call corpus.neg_i32(true)
    }
  }
}
