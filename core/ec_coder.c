/*
 * The k+m raw coder (include/rq/rq_ec.h): the generator computed once at
 * creation, encode as one dense product, decode as a product with the
 * pattern's matrix from the coder's cache (core/ec_cache.h) or solved
 * (core/ec_matrix.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "core/ec_cache.h"
#include "core/ec_coder.h"
#include "core/ec_matrix.h"
#include "core/ec_schemes.h"
#include "rq/rq_ec.h"

rq_status rq_ec_coder_create_in(rq_context *ctx, rq_ec_coder **out, uint32_t k, uint32_t m,
                                rq_ec_scheme scheme)
{
    if (!ctx || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_status st = rq_ec_scheme_covers(scheme, k, m);
    if (st == RQ_ERR_UNSUPPORTED) {
        rq_context_fail(ctx, "raptorq-mds has no parity ESIs for %u+%u (rq ec check lists the ones it has)",
                        k, m);
        return st;
    }
    if (st != RQ_OK) {
        rq_context_fail(ctx, "k=%u, m=%u: a stripe needs 1 <= k <= %u, 1 <= m and k + m <= %u", k, m,
                        RQ_MAX_SOURCE_SYMBOLS, RQ_EC_MAX_UNITS);
        return st;
    }
    const rq_kernels *kernels = rq_context_kernels(ctx);
    if (!kernels)
        return RQ_ERR_BACKEND_UNAVAILABLE;
    rq_ec_coder *c = calloc(1, sizeof *c);
    if (!c)
        return RQ_ERR_NO_MEMORY;
    c->ctx = ctx;
    c->kernels = kernels;
    c->k = k;
    c->m = m;
    c->scheme = scheme;
    c->esis = malloc((size_t)m * sizeof *c->esis);
    c->gen = malloc((size_t)m * k);
    rq_ec_cache_init(&c->cache, &ctx->meter);
    rq_context_hold(ctx);
    st = c->esis && c->gen ? rq_ec_parity_esis(scheme, k, m, c->esis) : RQ_ERR_NO_MEMORY;
    if (st == RQ_OK)
        st = rq_ec_generator(ctx, k, c->esis, m, c->gen);
    if (st != RQ_OK) {
        rq_ec_coder_destroy(c);
        return st;
    }
    *out = c;
    return RQ_OK;
}

rq_status rq_ec_coder_destroy(rq_ec_coder *c)
{
    if (c) {
        rq_ec_cache_clear(&c->cache);
        free(c->esis);
        free(c->gen);
        rq_context_unhold(c->ctx);
        free(c);
    }
    return RQ_OK;
}

rq_status rq_ec_parity_esi(const rq_ec_coder *c, uint32_t j, uint32_t *esi)
{
    if (!c || !esi || j >= c->m)
        return RQ_ERR_INVALID_ARGUMENT;
    *esi = c->esis[j];
    return RQ_OK;
}

rq_status rq_ec_coefficient(const rq_ec_coder *c, uint32_t j, uint32_t i, uint8_t *coef)
{
    if (!c || !coef || j >= c->m || i >= c->k)
        return RQ_ERR_INVALID_ARGUMENT;
    *coef = c->gen[(size_t)j * c->k + i];
    return RQ_OK;
}

rq_status rq_ec_encode(rq_ec_coder *c, const uint8_t *const *data, uint8_t *const *parity,
                       size_t len)
{
    if (!c || !data || !parity)
        return RQ_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < c->k; i++)
        if (!data[i])
            return RQ_ERR_INVALID_ARGUMENT;
    for (uint32_t j = 0; j < c->m; j++)
        if (!parity[j])
            return RQ_ERR_INVALID_ARGUMENT;
    if (len)
        c->kernels->gf_matmul_ptrs(c->gen, c->m, c->k, data, parity, len);
    return RQ_OK;
}

/* The pattern of a decode call: readable flags and its cache key (packed flags, then the asked units). */
typedef struct decode_call {
    uint8_t *readable;
    uint8_t *key;
    size_t key_len;
} decode_call;

