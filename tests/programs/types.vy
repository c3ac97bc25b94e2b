# Every DataType, as a buffer element and as a cast target. This program
# shows the syntax; it is not meant to validate or run.
program vyre.examples.types workgroup(1) {
  buffer t_u8: u8 read @0
  buffer t_u16: u16 read @1
  buffer t_u32: u32 read @2
  buffer t_u64: u64 read @3
  buffer t_i4: i4 read @4
  buffer t_i8: i8 read @5
  buffer t_i16: i16 read @6
  buffer t_i32: i32 read @7
  buffer t_i64: i64 read @8
  buffer t_f16: f16 read @9
  buffer t_bf16: bf16 read @10
  buffer t_f32: f32 read @11
  buffer t_f64: f64 read @12
  buffer t_f8a: f8e4m3 read @13
  buffer t_f8b: f8e5m2 read @14
  buffer t_fp4: fp4 read @15
  buffer t_nf4: nf4 read @16
  buffer t_bool: bool read @17
  buffer t_bytes: bytes read @18
  buffer t_tensor: tensor read @19
  buffer t_vec2: vec2<u32> read @20
  buffer t_vec4: vec4<u32> read @21
  buffer t_array: array<12> read @22
  buffer t_handle: handle<0x2A> read @23
  buffer t_opaque: opaque<0x80000010> read @24
  buffer t_vec: vec<f16, 8> read @25
  buffer t_shaped: tensor<f32, [2, 3, 4]> read @26
  buffer t_rank0: tensor<i8, []> read @27
  buffer t_csr: sparse_csr<f32> read @28
  buffer t_coo: sparse_coo<bf16> read @29
  buffer t_bsr: sparse_bsr<f32, 4, 4> read @30
  buffer t_mesh: device_mesh<[2, 4]> read @31
  buffer t_mesh0: device_mesh<[]> read @32
  buffer t_q1: quantized<i8, per_tensor, absent> read @33
  buffer t_q2: quantized<u8, per_channel(1), per_group(32)> read @34
  buffer t_q3: quantized<nf4, per_group(64), per_channel(0)> read @35
  buffer t_nested: sparse_csr<vec<vec4<u32>, 2>> read @36

  region vyre.program.root {
    let v = 0
    let c0 = cast<u8>(v)
    let c1 = cast<i64>(v)
    let c2 = cast<bool>(v)
    let c3 = cast<vec2<u32>>(v)
    let c4 = cast<bytes>(v)
    let c5 = cast<array<4>>(v)
    let c6 = cast<tensor<u32, [4]>>(v)
    let c7 = cast<device_mesh<[8]>>(v)
    let c8 = cast<opaque<0x80000011>>(v)
    let c9 = cast<handle<0x1>>(v)
  }
}
