/* c-wire: load a vyre wire blob (what Rust vyre's Program::to_wire writes, or
 * its hex envelope from Program::to_text) and run it on every backend
 * available on this machine (reference, llvm-cpu, cuda when a GPU and its
 * driver are there), checking that they all return the same bytes.
 *
 *   c-wire PROGRAM [V0 V1 ...]
 *
 * The values V0 V1 ... are the u32 elements of the program's one input
 * buffer (this example binds exactly one; vyre-ir.md §4.2 lists which
 * buffers are inputs). Every returned buffer is printed once as
 * "NAME: v0 v1 ..." (u32 elements), then one line per backend.
 * Exit status: 0 when every available backend agrees with the reference
 * interpreter bit for bit, 1 otherwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vyre/jit.h>
#include <vyre/vyre.h>

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *data = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (*len == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *grown = realloc(data, cap);
      if (!grown) break;
      data = grown;
    }
    size_t n = fread(data + *len, 1, cap - *len, f);
    if (n == 0) break;
    *len += n;
  }
  fclose(f);
  return data;
}

/* Decodes a wire blob, or a hex envelope around one. */
static vy_status load_program(const uint8_t *data, size_t len, vy_program **out, vy_error *err) {
  if (!vy_wire_is_hex((const char *)data, len)) return vy_wire_decode(data, len, NULL, out, err);
  vy_bytes blob = {0};
  vy_status st = vy_wire_from_hex((const char *)data, len, NULL, &blob, err);
  if (st == VY_OK) st = vy_wire_decode(blob.data, blob.len, NULL, out, err);
  vy_bytes_free(&blob);
  return st;
}

static int same_outputs(const vy_outputs *a, const vy_outputs *b) {
  if (a->count != b->count) return 0;
  for (size_t i = 0; i < a->count; i++)
    if (a->items[i].len != b->items[i].len || memcmp(a->items[i].data, b->items[i].data, a->items[i].len) != 0)
      return 0;
  return 1;
}

static void print_outputs(const vy_program *p, const vy_outputs *outs) {
  /* the returned buffers' names, in declaration order, from the program's read-only view */
  size_t n = 0;
  for (uint32_t i = 0; i < vy_program_buffer_count(p) && n < outs->count; i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (!vy_buffer_is_returned(d)) continue;
    const vy_bytes *o = &outs->items[n++];
    printf("%.*s:", (int)d->name.len, d->name.ptr);
    for (size_t j = 0; j + 4 <= o->len; j += 4) {
      uint32_t v;
      memcpy(&v, o->data + j, 4); /* the host is little-endian, like vyre's buffers */
      printf(" %u", v);
    }
    printf("\n");
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: c-wire PROGRAM [V0 V1 ...]\n");
    return 2;
  }
  size_t len = 0;
  uint8_t *file = read_file(argv[1], &len);
  if (!file) {
    fprintf(stderr, "c-wire: cannot read %s\n", argv[1]);
    return 1;
  }
  vy_error err;
  vy_program *p = NULL;
  vy_status st = load_program(file, len, &p, &err);
  free(file);
  if (st != VY_OK) {
    fprintf(stderr, "c-wire: %s: %s\n", argv[1], err.message);
    return 1;
  }

  uint32_t ninputs = 0;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) ninputs += vy_buffer_is_input(vy_program_buffer(p, i));
  if (ninputs != 1) {
    fprintf(stderr, "c-wire: the program has %u input buffers; this example binds exactly one\n", ninputs);
    vy_program_destroy(p);
    return 1;
  }
  size_t nvalues = (size_t)argc - 2;
  uint32_t *values = calloc(nvalues ? nvalues : 1, sizeof *values);
  for (size_t i = 0; values && i < nvalues; i++) values[i] = (uint32_t)strtoul(argv[2 + i], NULL, 0);
  vy_input input = {values, nvalues * sizeof *values};

  vy_context_options o;
  vy_context_options_init(&o);
  vy_context *ctx = NULL;
  if (!values || vy_context_create(&o, &ctx, &err) != VY_OK || vy_jit_register_backends(ctx) != VY_OK) {
    fprintf(stderr, "c-wire: cannot create the context: %s\n", values ? err.message : "out of memory");
    free(values);
    vy_program_destroy(p);
    return 1;
  }

  int rc = 0;
  vy_outputs ref = {0};
  for (size_t i = 0; i < vy_context_backend_count(ctx); i++) {
    const char *id = vy_context_backend_id(ctx, i);
    vy_backend *be = NULL;
    vy_outputs outs = {0};
    if (vy_context_probe_backend(ctx, id, &err) != VY_OK) {
      printf("%-10s not available here: %s\n", id, err.message);
      continue;
    }
    if (vy_backend_open(ctx, id, &be, &err) != VY_OK || vy_dispatch(be, p, &input, 1, NULL, &outs, &err) != VY_OK) {
      printf("%-10s FAILED: %s\n", id, err.message);
      rc = 1;
    } else if (strcmp(id, "reference") == 0) { /* registered first: the others are compared with it */
      ref = outs;
      print_outputs(p, &ref);
      printf("%-10s ok (the reference)\n", id);
      memset(&outs, 0, sizeof outs);
    } else if (same_outputs(&ref, &outs)) {
      printf("%-10s ok, same bytes as the reference\n", id);
    } else {
      printf("%-10s DIFFERS from the reference:\n", id);
      print_outputs(p, &outs);
      rc = 1;
    }
    vy_outputs_free(&outs);
    vy_backend_close(be);
  }
  vy_outputs_free(&ref);
  vy_context_destroy(ctx);
  vy_program_destroy(p);
  free(values);
  return rc;
}
