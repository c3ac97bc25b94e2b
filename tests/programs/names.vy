# Any string is a name: names that are not plain identifiers, or that are
# reserved words, are written as quoted strings with escapes. The program
# name (its entry op id) and region generators may also be dotted paths.
program "my program: \"odd\" names" workgroup(1) {
  buffer "": u32 read @0
  buffer "with space": u32 read_write @1
  buffer "ünïcödé ✓": u32 read @2
  buffer "nul\0inside": u32 read @3
  buffer "let": u32 read @4
  buffer count: u32 read @5
  buffer "tab\there\x7F\xFF": u32 read @6
  buffer output: u32 read_write @7 output

  region "generator with spaces" source "source.region" {
    let "x y" = "with space"[0]
    "x y" = len("")
    let "gid.x" = "let"[count[0]]
    output[0] = "gid.x" + "nul\0inside"[1]
    let done = atomic_add("with space"[0], 1, seq_cst)
  }
  region "loop" {
    loop "in" in 0..2 {
      let "quote\"d" = "in"
    }
  }
}
