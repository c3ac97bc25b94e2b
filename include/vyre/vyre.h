/** @file
 * vyre.h - umbrella header of vyre-jit's IR library (libvyre). */
#ifndef VYRE_VYRE_H
#define VYRE_VYRE_H

#include "version.h"
#include "status.h"
#include "ir.h"
#include "builder.h"
#include "text.h"
#include "wire.h"
#include "validate.h"
#include "host.h"
#include "interp.h"
#include "backend.h"
#include "stream.h"
#include "async.h"
#include "resident.h"
#include "context.h"
#include "values.h"
#include "cache.h"

#endif
