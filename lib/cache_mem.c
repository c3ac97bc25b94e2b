/* cache_mem.c - loaded kernels in memory: key -> kernel handle, shared by
 * every request of the process, bounded by entries and code bytes with
 * least-recently-used eviction, reference counted, and building each key
 * once however many threads ask for it at the same time.
 *
 * Entries live in a chained hash table (the key is already a uniform hash;
 * its first 8 bytes pick the bucket). An entry is
 *   BUILDING  its first requester is compiling or loading it; later
 *             requesters take a reference and wait on the entry's
 *             condition variable;
 *   READY     loaded; in the LRU list unless retired;
 *   FAILED    the build failed: already out of the table, kept only until
 *             the threads that waited for it have read the error;
 *   DYING     its kernel is being destroyed (outside the lock); it stays in
 *             the table meanwhile so that a request for its key waits and
 *             then builds anew - the old code is gone before the new one is
 *             loaded (a JIT refuses to load the same symbols twice);
 *   GONE      destroyed and out of the table, freed by the last thread
 *             that waited for it.
 * Eviction (over a limit, purge) takes the least recently used READY entry
 * out of the LRU list. Unreferenced, it becomes DYING and its kernel is
 * destroyed (the backend's destroy callback frees its code); referenced, it
 * is "retired": it stays in the table, counts against no limit, and becomes
 * DYING at its last release - unless a request for its key comes first and
 * revives it, which again keeps the code loaded only once.
 *
 * One mutex guards the table, the LRU list, the counters and the states.
 * Builds and destroy callbacks run outside it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "alloc_int.h"
#include "cache_int.h"
#include "error_int.h"

enum { ST_BUILDING, ST_READY, ST_FAILED, ST_DYING, ST_GONE };

struct vy_kcache_entry {
  vy_ckey key;
  const void *domain;
  vy_kcache_entry *hnext;       /* hash chain */
  vy_kcache_entry *dnext;       /* list of DYING entries to destroy after unlocking */
  vy_kcache_entry *prev, *next; /* LRU list: READY and not retired; head = most recent */
  vy_kcache_kernel k;           /* READY: the loaded kernel */
  uint32_t refs;                /* references held by requesters (the table holds none) */
  uint8_t state;
  bool retired;        /* evicted while referenced */
  pthread_cond_t done; /* broadcast when BUILDING or DYING ends */
  vy_status fail;      /* FAILED: the build's status */
  vy_error *fail_err;  /* FAILED: its error for waiters (NULL: could not be kept) */
};

struct vy_kcache {
  vy_allocator alloc_copy;   /* the caller's allocator, copied */
  const vy_allocator *alloc; /* &alloc_copy, or NULL for malloc */
  vy_dcache *disk;           /* borrowed, may be NULL */
  pthread_mutex_t lock;
  vy_kcache_entry **buckets;
  size_t nbuckets;              /* a power of two */
  size_t count;                 /* entries in the table (any state) */
  vy_kcache_entry *head, *tail; /* LRU list */
  uint64_t max_entries, max_bytes;
  uint64_t entries, bytes, retired; /* gauges: READY in the LRU list, their bytes, retired entries */
  uint64_t hits, waits, misses, failures, evictions;
  atomic_uint_least64_t compiles;
};

/* ---- table and list ---- */

static size_t bucket_of(const vy_kcache *c, const vy_ckey *key, const void *domain) {
  uint64_t h;
  memcpy(&h, key->b, sizeof h);
  h ^= (uint64_t)(uintptr_t)domain * 0x9E3779B97F4A7C15ull;
  return (size_t)(h & (c->nbuckets - 1));
}

static vy_kcache_entry *find(const vy_kcache *c, const vy_ckey *key, const void *domain) {
  for (vy_kcache_entry *e = c->buckets[bucket_of(c, key, domain)]; e; e = e->hnext)
    if (e->domain == domain && memcmp(e->key.b, key->b, sizeof key->b) == 0) return e;
  return NULL;
}

static void table_remove(vy_kcache *c, vy_kcache_entry *e) {
  vy_kcache_entry **p = &c->buckets[bucket_of(c, &e->key, e->domain)];
  while (*p != e) p = &(*p)->hnext;
  *p = e->hnext;
  e->hnext = NULL;
  c->count--;
}

/* Doubles the bucket array; on allocation failure keeps the old one (chains
 * just get longer). */
static void table_grow(vy_kcache *c) {
  size_t n = c->nbuckets * 2;
  vy_kcache_entry **b = vy_mem_calloc(c->alloc, n, sizeof *b);
  if (!b) return;
  vy_kcache_entry **old = c->buckets;
  size_t old_n = c->nbuckets;
  c->buckets = b;
  c->nbuckets = n;
  for (size_t i = 0; i < old_n; i++) {
    for (vy_kcache_entry *e = old[i], *next; e; e = next) {
      next = e->hnext;
      size_t j = bucket_of(c, &e->key, e->domain);
      e->hnext = b[j];
      b[j] = e;
    }
  }
  vy_mem_free(c->alloc, old, old_n * sizeof *old);
}

