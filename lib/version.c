/* version.c - the library's version, for comparison with the headers. */
#include "vyre/version.h"

int vy_version_number(void) { return VY_VERSION_NUMBER; }
const char *vy_version_string(void) { return VY_VERSION_STRING; }
