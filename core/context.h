/*
 * What a context holds (the public side is in rq.h). Core code reads the
 * kernels, caches and parameters from the context it is given and never
 * calls into runtime: runtime/context.c chooses the backend and creates the
 * public contexts; a program built from core and backends alone makes one
 * with rq_context_create_with and a kernel table it picked. C only (C11
 * atomics): C++ code holds contexts through the public API.
 */
#ifndef RQ_CORE_CONTEXT_H
#define RQ_CORE_CONTEXT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "backends/kernels.h"
#include "core/cache_meter.h"
#include "core/plan_cache.h"
#include "core/row_pool.h"
#include "core/source_rows.h"
#include "rq/rq.h"

#define RQ_PARAM_FIRST RQ_PARAM_BACKEND
#define RQ_PARAM_LAST RQ_PARAM_STREAM_FILL_BYTES
#define RQ_CONTEXT_ERROR_LEN 256

struct rq_context {
    /* NULL: asked for a backend that cannot run here; coding calls fail. */
    _Atomic(const rq_kernels *) kernels;
    _Atomic int64_t params[RQ_PARAM_LAST + 1];
    rq_cache_meter meter;
    rq_row_pool pool;
    rq_plan_cache plans;
    rq_source_rows_cache source_rows;
    _Atomic uint64_t coders; /* encoders and decoders alive in it */
    uint64_t llc_bytes;      /* one last-level cache, set by runtime; 0 = unknown */
    int is_default;
    pthread_mutex_t error_lock;
    char error[RQ_CONTEXT_ERROR_LEN];
};

/* A context coding with kernels, every parameter at its default. */
rq_status rq_context_create_with(const rq_kernels *kernels, rq_context **out);
/* Sets up a context in place (the default context's static storage). */
void rq_context_init(rq_context *ctx, const rq_kernels *kernels);
/* Frees a context created with rq_context_create_with; RQ_ERR_BUSY while coders use it. */
rq_status rq_context_free(rq_context *ctx);

/* Checks a value against the parameter's bounds; the error names the parameter. */
rq_status rq_context_check(rq_context *ctx, rq_param param, int64_t value);
/* Checks and stores a parameter that needs nothing outside core (all but the backend). */
rq_status rq_context_set_core(rq_context *ctx, rq_param param, int64_t value);
/* Whether param is one rq_context_set takes; if not, the error is set. */
int rq_context_param_known(rq_context *ctx, rq_param param);
/* Records the message rq_context_last_error returns. */
void rq_context_fail(rq_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Lets go of unused cached entries until the caches fit the limit. */
void rq_context_trim(rq_context *ctx);

/* The kernels coders created now use; NULL with RQ_ERR_BACKEND_UNAVAILABLE's message set. */
const rq_kernels *rq_context_kernels(rq_context *ctx);

static inline int64_t rq_context_param(const rq_context *ctx, rq_param param)
{
    return atomic_load_explicit(&ctx->params[param], memory_order_relaxed);
}

/* A coder created in ctx comes and goes (rq_context_free waits for none). */
static inline void rq_context_hold(rq_context *ctx) { atomic_fetch_add(&ctx->coders, 1); }
static inline void rq_context_unhold(rq_context *ctx) { atomic_fetch_sub(&ctx->coders, 1); }

#endif
