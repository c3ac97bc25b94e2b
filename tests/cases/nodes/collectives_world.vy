# Collectives on the WORLD group (0) run on the single-rank reference after
# lowering (vyre-ir.md §2.1, transform/collectives.rs): AllReduce and
# Broadcast(root 0) vanish; AllGather and ReduceScatter become
#   let __vyre_single_rank_collective_idx_K = gid.x
#   if idx < buflen(out) { if idx < buflen(in) { out[idx] = in[idx] } }
# Grid: the largest output, g (6 elements) -> 6 invocations (workgroup 1).
# g[i] = a[i] for i < 4 (a has 4), g[4], g[5] stay 0; r[i] = a[i] for
# i < 3 (r has 3); `a` itself is untouched by all_reduce/broadcast.
# >>> input a = 10,20,30,40
# >>> expect g = 10 20 30 40 0 0
# >>> expect r = 10 20 30
# >>> tags: node collective
program {
  buffer a: u32 read @0 count(4)
  buffer g: u32 read_write @1 count(6) output
  buffer r: u32 read_write @2 count(3) live_out
  region vyre.program.root {
    all_reduce(a, sum, 0)
    broadcast(a, 0, 0)
    all_gather(a, g, 0)
    reduce_scatter(a, r, max, 0)
  }
}
