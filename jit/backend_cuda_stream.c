/* backend_cuda_stream.c - Streamable on the cuda backend (backend.h): the
 * program is compiled once, then every chunk is one dispatch started on a
 * lane of its own (a CUDA stream, backend_cuda_run.c) with its own pinned
 * staging and device blocks, and up to K dispatches are in flight at once
 * (K = max_chunks_in_flight, default 3). Because each one's upload,
 * launches and download are queued on a different stream, the GPU's copy
 * engines upload chunk k+1 and download chunk k-1 while chunk k computes;
 * the caller's thread stages the next chunk meanwhile, with a pool of up to
 * MAX_COPIERS threads sharing the large copies into pinned staging (one
 * core's memcpy is slower than the link). Results are finished and
 * delivered to the sink in chunk order on the caller's thread, lent in
 * place from the pinned staging block (the sink borrows outputs for the
 * call), so outputs are never copied on the host.
 *
 * The fixed inputs cross the host link once: they are uploaded into device
 * memory (resident buffers of the backend) when the stream starts, and
 * each chunk's dispatch (vy_cuda_run_start_fixed) binds a fixed buffer the
 * program only reads to that copy in place, and gives one it writes
 * (read_write) device bytes of its own, restored from the copy by a
 * device-to-device copy on the chunk's CUDA stream. So every chunk is still
 * an independent dispatch with the result of dispatching it alone, and
 * only the chunk's bytes go up.
 *
 * A chunk's bytes are copied into pinned staging when its dispatch starts,
 * so a source's chunk is needed only until the next call of next(), stable
 * or not. Memory is bounded by the fixed inputs' device copies and K
 * dispatches (their staging and device blocks, reused from the backend's
 * pools; the binding's host buffers of a chunk's size from a reuse cache,
 * so that no chunk maps fresh pages) whatever the stream length. */
#include <string.h>

#include "backend_cuda_priv_int.h"
#include "error_int.h"
#include "stream_int.h"

#define DEFAULT_IN_FLIGHT 3u /* triple buffering */
#define MAX_COPIERS 8u       /* threads copying chunks into and out of pinned staging */

typedef struct ring {
  const vy_allocator *alloc; /* the dispatches' host buffers: chunk-sized blocks reused */
  vy_pool *copiers;          /* threads sharing the staging copies (NULL: the caller alone) */
  const vy_cuda_fixed *fixed; /* the fixed inputs (ins[1..]) on the device */
  vy_cuda_run *runs;
  size_t k;
  uint64_t head, tail; /* next to deliver / to start */
} ring;

/* Reads the next chunk and starts its dispatch in the ring's tail slot
 * (a dispatch error is kept in the slot for the sink). Returns the
 * source's error; *eof at its end. */
static vy_status start_next(cuda_kernel *k, const vy_chunk_source *src, vy_input *ins, size_t nins, ring *r, bool *eof,
                            vy_error *err) {
  vy_input c = {NULL, 0};
  vy_status st = src->next(src->ud, &c, eof, err);
  if (st != VY_OK || *eof) return st;
  if (c.len && !c.data)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "the chunk source gave %zu bytes at a NULL pointer. Fix: return the chunk's bytes", c.len);
  ins[0] = c;
  vy_error e;
  vy_cuda_run_start_fixed(k, r->alloc, r->copiers, r->fixed, ins, nins, &k->base.cfg, &r->runs[r->tail % r->k], &e);
  r->tail++;
  return VY_OK;
}

/* The fixed inputs' device copies: one resident buffer per non-empty
 * input (res[j] NULL and dev[j] 0 for an empty one), uploaded now. */
static vy_status upload_fixed(vy_backend *be, const vy_input *fixed, size_t nfixed, vy_resident **res, vy_cu_ptr *dev,
                              vy_error *err) {
  vy_status st = VY_OK;
  for (size_t j = 0; j < nfixed && st == VY_OK; j++) {
    if (!fixed[j].len) continue;
    st = vy_resident_alloc(be, fixed[j].len, &res[j], err);
    if (st == VY_OK) st = vy_resident_upload(res[j], 0, fixed[j].data, fixed[j].len, err);
    if (res[j]) dev[j] = vy_cuda_resident_dptr(res[j]);
  }
  return st;
}

static vy_status cuda_stream(vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed,
                             const vy_chunk_source *src, const vy_output_sink *sink, const vy_dispatch_config *cfg,
                             vy_error *err) {
  vy_status st = vy_stream_check_args(fixed, nfixed, src, sink, err);
  if (st != VY_OK) return st;
  const vy_allocator *a = vy_context_allocator(be->ctx);
  vy_kernel *kb = NULL;
  st = vy_compile(be, p, cfg, &kb, err);
  if (st != VY_OK) return st;
  cuda_kernel *k = (cuda_kernel *)kb;
  vy_reuse_alloc reuse;
  vy_reuse_alloc_init(&reuse, a);
  size_t nins = nfixed + 1;
  vy_resident **res = vy_mem_calloc(a, nins, sizeof *res); /* nins: never 0 bytes */
  vy_cu_ptr *dev = res ? vy_mem_calloc(a, nins, sizeof *dev) : NULL;
  vy_cuda_fixed fx = {dev, 1, nfixed};
  ring r = {&reuse.alloc, NULL, &fx, NULL,
            kb->cfg.max_chunks_in_flight ? kb->cfg.max_chunks_in_flight : DEFAULT_IN_FLIGHT, 0, 0};
  if (!dev) st = vy_error_nomem(err);
  if (st == VY_OK) st = upload_fixed(be, fixed, nfixed, res, dev, err);
  unsigned nt = vy_pool_default_threads();
  if (st == VY_OK && nt > 1) /* one thread: the caller copies alone */
    st = vy_pool_create(a, nt < MAX_COPIERS ? nt : MAX_COPIERS, &r.copiers, err);
  vy_input *ins = st == VY_OK ? vy_mem_calloc(a, nins, sizeof *ins) : NULL;
  r.runs = ins ? vy_mem_calloc(a, r.k, sizeof *r.runs) : NULL;
  if (!r.runs) st = st == VY_OK ? vy_error_nomem(err) : st;
  if (r.runs && nfixed) memcpy(ins + 1, fixed, nfixed * sizeof *fixed);
  bool eof = false, stopping = false;
  for (; r.runs;) {
    while (st == VY_OK && !eof && !stopping && r.tail - r.head < r.k) st = start_next(k, src, ins, nins, &r, &eof, err);
    if (r.head == r.tail) break;
    vy_outputs outs;
    vy_error e;
    vy_cuda_run *run = &r.runs[r.head % r.k];
    vy_status cst = vy_cuda_run_finish_lent(run, &outs, &e); /* the outputs stay in pinned staging */
    if (!stopping && !sink->put(sink->ud, (size_t)r.head, cst, cst == VY_OK ? &outs : NULL, cst == VY_OK ? NULL : &e))
      stopping = true; /* the chunks in flight are finished and dropped */
    if (cst == VY_OK) vy_cuda_run_unlend(run, &outs);
    r.head++;
  }
  vy_mem_free(a, r.runs, r.k * sizeof *r.runs);
  vy_mem_free(a, ins, nins * sizeof *ins);
  for (size_t j = 0; res && j < nfixed; j++) vy_resident_free(res[j]);
  vy_mem_free(a, dev, nins * sizeof *dev);
  vy_mem_free(a, res, nins * sizeof *res);
  vy_pool_destroy(r.copiers);
  vy_reuse_alloc_destroy(&reuse);
  vy_kernel_destroy(kb);
  return st;
}

const vy_streamable vy_cuda_streamable = {cuda_stream};
