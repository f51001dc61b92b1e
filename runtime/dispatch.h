/* The kernel backends this machine runs (runtime/dispatch.c). */
#ifndef RQ_RUNTIME_DISPATCH_H
#define RQ_RUNTIME_DISPATCH_H

#include <stddef.h>

#include "backends/kernels.h"
#include "rq/rq.h"

/*
 * The kernels of backend id (RQ_BACKEND_AUTO: the best usable one).
 * RQ_ERR_BACKEND_UNAVAILABLE with *why saying why when it cannot run here,
 * RQ_ERR_INVALID_ARGUMENT for an id that names no backend.
 */
rq_status rq_dispatch_kernels(rq_backend_id id, const rq_kernels **out, const char **why);
/* "avx2"; "auto" for RQ_BACKEND_AUTO; "?" for an id that names none. */
const char *rq_dispatch_name(rq_backend_id id);
/* "scalar, avx2, avx512" style list of the usable backends. */
void rq_dispatch_usable_names(char *buf, size_t len);

#endif
