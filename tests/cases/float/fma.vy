# Fma is one fused multiply-add with a single rounding (vyre-ir.md §3.5):
# with e = 2^-23, fma(1+e, 1-e, -1) = -e^2 = -2^-46 exactly, where a*b+c
# rounds a*b to 1 first and gives 0. Operands and result are canonicalized:
# fma(1e-20, 1e-20, 0) = 1e-40 is subnormal -> 0; a subnormal operand
# counts as 0; inf * 0 + 1 = NaN.
# lanes: (1+e, 1-e, -1) (2, 3, 1) (1e-20, 1e-20, 0) (0x00000001, 5, 2) (inf, 0, 1)
# out[i] = fma(a, b, c); sep[i] = a * b + c
# >>> input a = 1.00000012,2,1e-20,0x00000001,inf
# >>> input b = 0.99999988,3,1e-20,5,0
# >>> input c = -1,1,0,2,1
# >>> expect out = -1.4210855e-14 7 0 2 nan
# >>> expect sep = 0 7 0 2 nan
# >>> tags: float fma
program workgroup(5) {
  buffer a: f32 read @0 count(5)
  buffer b: f32 read @1 count(5)
  buffer c: f32 read @2 count(5)
  buffer out: f32 read_write @3 count(5) output
  buffer sep: f32 read_write @4 count(5) live_out
  region vyre.program.root {
    let i = lid.x
    out[i] = fma(a[i], b[i], c[i])
    sep[i] = a[i] * b[i] + c[i]
  }
}
