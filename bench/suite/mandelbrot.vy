# mandelbrot: escape-time iteration counts of a w x h image of the region
# x in [-2, 1), y in [-1.125, 1.125) (square pixels of 3/w), at most
# `max_iter` iterations. A divergent loop: each invocation leaves with
# `return` as soon as its point escapes (|z|^2 > 4), so neighbouring
# invocations run very different trip counts. f32 throughout, every
# operation rounded separately (the native baseline does the same steps
# in the same order, so the counts agree exactly).
#
# bench: tags compute f32 divergent
# bench: size small w=128 h=96 max_iter=128
# bench: size medium w=1024 h=768 max_iter=256
# bench: size large w=2048 h=1536 max_iter=256
# bench: input shape = {w},{max_iter}
# bench: input iters = zeros:{w*h}
# bench: work elements w*h
program mandelbrot workgroup(256) {
  buffer shape: u32 uniform @0 count(2)
  buffer iters: u32 read_write @1

  region vyre.program.root {
    let i = gid.x
    if i < len(iters) {
      let w = shape[0]
      let max_iter = shape[1]
      let step = 3.0f / cast<f32>(w)
      let cx = -2.0f + cast<f32>(i % w) * step
      let cy = -1.125f + cast<f32>(i / w) * step
      let x = 0.0f
      let y = 0.0f
      loop k in 0..max_iter {
        let xx = x * x
        let yy = y * y
        if xx + yy > 4.0f {
          iters[i] = k
          return
        }
        y = 2.0f * x * y + cy
        x = xx - yy + cx
      }
      iters[i] = max_iter
    }
  }
}
