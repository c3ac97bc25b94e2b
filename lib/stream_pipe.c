/* stream_pipe.c - the chunk pipeline (stream_int.h): the caller's thread
 * reads chunks into a ring of slots and delivers finished slots to the sink
 * in order; worker threads take queued slots in order and run them. One
 * mutex guards the slot states and counters; the chunk bytes, inputs and
 * outputs of a slot belong to whoever holds the slot (the caller while it is
 * FREE or DONE, one worker while it runs). */
#include <pthread.h>
#include <string.h>

#include "alloc_int.h"
#include "error_int.h"
#include "stream_int.h"

typedef enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE } slot_state;

typedef struct slot {
  vy_input *ins;   /* [chunk, fixed...] */
  uint8_t *copy;   /* owned copy of the chunk (unstable sources) */
  size_t cap;
  vy_outputs outs;
  vy_status st;
  vy_error err;
  slot_state state;
  bool skipped; /* not run: the stream was stopping */
} slot;

typedef struct pipe {
  const vy_allocator *alloc;
  const vy_stream_exec *ex;
  size_t nins, k;
  slot *slots;
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  uint64_t queued, taken; /* slots queued by the caller / taken by workers */
  bool quit, cancel;
} pipe_t;

typedef struct worker_arg {
  pipe_t *p;
  unsigned index;
} worker_arg;

static void run_slot(pipe_t *p, slot *s, unsigned worker) {
  vy_error_clear(&s->err);
  memset(&s->outs, 0, sizeof s->outs);
  s->st = p->ex->run(p->ex->ud, worker, s->ins, p->nins, &s->outs, &s->err);
  if (s->st != VY_OK) vy_outputs_free(&s->outs);
}

static void *worker_main(void *ud) {
  worker_arg *w = ud;
  pipe_t *p = w->p;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->quit && p->taken == p->queued) pthread_cond_wait(&p->work, &p->mu);
    if (p->taken == p->queued) break; /* quit with nothing queued */
    slot *s = &p->slots[p->taken++ % p->k];
    s->skipped = p->cancel;
    pthread_mutex_unlock(&p->mu);
    if (!s->skipped) run_slot(p, s, w->index);
    pthread_mutex_lock(&p->mu);
    s->state = SLOT_DONE;
    pthread_cond_broadcast(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

vy_status vy_stream_check_args(const vy_input *fixed, size_t nfixed, const vy_chunk_source *src,
                               const vy_output_sink *sink, vy_error *err) {
  if (!src || !src->next || !sink || !sink->put || (nfixed && !fixed))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_stream: missing chunk source, sink or fixed inputs. Fix: pass all of them");
  if (nfixed >= SIZE_MAX / sizeof(vy_input) / 64) return vy_error_nomem(err);
  return VY_OK;
}

/* Reads the next chunk into slot s (copying it unless the source is
 * stable). *done at the end of the source. */
static vy_status read_chunk(pipe_t *p, const vy_chunk_source *src, slot *s, bool *done, vy_error *err) {
  vy_input c = {NULL, 0};
  vy_status st = src->next(src->ud, &c, done, err);
  if (st != VY_OK || *done) return st;
  if (c.len && !c.data)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "the chunk source gave %zu bytes at a NULL pointer. Fix: return the chunk's bytes", c.len);
  if (!(src->flags & VY_CHUNK_STABLE) && c.len) {
    if (c.len > s->cap) {
      uint8_t *n = vy_mem_alloc(p->alloc, c.len);
      if (!n) return vy_error_nomem(err);
      vy_mem_free(p->alloc, s->copy, s->cap);
      s->copy = n;
      s->cap = c.len;
    }
    memcpy(s->copy, c.data, c.len);
    c.data = s->copy;
  }
  s->ins[0] = c;
  return VY_OK;
}

static void free_slots(pipe_t *p) {
  for (size_t i = 0; p->slots && i < p->k; i++) {
    vy_mem_free(p->alloc, p->slots[i].copy, p->slots[i].cap);
    vy_outputs_free(&p->slots[i].outs);
  }
  if (p->slots && p->slots[0].ins) vy_mem_free(p->alloc, p->slots[0].ins, p->k * p->nins * sizeof(vy_input));
  vy_mem_free(p->alloc, p->slots, p->k * sizeof *p->slots);
}

static vy_status alloc_slots(pipe_t *p, const vy_input *fixed, size_t nfixed, vy_error *err) {
  p->slots = vy_mem_calloc(p->alloc, p->k, sizeof *p->slots);
  vy_input *ins = p->slots ? vy_mem_calloc(p->alloc, p->k * p->nins, sizeof *ins) : NULL;
  if (!ins) {
    vy_mem_free(p->alloc, p->slots, p->k * sizeof *p->slots);
    p->slots = NULL;
    return vy_error_nomem(err);
  }
  for (size_t i = 0; i < p->k; i++) {
    p->slots[i].ins = ins + i * p->nins;
    if (nfixed) memcpy(p->slots[i].ins + 1, fixed, nfixed * sizeof *fixed);
  }
  return VY_OK;
}

/* Starts the workers; on failure stops those started (VY_E_NOMEM). */
static vy_status start_workers(pipe_t *p, pthread_t *threads, worker_arg *args, unsigned *started, vy_error *err) {
  for (unsigned i = 0; i < p->ex->workers; i++) {
    args[i] = (worker_arg){p, i};
    if (pthread_create(&threads[i], NULL, worker_main, &args[i]) != 0)
      return vy_error_set(err, VY_E_NOMEM,
                          "vy_stream: cannot start worker thread %u of %u. Fix: lower the thread count or free "
                          "system resources",
                          i + 1, p->ex->workers);
    (*started)++;
  }
  return VY_OK;
}

