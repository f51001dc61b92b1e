/*
 * The public side of contexts that needs runtime: creating one with the best
 * backend, choosing a backend by parameter, and reading the environment for
 * the rq command (core/context.c has the rest).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "runtime/blake3_impl.h"
#include "runtime/default_context.h"
#include "runtime/dispatch.h"
#include "runtime/topology.h"

rq_status rq_context_create(rq_context **out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    const rq_kernels *k = NULL;
    const char *why;
    rq_status st = rq_dispatch_kernels(RQ_BACKEND_AUTO, &k, &why);
    if (st == RQ_OK && (st = rq_context_create_with(k, out)) == RQ_OK)
        (*out)->llc_bytes = rq_topology_last_cache_bytes(rq_topology_system());
    return st;
}

rq_status rq_context_destroy(rq_context *ctx)
{
    return rq_context_free(ctx);
}

static rq_status set_backend(rq_context *ctx, int64_t value)
{
    rq_status st = rq_context_check(ctx, RQ_PARAM_BACKEND, value);
    if (st != RQ_OK)
        return st;
    const rq_kernels *k = NULL;
    const char *why;
    st = rq_dispatch_kernels((rq_backend_id)value, &k, &why);
    if (st != RQ_OK) {
        char usable[128];
        rq_dispatch_usable_names(usable, sizeof usable);
        rq_context_fail(ctx, "RQ_PARAM_BACKEND: %s cannot run here (%s); usable: %s, auto",
                        rq_dispatch_name((rq_backend_id)value), why, usable);
        return RQ_ERR_BACKEND_UNAVAILABLE;
    }
    /* Only now that it runs: the parameter and the kernels change together. */
    atomic_store(&ctx->params[RQ_PARAM_BACKEND], value);
    atomic_store(&ctx->kernels, k);
    return RQ_OK;
}

/* Every implementation hashes alike, but one the CPU cannot run is refused like a backend. */
static rq_status set_blake3(rq_context *ctx, int64_t value)
{
    rq_status st = rq_context_check(ctx, RQ_PARAM_BLAKE3, value);
    if (st != RQ_OK)
        return st;
    if (!rq_blake3_impl_for(value)) {
        rq_context_fail(ctx, "RQ_PARAM_BLAKE3: %s cannot run here (not built, or this CPU lacks "
                        "the instructions); the best here is %s",
                        rq_blake3_choice_name(value), rq_blake3_impl_best()->name);
        return RQ_ERR_BACKEND_UNAVAILABLE;
    }
    return rq_context_set_core(ctx, RQ_PARAM_BLAKE3, value);
}

rq_status rq_context_set(rq_context *ctx, rq_param param, int64_t value)
{
    if (!ctx)
        return RQ_ERR_INVALID_ARGUMENT;
    switch (param) {
    case RQ_PARAM_BACKEND:
        return set_backend(ctx, value);
    case RQ_PARAM_BLAKE3:
        return set_blake3(ctx, value);
    default:
        return rq_context_set_core(ctx, param, value);
    }
}

rq_status rq_context_backend(const rq_context *ctx, const char **name)
{
    if (!ctx || !name)
        return RQ_ERR_INVALID_ARGUMENT;
    const rq_kernels *k = atomic_load(&ctx->kernels);
    if (!k)
        return RQ_ERR_BACKEND_UNAVAILABLE;
    *name = k->name;
    return RQ_OK;
}

/* ---- the environment ------------------------------------------------------ */

/* RQ_BACKEND: a backend that cannot run leaves the context unable to code. */
static rq_status backend_from_env(rq_context *ctx, const char *value)
{
    rq_backend_id id;
    const rq_kernels *k = NULL;
    const char *why;
    if (rq_backend_lookup(value, &id) == RQ_OK && rq_dispatch_kernels(id, &k, &why) == RQ_OK) {
        atomic_store(&ctx->params[RQ_PARAM_BACKEND], id);
        atomic_store(&ctx->kernels, k);
        return RQ_OK;
    }
    char usable[128];
    rq_dispatch_usable_names(usable, sizeof usable);
    atomic_store(&ctx->kernels, NULL);
    rq_context_fail(ctx, "RQ_BACKEND=%.32s is not available here; available: %s", value, usable);
    return RQ_ERR_BACKEND_UNAVAILABLE;
}

/* A whole decimal integer, or RQ_ERR_CONFIG naming the variable. */
static rq_status integer_from_env(rq_context *ctx, const char *var, const char *value, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end != '\0') {
        rq_context_fail(ctx, "%s=%.32s: not a whole number", var, value);
        return RQ_ERR_CONFIG;
    }
    *out = v;
    return RQ_OK;
}

static const char *dense_name(int64_t mode)
{
    static const char *const names[] = {[RQ_DENSE_BY_COST] = "cost", [RQ_DENSE_ALWAYS] = "always",
                                        [RQ_DENSE_NEVER] = "never"};
    return mode >= 0 && mode < 3 ? names[mode] : NULL;
}

/* The value whose name(value) is text, among 0..; RQ_ERR_CONFIG if none. */
static rq_status named_from_env(const char *text, const char *(*name)(int64_t), int64_t *out)
{
    for (int64_t i = 0; name(i); i++) {
        if (!strcmp(text, name(i))) {
            *out = i;
            return RQ_OK;
        }
    }
    return RQ_ERR_CONFIG;
}

/* One variable through rq_context_set; the message then names the variable too. */
static rq_status param_from_env(rq_context *ctx, const char *var, rq_param param)
{
    const char *value = getenv(var);
    if (!value || !*value)
        return RQ_OK;
    int64_t v;
    rq_status st;
    if (param == RQ_PARAM_DENSE || param == RQ_PARAM_BLAKE3) {
        int dense = param == RQ_PARAM_DENSE;
        st = named_from_env(value, dense ? dense_name : rq_blake3_choice_name, &v);
        if (st != RQ_OK)
            rq_context_fail(ctx, "%s=%.32s: not one of %s", var, value,
                            dense ? "cost, always, never" : "auto, portable, avx2, avx512");
    } else {
        st = integer_from_env(ctx, var, value, &v);
    }
    if (st == RQ_OK && (st = rq_context_set(ctx, param, v)) != RQ_OK) {
        char why[RQ_CONTEXT_ERROR_LEN];
        rq_context_last_error(ctx, why, sizeof why);
        rq_context_fail(ctx, "%s=%.32s: %s", var, value, why);
        st = RQ_ERR_CONFIG; /* a tuning value: the rest of the context still codes */
    }
    return st;
}

rq_status rq_context_from_env(rq_context *ctx)
{
    if (!ctx)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_status first = RQ_OK, st;
    static const struct {
        const char *var;
        rq_param param;
    } vars[] = {{"RQ_CACHE_BYTES", RQ_PARAM_CACHE_BYTES},
                {"RQ_STRIPE_BYTES", RQ_PARAM_STRIPE_BYTES},
                {"RQ_STREAM_FILL_BYTES", RQ_PARAM_STREAM_FILL_BYTES},
                {"RQ_DENSE", RQ_PARAM_DENSE},
                {"RQ_BLAKE3", RQ_PARAM_BLAKE3}};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if ((st = param_from_env(ctx, vars[i].var, vars[i].param)) != RQ_OK && first == RQ_OK)
            first = st;
    /* Last, so that a context left unable to code says why. */
    const char *backend = getenv("RQ_BACKEND");
    if (backend && *backend && (st = backend_from_env(ctx, backend)) != RQ_OK)
        first = st;
    return first;
}
