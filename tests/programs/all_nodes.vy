# Every statement kind and every buffer attribute. This program shows the
# syntax; it is not meant to validate or run (collectives, async copies,
# indirect dispatch, traps and opaque nodes have no reference semantics).
program vyre.examples.all_nodes workgroup(8, 4, 2) non_composable_with_self {
  buffer src: u32 read @0 count(64) align(16) locality(streaming)
  buffer dst: u32 read_write @1 count(64) output live_out range(0, 128) coalesce(0)
  buffer params: u32 uniform @2 count(4) kind(push)
  buffer sink: u32 write @3 kind(persistent) linear(affine) shape(and(at_least(4), multiple_of(4)))
  buffer blob: bytes read_write @4 bytes_extraction locality(random)
  buffer counts: u32 read @5 count(8) linear(relevant) shape(or(exactly(8), not(mod_equals(3, 1))))
  buffer window: u32 read @6 linear(linear) shape(affine_range(2, -1, 0, 1000))
  buffer limits: u32 read @7 kind(global) shape(at_most(4096))
  buffer stage: u32 workgroup count(32)
  buffer stage2: u32 workgroup @9 count(32) kind(local)

  region vyre.program.root source examples.all_nodes {
    let x = gid.x
    x = x + 1
    dst[x] = src[x]
    if x < 8 {
      return
    } else if x < 16 {
      block {
        let y = 2
      }
    } else {
      barrier(acq_rel)
    }
    loop i in 0..4 {
      stage[i] = i
    }
    barrier
    indirect_dispatch(counts, 16)
    async_load(src, stage, 0, 64, "copy-in")
    async_wait("copy-in")
    async_store(stage, dst, x * 4, 64, "copy-out")
    async_wait("copy-out")
    trap(x, fault)
    resume(fault)
    all_reduce(dst, sum, 0)
    all_gather(src, dst, 0)
    reduce_scatter(src, dst, bit_xor, 1)
    broadcast(dst, 0, 0)
    opaque("vendor.node.prefetch", "\x01\x02")
  }
  region vyre.program.second {
  }
}