vy_status vy_stream_pipeline(const vy_allocator *alloc, const vy_input *fixed, size_t nfixed,
                             const vy_chunk_source *src, const vy_output_sink *sink, const vy_stream_exec *ex,
                             vy_error *err) {
  vy_status st = vy_stream_check_args(fixed, nfixed, src, sink, err);
  if (st != VY_OK) return st;
  pipe_t p = {.alloc = alloc, .ex = ex, .nins = nfixed + 1};
  unsigned nw = ex->workers;
  p.k = nw == 0 ? 1 : ex->in_flight ? (ex->in_flight < nw ? nw : ex->in_flight) : 2 * (size_t)nw;
  st = alloc_slots(&p, fixed, nfixed, err);
  if (st != VY_OK) return st;
  pthread_t *threads = nw ? vy_mem_calloc(alloc, nw, sizeof *threads) : NULL;
  worker_arg *args = nw ? vy_mem_calloc(alloc, nw, sizeof *args) : NULL;
  unsigned started = 0;
  if (nw && (!threads || !args)) st = vy_error_nomem(err);
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.work, NULL);
  pthread_cond_init(&p.done, NULL);
  if (st == VY_OK) st = start_workers(&p, threads, args, &started, err);
  uint64_t head = 0, tail = 0; /* next slot to deliver / to fill */
  bool eof = false, stopping = st != VY_OK;
  for (;;) {
    while (st == VY_OK && !eof && !stopping && tail - head < p.k) {
      slot *s = &p.slots[tail % p.k];
      st = read_chunk(&p, src, s, &eof, err);
      if (st != VY_OK || eof) break;
      tail++;
      if (nw == 0) {
        run_slot(&p, s, 0);
        s->state = SLOT_DONE;
        break; /* deliver before reading the next chunk */
      }
      pthread_mutex_lock(&p.mu);
      s->state = SLOT_QUEUED;
      p.queued = tail;
      pthread_cond_signal(&p.work);
      pthread_mutex_unlock(&p.mu);
    }
    if (head == tail) break;
    slot *h = &p.slots[head % p.k];
    pthread_mutex_lock(&p.mu);
    while (h->state != SLOT_DONE) pthread_cond_wait(&p.done, &p.mu);
    pthread_mutex_unlock(&p.mu);
    if (!stopping && !h->skipped &&
        !sink->put(sink->ud, (size_t)head, h->st, h->st == VY_OK ? &h->outs : NULL, h->st == VY_OK ? NULL : &h->err)) {
      stopping = true;
      pthread_mutex_lock(&p.mu);
      p.cancel = true;
      pthread_mutex_unlock(&p.mu);
    }
    vy_outputs_free(&h->outs);
    h->state = SLOT_FREE;
    head++;
  }
  pthread_mutex_lock(&p.mu);
  p.quit = true;
  pthread_cond_broadcast(&p.work);
  pthread_mutex_unlock(&p.mu);
  for (unsigned i = 0; i < started; i++) pthread_join(threads[i], NULL);
  pthread_cond_destroy(&p.done);
  pthread_cond_destroy(&p.work);
  pthread_mutex_destroy(&p.mu);
  vy_mem_free(alloc, threads, nw * sizeof *threads);
  vy_mem_free(alloc, args, nw * sizeof *args);
  free_slots(&p);
  return st;
}

/* ---- the reuse allocator ---- */

static void *reuse_fn(void *ud, void *ptr, size_t old_size, size_t new_size) {
  vy_reuse_alloc *r = ud;
  if (!ptr && new_size >= VY_REUSE_MIN_BYTES) { /* a large allocation: a kept block of that size? */
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n; i++)
      if (r->size[i] == new_size) {
        void *b = r->block[i];
        r->n--;
        r->block[i] = r->block[r->n];
        r->size[i] = r->size[r->n];
        pthread_mutex_unlock(&r->mu);
        return b;
      }
    pthread_mutex_unlock(&r->mu);
  } else if (ptr && !new_size && old_size >= VY_REUSE_MIN_BYTES) { /* a large free: keep it */
    pthread_mutex_lock(&r->mu);
    if (r->n < VY_REUSE_BLOCKS) {
      r->block[r->n] = ptr;
      r->size[r->n++] = old_size;
      pthread_mutex_unlock(&r->mu);
      return NULL;
    }
    pthread_mutex_unlock(&r->mu);
  }
  if (!ptr) return vy_mem_alloc(r->inner, new_size);
  if (!new_size) {
    vy_mem_free(r->inner, ptr, old_size);
    return NULL;
  }
  return vy_mem_realloc(r->inner, ptr, old_size, new_size);
}

void vy_reuse_alloc_init(vy_reuse_alloc *r, const vy_allocator *inner) {
  memset(r, 0, sizeof *r);
  r->alloc.fn = reuse_fn;
  r->alloc.ud = r;
  r->inner = inner;
  pthread_mutex_init(&r->mu, NULL);
}

void vy_reuse_alloc_destroy(vy_reuse_alloc *r) {
  for (size_t i = 0; i < r->n; i++) vy_mem_free(r->inner, r->block[i], r->size[i]);
  r->n = 0;
  pthread_mutex_destroy(&r->mu);
}
