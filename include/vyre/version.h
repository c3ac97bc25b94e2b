/** @file
 * version.h - vyre-jit version, and the vyre IR version it implements. */
#ifndef VYRE_VERSION_H
#define VYRE_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define VY_VERSION_MAJOR 0       /**< vyre-jit major version of these headers */
#define VY_VERSION_MINOR 1       /**< vyre-jit minor version */
#define VY_VERSION_PATCH 0       /**< vyre-jit patch version */
/** "MAJOR.MINOR.PATCH" (cmake/install.cmake checks it against the project version). */
#define VY_VERSION_STRING "0.1.0"
/** One number for comparisons: MAJOR * 1000000 + MINOR * 1000 + PATCH. */
#define VY_VERSION_NUMBER (VY_VERSION_MAJOR * 1000000 + VY_VERSION_MINOR * 1000 + VY_VERSION_PATCH)

/** The vyre release whose IR, wire format and semantics are implemented. */
#define VY_VYRE_VERSION_STRING "0.4.2"
/** The wire format's schema version read and written (vyre-ir.md §7). */
#define VY_WIRE_SCHEMA_VERSION 4

/** The library's VY_VERSION_NUMBER, to compare with the header's. */
int vy_version_number(void);
/** The library's VY_VERSION_STRING. Static storage. */
const char *vy_version_string(void);

#ifdef __cplusplus
}
#endif
#endif
