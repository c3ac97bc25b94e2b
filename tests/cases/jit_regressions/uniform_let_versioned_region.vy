# A value the whole workgroup shares (v = len(out) > wgid.x, uniform) is
# bound before a barrier and read after it, in a region that llvm-cpu
# compiles twice: a fast copy (the atomic's index lid.x & 1 is known in
# range of sa's 2 elements) and a checked copy for edge workgroups. Each copy
# bound v to storage of its own and the region after the barrier read the
# checked copy's, so workgroups that ran the fast copy read a stale v (found
# by the llvm-cpu fuzz campaign, tests/fuzz/corpus/jit/cpu-finding-1). Now
# one storage per Let node (jit/lower.c vy_lw_bind, vy_lw.umem).
# By hand: len(out) = 8 > wgid.x = 0, so v is true and out[i] = 1 for every
# i; sa starts at 15, 15 and each of the 8 invocations ands 8 into
# sa[i & 1]: 8, 8.
# >>> input sa = 15,15
# >>> expect sa = 8 8
# >>> expect out = 1 1 1 1 1 1 1 1
# >>> tags: jit memory atomics
program workgroup(8) {
  buffer sa: u32 read_write @0 count(2)
  buffer out: i32 read_write @1 count(8) output
  region vyre.program.root {
    let v = len(out) > wgid.x
    let _u = atomic_and(sa[lid.x & 1], 8, acquire)
    barrier
    out[gid.x] = select(v, 1i, 2i)
  }
}
