/* bind.c - binding a dispatch's inputs to the program's buffers and the
 * dispatch grid (vyre-ir.md §4.2, §4.4; vyre-reference hashmap/mod.rs), for
 * every backend that runs on host memory: the reference interpreter
 * (through vy_imem_bind) and llvm-cpu, which also borrows inputs it never
 * writes and copies the others in parallel (bind_int.h). */
#include <math.h>
#include <string.h>

#include "bind_int.h"
#include "error_int.h"
#include "program_int.h"

static vy_status mem_limit(vy_error *err, const char *what, uint64_t need, uint64_t max) {
  return vy_error_set(err, VY_E_NOMEM,
                      "%s needs %llu bytes, which exceeds the interpreter's memory limit of %llu bytes. Fix: use "
                      "smaller buffers or raise vy_interp_options.max_memory_bytes",
                      what, (unsigned long long)need, (unsigned long long)max);
}

vy_status vy_bind_alloc(const vy_allocator *alloc, vy_ibuf *b, size_t len, bool zero, uint64_t *used, uint64_t max,
                        vy_error *err) {
  if ((uint64_t)len > max - *used) return mem_limit(err, "binding the buffers", *used + len, max);
  b->cap = len ? len : 1;
  b->data = zero ? vy_mem_calloc(alloc, 1, b->cap) : vy_mem_alloc(alloc, b->cap);
  if (!b->data) {
    b->cap = 0;
    return vy_error_nomem(err);
  }
  if (!len) b->data[0] = 0;
  b->len = len;
  *used += len;
  return VY_OK;
}

vy_status vy_bind_buffers(const vy_program *p, const vy_allocator *alloc, const vy_input *inputs, size_t ninputs,
                          uint64_t max_bytes, const vy_bind_hooks *hooks, vy_ibuf *bufs, uint64_t *used, vy_igrid *grid,
                          vy_error *err) {
  uint32_t n = vy_program_buffer_count(p);
  size_t logical = 0, legacy = 0, noutputs = 0, next = 0;
  for (uint32_t i = 0; i < n; i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (d->access == VY_ACCESS_WORKGROUP) continue;
    legacy++;
    if (!vy_buffer_is_backend_allocated(d)) logical++;
  }
  bool legacy_mode = ninputs == legacy && ninputs != logical;
  uint64_t max_out = 0, max_in = 1, pg = 0;
  for (uint32_t i = 0; i < n; i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    vy_ibuf *b = &bufs[i];
    b->decl = d;
    b->stride = vy_type_min_bytes(&d->element);
    if (d->access == VY_ACCESS_WORKGROUP) {
      b->workgroup = true;
      continue;
    }
    if (d->binding == 0 && vy_str_eq_c(d->name, "pg_nodes", 8)) pg = d->count;
    uint64_t required = (uint64_t)d->count * b->stride;
    bool backend = vy_buffer_is_backend_allocated(d);
    vy_status st;
    uint8_t *placed = NULL;
    size_t placed_len = 0;
    if (hooks && hooks->place && hooks->place(hooks->ud, i, &placed, &placed_len)) {
      b->data = placed; /* resident: used in place, never freed here */
      b->len = backend && placed_len > required ? (size_t)required : placed_len;
      b->cap = 0;
    } else if (backend) {
      if (legacy_mode) next++; /* the legacy initializer is consumed and ignored */
      st = vy_bind_alloc(alloc, b, (size_t)required, true, used, max_bytes, err);
      if (st != VY_OK) return st;
    } else {
      if (next >= ninputs)
        return vy_error_set(err, VY_E_RUNTIME,
                            "missing input for buffer `%.*s` (%zu inputs given). Fix: pass one input per "
                            "non-output, non-workgroup buffer in declaration order",
                            (int)d->name.len, d->name.ptr, ninputs);
      const vy_input *in = &inputs[next++];
      if (in->len && !in->data)
        return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                            "input for buffer `%.*s` has length %zu but a NULL pointer. Fix: pass the bytes",
                            (int)d->name.len, d->name.ptr, in->len);
      if (hooks && hooks->borrow && d->access != VY_ACCESS_READ_WRITE && hooks->borrow(hooks->ud, i)) {
        b->data = (uint8_t *)in->data; /* used in place: never written, never returned */
        b->len = in->len;
        b->cap = 0;
      } else {
        st = vy_bind_alloc(alloc, b, in->len, false, used, max_bytes, err);
        if (st != VY_OK) return st;
        if (in->len && hooks && hooks->copy)
          hooks->copy(hooks->ud, b->data, in->data, in->len);
        else if (in->len)
          memcpy(b->data, in->data, in->len);
      }
    }
    if (b->len < required)
      return vy_error_set(err, VY_E_RUNTIME,
                          "buffer `%.*s` has %zu bytes but requires at least %llu bytes (%u elements of %s). Fix: "
                          "provide a larger input buffer",
                          (int)d->name.len, d->name.ptr, b->len, (unsigned long long)required, d->count,
                          vy_type_kind_name(d->element.kind));
    if (placed && backend && b->len) memset(b->data, 0, b->len);
    uint64_t elems = vy_imem_elem_count(b);
    if (elems > UINT32_MAX)
      return vy_error_set(err, VY_E_RUNTIME,
                          "buffer `%.*s` has %llu elements, more than u32 can index. Fix: shrink or split the buffer",
                          (int)d->name.len, d->name.ptr, (unsigned long long)elems);
    b->elems = (uint32_t)elems;
    b->has_elems = true;
    if (backend || d->access == VY_ACCESS_READ_WRITE) {
      b->is_output = true;
      noutputs++;
      if (elems > max_out) max_out = elems;
    } else if (elems > max_in) {
      max_in = elems;
    }
  }
  if (next != ninputs)
    return vy_error_set(err, VY_E_RUNTIME,
                        "unused input values supplied (%zu given, %zu used). Fix: pass exactly one input per "
                        "non-output, non-workgroup buffer declaration",
                        ninputs, next);
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  if (!wg[0] || !wg[1] || !wg[2])
    return vy_error_set(err, VY_E_RUNTIME, "workgroup size contains zero. Fix: all dimensions must be >= 1");
  uint64_t per = 1;
  for (int a = 0; a < 3; a++) per = per * wg[a] > UINT32_MAX ? UINT32_MAX : per * wg[a];
  uint64_t elements = max_out;
  if (pg > elements) elements = pg;
  if (elements < 1) elements = 1;
  if (noutputs == 0 && max_in > elements) elements = max_in;
  uint64_t total = (elements + per - 1) / per;
  if (total < 1) total = 1;
  unsigned active = 0;
  for (int a = 0; a < 3; a++) active += wg[a] > 1;
  grid->count[0] = grid->count[1] = grid->count[2] = 1;
  if (active == 0) {
    grid->count[0] = (uint32_t)total;
  } else {
    double base = ceil(pow((double)total, 1.0 / (double)active));
    uint32_t b = base >= 4294967295.0 ? UINT32_MAX : base < 1.0 ? 1 : (uint32_t)base;
    for (int a = 0; a < 3; a++)
      if (wg[a] > 1) grid->count[a] = b;
  }
  grid->total_wg = (uint64_t)grid->count[0] * grid->count[1] * grid->count[2];
  grid->per_wg = (uint32_t)per;
  return VY_OK;
}