static void table_insert(vy_kcache *c, vy_kcache_entry *e) {
  if (c->count >= c->nbuckets) table_grow(c);
  size_t i = bucket_of(c, &e->key, e->domain);
  e->hnext = c->buckets[i];
  c->buckets[i] = e;
  c->count++;
}

static void lru_unlink(vy_kcache *c, vy_kcache_entry *e) {
  if (e->prev)
    e->prev->next = e->next;
  else
    c->head = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    c->tail = e->prev;
  e->prev = e->next = NULL;
}

static void lru_push(vy_kcache *c, vy_kcache_entry *e) {
  e->prev = NULL;
  e->next = c->head;
  if (c->head)
    c->head->prev = e;
  else
    c->tail = e;
  c->head = e;
}

/* Puts a READY entry (not in the list) into the LRU list and the gauges. */
static void lru_add(vy_kcache *c, vy_kcache_entry *e) {
  lru_push(c, e);
  c->entries++;
  c->bytes += e->k.code_bytes;
}

/* Marks an unreferenced entry DYING and puts it on *doomed: its kernel is
 * destroyed by finish_doomed after unlocking. */
static void doom(vy_kcache_entry *e, vy_kcache_entry **doomed) {
  e->state = ST_DYING;
  e->dnext = *doomed;
  *doomed = e;
}

/* Takes a READY entry out of the LRU list: dooms it if unreferenced,
 * retires it if referenced. */
static void evict(vy_kcache *c, vy_kcache_entry *e, vy_kcache_entry **doomed) {
  lru_unlink(c, e);
  c->entries--;
  c->bytes -= e->k.code_bytes;
  c->evictions++;
  if (e->refs) {
    e->retired = true;
    c->retired++;
  } else {
    doom(e, doomed);
  }
}

static void evict_over_limits(vy_kcache *c, vy_kcache_entry **doomed) {
  while (c->tail && (c->entries > c->max_entries || c->bytes > c->max_bytes)) evict(c, c->tail, doomed);
}

/* ---- entry lifetime ---- */

/* Frees an entry's memory (its kernel, if any, is already destroyed). */
static void entry_free(vy_kcache *c, vy_kcache_entry *e) {
  if (e->fail_err) vy_mem_free(c->alloc, e->fail_err, sizeof *e->fail_err);
  pthread_cond_destroy(&e->done);
  vy_mem_free(c->alloc, e, sizeof *e);
}

static void destroy_kernel(vy_kcache_entry *e) {
  if (e->k.destroy) e->k.destroy(e->k.kernel, e->k.destroy_ctx);
}

/* Destroys the kernels of DYING entries (called without the lock), then
 * takes each out of the table, wakes the threads that wait for it, and
 * frees it unless one of them will. */
static void finish_doomed(vy_kcache *c, vy_kcache_entry *doomed) {
  while (doomed) {
    vy_kcache_entry *e = doomed;
    doomed = e->dnext;
    destroy_kernel(e);
    pthread_mutex_lock(&c->lock);
    table_remove(c, e);
    e->state = ST_GONE;
    pthread_cond_broadcast(&e->done);
    bool free_it = e->refs == 0;
    pthread_mutex_unlock(&c->lock);
    if (free_it) entry_free(c, e);
  }
}

static void apply_limits(vy_kcache *c, const vy_cache_settings *s) {
  c->max_entries = s && s->mem_max_entries ? s->mem_max_entries : VY_CACHE_DEFAULT_MEM_ENTRIES;
  c->max_bytes = s && s->mem_max_code_bytes ? s->mem_max_code_bytes : VY_CACHE_DEFAULT_MEM_BYTES;
}

vy_status vy_kcache_create(const vy_allocator *alloc, const vy_cache_settings *s, vy_dcache *disk, vy_kcache **out,
                           vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_kcache_create needs an output. Fix: pass one.");
  *out = NULL;
  vy_kcache *c = vy_mem_calloc(alloc, 1, sizeof *c);
  if (!c) return vy_error_nomem(err);
  if (alloc) {
    c->alloc_copy = *alloc;
    c->alloc = &c->alloc_copy;
  }
  c->disk = disk;
  apply_limits(c, s);
  c->nbuckets = 64;
  c->buckets = vy_mem_calloc(c->alloc, c->nbuckets, sizeof *c->buckets);
  if (!c->buckets) {
    vy_mem_free(c->alloc, c, sizeof *c);
    return vy_error_nomem(err);
  }
  if (pthread_mutex_init(&c->lock, NULL)) {
    vy_mem_free(c->alloc, c->buckets, c->nbuckets * sizeof *c->buckets);
    vy_mem_free(c->alloc, c, sizeof *c);
    return vy_error_set(err, VY_E_INTERNAL, "could not create the kernel cache's mutex. Fix: report this.");
  }
  atomic_init(&c->compiles, 0);
  *out = c;
  return VY_OK;
}

