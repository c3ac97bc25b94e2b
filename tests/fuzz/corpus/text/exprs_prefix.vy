program p {
  region r {
    let v = -(-5i) + ~-5i - --x * f32_bits(0x7FC00001) / -0.0f
  }
}