static rq_status call_build(const rq_ec_coder *c, const uint8_t *const *units,
                            const uint32_t *erased, size_t n_erased, decode_call *call)
{
    uint32_t n = c->k + c->m;
    size_t flags = (n + 7) / 8;
    call->key_len = flags + 4 * n_erased;
    call->readable = calloc(n + call->key_len, 1);
    if (!call->readable)
        return RQ_ERR_NO_MEMORY;
    call->key = call->readable + n;
    for (uint32_t u = 0; u < n; u++)
        call->readable[u] = units[u] != NULL;
    for (size_t a = 0; a < n_erased; a++) {
        if (erased[a] >= n || call->readable[erased[a]] == 2) {
            free(call->readable);
            return RQ_ERR_INVALID_ARGUMENT; /* out of range or listed twice */
        }
        call->readable[erased[a]] = 2;
        memcpy(call->key + flags + 4 * a, &erased[a], 4);
    }
    for (uint32_t u = 0; u < n; u++) {
        call->readable[u] = call->readable[u] == 1;
        call->key[u / 8] |= (uint8_t)(call->readable[u] << (u % 8));
    }
    return RQ_OK;
}

/* Names the pattern in the context's message: which units were missing. */
static void report_undecodable(const rq_ec_coder *c, const uint8_t *readable, uint32_t rank,
                               uint32_t unknown)
{
    char list[160];
    size_t at = 0;
    uint32_t missing = 0;
    for (uint32_t u = 0; u < c->k + c->m; u++) {
        if (readable[u])
            continue;
        missing++;
        if (at < sizeof list - 16)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%u", at ? "," : "", u);
        else if (at < sizeof list - 4)
            at += (size_t)snprintf(list + at, sizeof list - at, ",...");
    }
    const char *name = "";
    rq_ec_scheme_name(c->scheme, &name);
    rq_context_fail(c->ctx,
                    "%u+%u %s: units {%s} (%u) missing or erased cannot be rebuilt from the others: "
                    "their parities have rank %u over the %u missing data units",
                    c->k, c->m, name, list, missing, rank, unknown);
}

/* The pattern's decode matrix, from the cache or solved (and offered to the cache). */
static rq_status decode_entry(rq_ec_coder *c, const decode_call *call, const uint32_t *erased,
                              size_t n_erased, rq_ec_decode_entry **out)
{
    rq_ec_decode_entry *e = rq_ec_cache_find(&c->cache, call->key, call->key_len);
    if (e) {
        *out = e;
        return RQ_OK;
    }
    e = rq_ec_entry_new(call->key, call->key_len, (uint32_t)n_erased, c->k);
    if (!e)
        return RQ_ERR_NO_MEMORY;
    rq_ec_pattern p = {c->k, c->m, call->readable, erased, (uint32_t)n_erased};
    uint32_t rank = 0, unknown = 0;
    rq_status st = rq_ec_solve(c->gen, &p, e->coefs, e->inputs, &e->n_inputs, &rank, &unknown);
    if (st != RQ_OK) {
        if (st == RQ_ERR_UNDECODABLE)
            report_undecodable(c, call->readable, rank, unknown);
        free(e);
        return st;
    }
    rq_ec_cache_insert(&c->cache, e);
    *out = e;
    return RQ_OK;
}

rq_status rq_ec_decode(rq_ec_coder *c, const uint8_t *const *units, const uint32_t *erased,
                       size_t n_erased, uint8_t *const *outputs, size_t len)
{
    if (!c || !units || (n_erased && (!erased || !outputs)) || n_erased > c->k + c->m)
        return RQ_ERR_INVALID_ARGUMENT;
    for (size_t a = 0; a < n_erased; a++)
        if (!outputs[a])
            return RQ_ERR_INVALID_ARGUMENT;
    decode_call call;
    rq_status st = call_build(c, units, erased, n_erased, &call);
    if (st != RQ_OK || n_erased == 0 || len == 0) {
        if (st == RQ_OK)
            free(call.readable);
        return st;
    }
    rq_ec_decode_entry *e = NULL;
    st = decode_entry(c, &call, erased, n_erased, &e);
    free(call.readable);
    if (st != RQ_OK)
        return st;
    const uint8_t **in = malloc(((size_t)e->n_inputs + 1) * sizeof *in);
    st = in ? RQ_OK : RQ_ERR_NO_MEMORY;
    if (in) {
        for (uint32_t r = 0; r < e->n_inputs; r++)
            in[r] = units[e->inputs[r]];
        c->kernels->gf_matmul_ptrs(e->coefs, e->n_asked, e->n_inputs, in, outputs, len);
    }
    free(in);
    rq_ec_cache_release(&c->cache, e);
    return st;
}

rq_status rq_ec_cache_stats_get(const rq_ec_coder *c, rq_ec_cache_stats *out)
{
    if (!c || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_ec_cache *cache = (rq_ec_cache *)&c->cache;
    pthread_mutex_lock(&cache->lock);
    out->entries = cache->entries;
    out->hits = cache->hits;
    out->misses = cache->misses;
    pthread_mutex_unlock(&cache->lock);
    return RQ_OK;
}