void vy_kcache_destroy(vy_kcache *c) {
  if (!c) return;
  for (size_t i = 0; i < c->nbuckets; i++) {
    for (vy_kcache_entry *e = c->buckets[i], *next; e; e = next) {
      next = e->hnext;
      destroy_kernel(e); /* only READY entries are left when no request runs */
      entry_free(c, e);
    }
  }
  vy_mem_free(c->alloc, c->buckets, c->nbuckets * sizeof *c->buckets);
  pthread_mutex_destroy(&c->lock);
  vy_mem_free(c->alloc, c, sizeof *c);
}

/* ---- building ---- */

/* Produces the kernel of `key`: from the disk cache when it has a file the
 * backend accepts, else by compiling (and storing the artifact). Runs
 * without the lock. */
static vy_status build(vy_kcache *c, const vy_ckey *key, const vy_kcache_builder *b, vy_kcache_kernel *k,
                       vy_error *err) {
  bool disk = c->disk && b->ext;
  vy_bytes art = {0};
  vy_status st;
  if (disk) {
    vy_dcache_result r;
    st = vy_dcache_load(c->disk, key, b->ext, &art, &r, err);
    if (st) return st;
    if (r == VY_DCACHE_HIT) {
      st = b->load(b->ud, art.data, art.len, k, err);
      vy_bytes_free(&art);
      if (st == VY_OK || st == VY_E_NOMEM) return st;
      vy_dcache_note_rejected(c->disk); /* a bad artifact the checksum did not catch: compile it again */
      *k = (vy_kcache_kernel){0};
    }
  }
  atomic_fetch_add(&c->compiles, 1);
  art = (vy_bytes){0};
  st = b->compile(b->ud, c->alloc, &art, err);
  if (st == VY_OK && art.len == 0)
    st = vy_error_set(err, VY_E_INTERNAL, "a backend's compile step produced an empty artifact. Fix: report this.");
  if (st == VY_OK) {
    if (disk) vy_dcache_store(c->disk, key, b->ext, b->label, art.data, art.len, NULL); /* failures are counted */
    st = b->load(b->ud, art.data, art.len, k, err);
  }
  vy_bytes_free(&art);
  return st;
}

/* Waits for a BUILDING entry the caller holds a reference to (lock held).
 * On failure drops that reference and fills err. */
static vy_status wait_built(vy_kcache *c, vy_kcache_entry *e, vy_error *err, bool *free_it) {
  while (e->state == ST_BUILDING) pthread_cond_wait(&e->done, &c->lock);
  *free_it = false;
  if (e->state == ST_READY) return VY_OK;
  vy_status st = e->fail;
  if (err && e->fail_err)
    *err = *e->fail_err;
  else if (st == VY_E_NOMEM)
    vy_error_nomem(err);
  else
    vy_error_set(err, st,
                 "building this kernel failed in another thread (its error could not be kept). Fix: retry "
                 "the request to see the error.");
  *free_it = --e->refs == 0;
  return st;
}

