# Every expression kind, operator, literal form, atomic and ordering. This
# program shows the syntax; it is not meant to validate or run.
program vyre.examples.all_exprs workgroup(32) {
  buffer a: u32 read_write @0
  buffer f: f32 read_write @1

  region vyre.program.root {
    # ids: invocation (global), workgroup and local id on each axis
    let x = gid.x
    let w = wgid.y
    let l = lid.z
    let odd_axis = gid(7)
    # infix operators, C precedence, loosest first:
    #   ||  &&  |  ^  &  == !=  < > <= >=  << >>  + -  * / %
    let b = x < 4 || x >= 8 && x != 5
    let c = (x | w) ^ l & 255
    let d = x << 2 >> 1
    let e = (x + 1) * (w - 2) / 3 % 7
    let g = x == l
    let h = x <= w
    let k = x > w
    let m = x - (w - l)
    # the other binary ops are named
    let n0 = abs_diff(x, w)
    let n1 = min(x, w)
    let n2 = max(x, w)
    let n3 = saturating_add(x, w)
    let n4 = saturating_sub(x, w)
    let n5 = saturating_mul(x, w)
    let n6 = shuffle(x, w)
    let n7 = ballot(x, w)
    let n8 = wave_reduce(x, w)
    let n9 = wave_broadcast(x, w)
    let n10 = rotate_left(x, 3)
    let n11 = rotate_right(x, 3)
    let n12 = wrapping_add(x, w)
    let n13 = wrapping_sub(x, w)
    let n14 = mul_high(x, w)
    # prefix operators: Negate, BitNot, LogicalNot; the rest are named
    let u0 = -x
    let u1 = ~x
    let u2 = !b
    let u3 = -(5)
    let u4 = --x
    let u5 = popcount(x) + clz(x) + ctz(x) + reverse_bits(x)
    let v = f[x]
    let u6 = cos(v) + sin(v) + tan(v) + acos(v) + asin(v) + atan(v)
    let u7 = tanh(v) + sinh(v) + cosh(v) + exp(v) + exp2(v) + log(v) + log2(v)
    let u8 = abs(v) + sqrt(v) + inverse_sqrt(v) + reciprocal(v) + sign(v)
    let u9 = floor(v) + ceil(v) + round(v) + trunc(v)
    let u10 = is_nan(v) || is_inf(v) || is_finite(v)
    let u11 = unpack4_low(x) + unpack4_high(x) + unpack8_low(x) + unpack8_high(x)
    # literals: u32, i32, bool, f32 (every bit pattern), wide u64/i64/f64
    let i0 = 4294967295
    let i1 = 0x7F
    let i2 = -2147483648i
    let i3 = 7i
    let t = true
    let ff = false
    let f0 = 1.5f
    let f1 = -0.0f
    let f2 = inf
    let f3 = -inf
    let f4 = nan
    let f5 = f32_bits(0x7FC00001)
    let f6 = 1e-45f
    let f7 = 3.4028235e+38f
    let f8 = 0.1f
    let w0 = 18446744073709551615u64
    let w1 = -9223372036854775808i64
    let w2 = 2.5f64
    let w3 = -1e-300f64
    # memory, selection, casts, calls, fma
    let ld = a[x]
    let ln = len(a)
    let s = select(b, x, w)
    let cv0 = cast<f32>(x)
    let cv1 = cast<vec<u8, 4>>(x)
    let cv2 = cast<quantized<i8, per_channel(0), absent>>(x)
    let cl0 = call primitive.arith.add(x, 1)
    let cl1 = call "vyre-libs::math::clamp"(x, 0, 10)
    let cl2 = call vyre.noargs()
    let fm = fma(f[0], f[1], f[2])
    # atomics: buffer[index], optional expected value, value, ordering
    let a0 = atomic_add(a[0], 1, relaxed)
    let a1 = atomic_or(a[0], 1, acquire)
    let a2 = atomic_and(a[0], 1, release)
    let a3 = atomic_xor(a[0], 1, acq_rel)
    let a4 = atomic_min(a[0], 1, seq_cst)
    let a5 = atomic_max(a[0], 1, grid_sync)
    let a6 = atomic_exchange(a[0], 1, seq_cst)
    let a7 = atomic_compare_exchange(a[0], 0, 1, seq_cst)
    let a8 = atomic_compare_exchange_weak(a[0], 0, 1, seq_cst)
    let a9 = atomic_fetch_nand(a[0], 1, seq_cst)
    let a10 = atomic_lru_update(a[0], 1, seq_cst)
    let a11 = atomic_opaque<0x80000001>(a[0], 1, seq_cst)
    # subgroups
    let s0 = subgroup_add(x)
    let s1 = subgroup_shuffle(x, 3)
    let s2 = subgroup_ballot(x > 2)
    let s3 = subgroup_local_id()
    let s4 = subgroup_size()
    # extensions: operators with an extension id, opaque expressions
    let o0 = opaque_binop<0x80000002>(x, w)
    let o1 = opaque_unop<0x80000003>(x)
    let o2 = opaque("vendor.expr.magic", "\x00\xFF")
  }
}
