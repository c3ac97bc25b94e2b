# The range check comes before the op check (hashmap/mod.rs eval_atomic:
# atomic_load returns None -> Ok(U32(0)) before atomics::apply): an
# unsupported FetchNand out of range returns 0 without an error.
# >>> input c = 7
# >>> expect old = 0
# >>> expect c = 7
# >>> tags: atomics oob
# >>> no-validate
program {
  buffer old: u32 read_write @0 count(1) output
  buffer c: u32 read_write @1 count(1)
  region vyre.program.root {
    old[0] = atomic_fetch_nand(c[3], 1)
  }
}