vy_status vy_kcache_get(vy_kcache *c, const vy_ckey *key, const void *domain, const vy_kcache_builder *b,
                        vy_kcache_entry **out, vy_error *err) {
  if (out) *out = NULL;
  if (!c || !key || !b || !b->compile || !b->load || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_kcache_get needs a cache, a key, a builder with compile and load, and an output. Fix: "
                        "pass all of them.");
  vy_kcache_entry *doomed = NULL, *e;
  pthread_mutex_lock(&c->lock);
  while ((e = find(c, key, domain)) != NULL && e->state == ST_DYING) {
    /* its kernel is being destroyed: wait until it is gone, then build anew */
    e->refs++;
    while (e->state == ST_DYING) pthread_cond_wait(&e->done, &c->lock);
    if (--e->refs == 0) {
      pthread_mutex_unlock(&c->lock);
      entry_free(c, e);
      pthread_mutex_lock(&c->lock);
    }
  }
  if (e) {
    e->refs++;
    vy_status st = VY_OK;
    bool free_it = false;
    if (e->state == ST_READY) {
      c->hits++;
      if (e->retired) { /* evicted, but still loaded: revive it */
        e->retired = false;
        c->retired--;
        lru_add(c, e);
        evict_over_limits(c, &doomed);
      } else if (c->head != e) {
        lru_unlink(c, e);
        lru_push(c, e);
      }
    } else {
      c->waits++;
      st = wait_built(c, e, err, &free_it);
    }
    pthread_mutex_unlock(&c->lock);
    finish_doomed(c, doomed);
    if (free_it) entry_free(c, e);
    if (st == VY_OK) *out = e;
    return st;
  }

  e = vy_mem_calloc(c->alloc, 1, sizeof *e);
  if (!e) {
    pthread_mutex_unlock(&c->lock);
    return vy_error_nomem(err);
  }
  if (pthread_cond_init(&e->done, NULL)) {
    pthread_mutex_unlock(&c->lock);
    vy_mem_free(c->alloc, e, sizeof *e);
    return vy_error_set(err, VY_E_INTERNAL, "could not create a condition variable. Fix: report this.");
  }
  e->key = *key;
  e->domain = domain;
  e->state = ST_BUILDING;
  e->refs = 1;
  table_insert(c, e);
  c->misses++;
  pthread_mutex_unlock(&c->lock);

  vy_error local;
  vy_error_clear(&local);
  vy_kcache_kernel k = {0};
  vy_status st = build(c, key, b, &k, &local);
  if (st && local.code != st) /* a backend that returned a status without filling the error */
    vy_error_set(&local, st, "building the kernel failed (%s) and the backend gave no message. Fix: report this.",
                 vy_status_name(st));

  bool free_it = false;
  pthread_mutex_lock(&c->lock);
  if (st == VY_OK) {
    e->k = k;
    e->state = ST_READY;
    lru_add(c, e);
    evict_over_limits(c, &doomed); /* the new entry is the most recent: evicted last */
  } else {
    e->state = ST_FAILED;
    e->fail = st;
    table_remove(c, e);
    c->failures++;
    if (e->refs > 1) { /* threads are waiting: keep the error for them */
      e->fail_err = vy_mem_alloc(c->alloc, sizeof *e->fail_err);
      if (e->fail_err) *e->fail_err = local;
    }
    free_it = --e->refs == 0;
  }
  pthread_cond_broadcast(&e->done);
  pthread_mutex_unlock(&c->lock);
  finish_doomed(c, doomed);
  if (st) {
    if (err) *err = local;
    if (free_it) entry_free(c, e);
    return st;
  }
  *out = e;
  return VY_OK;
}

void *vy_kcache_entry_kernel(const vy_kcache_entry *e) { return e ? e->k.kernel : NULL; }

void vy_kcache_release(vy_kcache *c, vy_kcache_entry *e) {
  if (!c || !e) return;
  vy_kcache_entry *doomed = NULL;
  pthread_mutex_lock(&c->lock);
  if (--e->refs == 0 && e->retired) {
    e->retired = false;
    c->retired--;
    doom(e, &doomed);
  }
  pthread_mutex_unlock(&c->lock);
  finish_doomed(c, doomed);
}

void vy_kcache_set_limits(vy_kcache *c, const vy_cache_settings *s) {
  if (!c) return;
  vy_kcache_entry *doomed = NULL;
  pthread_mutex_lock(&c->lock);
  apply_limits(c, s);
  evict_over_limits(c, &doomed);
  pthread_mutex_unlock(&c->lock);
  finish_doomed(c, doomed);
}

size_t vy_kcache_purge(vy_kcache *c, const void *domain, bool all_domains) {
  if (!c) return 0;
  vy_kcache_entry *doomed = NULL;
  size_t still_used = 0;
  pthread_mutex_lock(&c->lock);
  for (vy_kcache_entry *e = c->head, *next; e; e = next) {
    next = e->next;
    if (!all_domains && e->domain != domain) continue;
    evict(c, e, &doomed);
    if (e->retired) still_used++;
  }
  pthread_mutex_unlock(&c->lock);
  finish_doomed(c, doomed);
  return still_used;
}

void vy_kcache_stats(vy_kcache *c, vy_cache_stats *s) {
  if (!c || !s) return;
  pthread_mutex_lock(&c->lock);
  s->mem_hits += c->hits;
  s->mem_waits += c->waits;
  s->mem_misses += c->misses;
  s->mem_build_failures += c->failures;
  s->mem_evictions += c->evictions;
  s->mem_entries += c->entries;
  s->mem_code_bytes += c->bytes;
  s->mem_retired += c->retired;
  pthread_mutex_unlock(&c->lock);
  s->compiles += atomic_load(&c->compiles);
}

void vy_kcache_stats_reset(vy_kcache *c) {
  if (!c) return;
  pthread_mutex_lock(&c->lock);
  c->hits = c->waits = c->misses = c->failures = c->evictions = 0;
  pthread_mutex_unlock(&c->lock);
  atomic_store(&c->compiles, 0);
}
