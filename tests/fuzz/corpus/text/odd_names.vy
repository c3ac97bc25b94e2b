program "a\x00b\"c" workgroup(2, 3) {
  buffer "": vec<vec4<u32>, 2> read @1 shape(not(exactly(1)))
  count = 1
}
