/* Contexts' core side: parameters with their bounds, the caches' budget, the error channel. */
#include "core/context.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct param_spec {
    const char *name;
    int64_t min, max, def;
} param_spec;

static const param_spec specs[RQ_PARAM_LAST + 1] = {
    [RQ_PARAM_BACKEND] = {"RQ_PARAM_BACKEND", RQ_BACKEND_AUTO, RQ_BACKEND_WASM_SIMD128, RQ_BACKEND_AUTO},
    [RQ_PARAM_CACHE_BYTES] = {"RQ_PARAM_CACHE_BYTES", 0, INT64_C(1) << 40, INT64_C(128) << 20},
    /* Below a few KiB every stripe is the 4 KiB floor anyway; above 1 GiB no cache holds it. */
    [RQ_PARAM_STRIPE_BYTES] = {"RQ_PARAM_STRIPE_BYTES", 4096, INT64_C(1) << 30, INT64_C(1) << 20},
    [RQ_PARAM_DENSE] = {"RQ_PARAM_DENSE", RQ_DENSE_BY_COST, RQ_DENSE_NEVER, RQ_DENSE_BY_COST},
    [RQ_PARAM_BLAKE3] = {"RQ_PARAM_BLAKE3", RQ_BLAKE3_AUTO, RQ_BLAKE3_AVX512, RQ_BLAKE3_AUTO},
    /* 0: from the cache's size; 1 streams every block, 2^50 none. */
    [RQ_PARAM_STREAM_FILL_BYTES] = {"RQ_PARAM_STREAM_FILL_BYTES", 0, INT64_C(1) << 50, 0},
};

static int known(rq_param param)
{
    return param >= RQ_PARAM_FIRST && param <= RQ_PARAM_LAST && specs[param].name;
}

rq_status rq_param_bounds(rq_param param, int64_t *min, int64_t *max, int64_t *def)
{
    if (!known(param))
        return RQ_ERR_CONFIG;
    if (min)
        *min = specs[param].min;
    if (max)
        *max = specs[param].max;
    if (def)
        *def = specs[param].def;
    return RQ_OK;
}

rq_status rq_param_name(rq_param param, const char **name)
{
    if (!name)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!known(param))
        return RQ_ERR_CONFIG;
    *name = specs[param].name;
    return RQ_OK;
}

void rq_context_fail(rq_context *ctx, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    pthread_mutex_lock(&ctx->error_lock);
    vsnprintf(ctx->error, sizeof ctx->error, fmt, args);
    pthread_mutex_unlock(&ctx->error_lock);
    va_end(args);
}

rq_status rq_context_last_error(const rq_context *ctx, char *buf, size_t len)
{
    if (!ctx || (!buf && len))
        return RQ_ERR_INVALID_ARGUMENT;
    if (len == 0)
        return RQ_OK;
    rq_context *c = (rq_context *)ctx; /* the lock only */
    pthread_mutex_lock(&c->error_lock);
    snprintf(buf, len, "%s", ctx->error);
    pthread_mutex_unlock(&c->error_lock);
    return RQ_OK;
}

void rq_context_init(rq_context *ctx, const rq_kernels *kernels)
{
    memset(ctx, 0, sizeof *ctx);
    atomic_init(&ctx->kernels, kernels);
    for (int p = RQ_PARAM_FIRST; p <= RQ_PARAM_LAST; p++)
        atomic_init(&ctx->params[p], specs[p].def);
    atomic_init(&ctx->meter.limit, (uint64_t)specs[RQ_PARAM_CACHE_BYTES].def);
    rq_row_pool_init(&ctx->pool, &ctx->meter);
    rq_plan_cache_init(&ctx->plans);
    rq_source_rows_cache_init(&ctx->source_rows, &ctx->meter);
    pthread_mutex_init(&ctx->error_lock, NULL);
}

rq_status rq_context_create_with(const rq_kernels *kernels, rq_context **out)
{
    if (!kernels || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_context *ctx = malloc(sizeof *ctx);
    if (!ctx)
        return RQ_ERR_NO_MEMORY;
    rq_context_init(ctx, kernels);
    *out = ctx;
    return RQ_OK;
}

rq_status rq_context_free(rq_context *ctx)
{
    if (!ctx)
        return RQ_OK;
    if (ctx->is_default)
        return RQ_ERR_INVALID_ARGUMENT;
    if (atomic_load(&ctx->coders) != 0)
        return RQ_ERR_BUSY;
    rq_plan_cache_destroy(&ctx->plans, &ctx->meter);
    rq_source_rows_cache_destroy(&ctx->source_rows);
    rq_row_pool_destroy(&ctx->pool);
    pthread_mutex_destroy(&ctx->error_lock);
    free(ctx);
    return RQ_OK;
}

int rq_context_param_known(rq_context *ctx, rq_param param)
{
    if (known(param))
        return 1;
    rq_context_fail(ctx, "parameter %d is not one rq_context_set knows", (int)param);
    return 0;
}

rq_status rq_context_check(rq_context *ctx, rq_param param, int64_t value)
{
    if (!rq_context_param_known(ctx, param))
        return RQ_ERR_CONFIG;
    const param_spec *s = &specs[param];
    if (value < s->min || value > s->max) {
        rq_context_fail(ctx, "%s: %lld is out of range (%lld..%lld)", s->name, (long long)value,
                        (long long)s->min, (long long)s->max);
        return RQ_ERR_CONFIG;
    }
    return RQ_OK;
}

rq_status rq_context_set_core(rq_context *ctx, rq_param param, int64_t value)
{
    rq_status st = rq_context_check(ctx, param, value);
    if (st != RQ_OK)
        return st;
    atomic_store(&ctx->params[param], value);
    if (param == RQ_PARAM_CACHE_BYTES) {
        atomic_store(&ctx->meter.limit, (uint64_t)value);
        rq_context_trim(ctx);
    }
    return RQ_OK;
}

rq_status rq_context_get(const rq_context *ctx, rq_param param, int64_t *value)
{
    if (!ctx || !value)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!rq_context_param_known((rq_context *)ctx, param))
        return RQ_ERR_CONFIG;
    *value = rq_context_param(ctx, param);
    return RQ_OK;
}

void rq_context_trim(rq_context *ctx)
{
    rq_row_pool_trim(&ctx->pool, UINT64_MAX);
    rq_plan_cache_trim(&ctx->plans, &ctx->meter);
    rq_source_rows_cache_trim(&ctx->source_rows);
}

rq_status rq_context_memory(const rq_context *ctx, rq_memory_usage *out)
{
    if (!ctx || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    out->limit = atomic_load(&ctx->meter.limit);
    out->charged = atomic_load(&ctx->meter.held);
    out->peak = atomic_load(&ctx->meter.peak);
    return RQ_OK;
}

const rq_kernels *rq_context_kernels(rq_context *ctx)
{
    const rq_kernels *k = atomic_load(&ctx->kernels);
    return k;
}

rq_source_rows_cache *rq_context_source_rows(rq_context *ctx)
{
    return &ctx->source_rows;
}

rq_row_pool *rq_context_pool(rq_context *ctx)
{
    return &ctx->pool;
}
