/* resident_int.h - what a backend implements for resident buffers
 * (include/vyre/resident.h): a buffer embeds vy_resident as its first
 * member. Host-memory buffers (the reference and llvm-cpu backends) share
 * one implementation here. */
#ifndef VYRE_RESIDENT_INT_H
#define VYRE_RESIDENT_INT_H

#include "vyre/resident.h"

struct vy_resident {
  vy_backend *be; /* the owner; every other backend refuses the buffer */
  size_t len;
};

/* Host-memory buffers: alloc/upload/download/free entries of a
 * vy_residentable, memory from the backend's context allocator, zero-filled. */
vy_status vy_resident_host_alloc(vy_backend *be, size_t len, vy_resident **out, vy_error *err);
vy_status vy_resident_host_upload(vy_resident *r, size_t offset, const void *src, size_t len, vy_error *err);
vy_status vy_resident_host_download(const vy_resident *r, size_t offset, size_t len, void *dst, vy_error *err);
void vy_resident_host_free(vy_resident *r);

/* The bytes of a host buffer (never NULL; valid until it is freed). */
uint8_t *vy_resident_host_data(const vy_resident *r);

#endif
