/*
 * Encoder for one source block: replays the cached encoding plan of K'
 * over its input rows (the K source symbols and K'-K zero padding symbols)
 * to get the intermediate symbols (for small blocks, combines them straight
 * from the source instead: core/dense_combine.h), then makes any encoding
 * symbol from them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/block_encoder.h"
#include "core/context.h"
#include "core/dense_combine.h"
#include "core/plan.h"
#include "core/tuple.h"

struct rq_encoder {
    rq_context *ctx;
    rq_block_constants c;
    size_t symbol_size;
    const rq_kernels *kernels;
    rq_rows_buf buf;   /* the replayed working rows (from the row pool) */
    uint8_t *rows;
    size_t stride;     /* between working rows */
    uint32_t *map;     /* L entries: working row of intermediate symbol j */
};

void rq_encode_neighbours(const rq_kernels *k, const uint8_t *rows, size_t stride,
                          const uint32_t *map, const uint32_t *nb, uint32_t n, uint8_t *out,
                          size_t len)
{
    /* The first run writes out (xor_set: no copy first), the rest add to it. */
    const uint8_t *srcs[RQ_XOR_MANY_MAX];
    for (uint32_t j = 0; j < n;) {
        size_t m = 0;
        int first = j == 0;
        while (j < n && m < RQ_XOR_MANY_MAX)
            srcs[m++] = rows + (size_t)map[nb[j++]] * stride;
        if (first)
            k->xor_set(out, srcs, m, len);
        else
            k->xor_many(out, srcs, m, len);
    }
}

void rq_encode_isi(const rq_block_constants *c, const rq_kernels *k, const uint8_t *rows,
                   size_t stride, const uint32_t *map, uint32_t isi, uint8_t *out, size_t len)
{
    uint32_t nb[64];
    uint32_t n = rq_neighbours(c, isi, nb);
    rq_encode_neighbours(k, rows, stride, map, nb, n, out, len);
}

const uint8_t *rq_plan_wanted_symbol(const rq_plan *plan, const rq_kernels *k, const uint8_t *rows,
                                     size_t stride, uint32_t m, uint32_t isi, uint8_t *scratch,
                                     size_t len)
{
    if (plan->wanted_row)
        return rows + (size_t)plan->wanted_row[m] * stride;
    rq_encode_isi(&plan->constants, k, rows, stride, plan->intermediate, isi, scratch, len);
    return scratch;
}

/* The plan's way: replay it over a copy of the source and the zero padding. */
static rq_status intermediate_replayed(rq_encoder *e, const rq_plan *plan, const uint8_t *source)
{
    size_t T = e->symbol_size, S = rq_row_stride(T);
    e->map = malloc((size_t)e->c.L * sizeof *e->map);
    if (!e->map || rq_rows_get(&e->ctx->pool, &e->buf, rq_plan_work_rows(e->ctx, plan, T) * S) != RQ_OK)
        return RQ_ERR_NO_MEMORY;
    e->rows = e->buf.rows;
    e->stride = S;
    /* The K source symbols, then K'-K zero padding symbols. */
    rq_plan_fill_inputs(plan, e->kernels, e->rows, S, source, T, e->c.K, T,
                        rq_stream_fill_bytes(e->ctx));
    rq_status st = rq_plan_replay(e->ctx, plan, e->kernels, e->rows, S, T);
    if (st == RQ_OK)
        memcpy(e->map, plan->intermediate, (size_t)e->c.L * sizeof *e->map);
    return st;
}

/*
 * The dense way (core/dense_combine.h): each intermediate symbol straight
 * from the source, with the coefficients the plan cache keeps for small K'
 * (the padding inputs are zero, so only the first K columns count).
 */
static rq_status intermediate_dense(rq_encoder *e, const rq_plan *plan, const uint8_t *source)
{
    const rq_block_constants *c = &e->c;
    size_t T = e->symbol_size;
    e->map = malloc((size_t)c->L * sizeof *e->map);
    if (!e->map || rq_rows_get(&e->ctx->pool, &e->buf, (size_t)c->L * T) != RQ_OK)
        return RQ_ERR_NO_MEMORY;
    e->rows = e->buf.rows;
    e->stride = T;
    for (uint32_t j = 0; j < c->L; j++)
        e->map[j] = j;
    return rq_dense_combine(e->kernels, plan->dense, plan->n_inputs, c->L, c->K, source, T,
                            e->rows, T, T);
}

rq_status rq_encoder_create_in(rq_context *ctx, rq_encoder **out, uint32_t source_symbols,
                               size_t symbol_size, const uint8_t *source, size_t source_len)
{
    if (!ctx || !out || (!source && source_len))
        return RQ_ERR_INVALID_ARGUMENT;
    if (symbol_size == 0 || symbol_size > RQ_MAX_SYMBOL_SIZE)
        return RQ_ERR_SYMBOL_SIZE;
    rq_block_constants c;
    rq_status st = rq_block_constants_for(source_symbols, &c);
    if (st != RQ_OK)
        return st;
    if (source_len != (size_t)source_symbols * symbol_size)
        return RQ_ERR_BUFFER_SIZE;
    const rq_kernels *kernels = rq_context_kernels(ctx);
    if (!kernels)
        return RQ_ERR_BACKEND_UNAVAILABLE;

    const rq_plan *plan;
    st = rq_plan_cache_acquire(ctx, c.K_prime, &plan);
    if (st != RQ_OK)
        return st;
    rq_encoder *e = calloc(1, sizeof *e);
    if (!e) {
        rq_plan_cache_release(ctx, plan);
        return RQ_ERR_NO_MEMORY;
    }
    e->ctx = ctx;
    rq_context_hold(ctx);
    e->c = c;
    e->symbol_size = symbol_size;
    e->kernels = kernels;
    /* The dense way needs the coefficients the cache keeps for small K' only;
     * the plan's way also copies the source in. */
    st = plan->dense && rq_dense_pays(ctx, plan, symbol_size, 2ull * c.K * symbol_size,
                                      rq_dense_combine_cost(c.L, c.K, symbol_size), 0)
             ? intermediate_dense(e, plan, source)
             : intermediate_replayed(e, plan, source);
    rq_plan_cache_release(ctx, plan);
    if (st != RQ_OK) {
        rq_encoder_destroy(e);
        return st;
    }
    *out = e;
    return RQ_OK;
}

rq_status rq_encoder_symbol(const rq_encoder *e, uint32_t esi, uint8_t *out, size_t out_len)
{
    if (!e || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (esi > RQ_MAX_ESI)
        return RQ_ERR_ESI;
    if (out_len != e->symbol_size)
        return RQ_ERR_BUFFER_SIZE;
    /* Source ESIs keep their number as ISI; repair ESIs skip the K'-K padding ISIs. */
    uint32_t isi = esi < e->c.K ? esi : esi + (e->c.K_prime - e->c.K);
    rq_encode_isi(&e->c, e->kernels, e->rows, e->stride, e->map, isi, out, out_len);
    return RQ_OK;
}

rq_status rq_encoder_destroy(rq_encoder *e)
{
    if (e) {
        rq_rows_put(&e->buf);
        free(e->map);
        rq_context_unhold(e->ctx);
        free(e);
    }
    return RQ_OK;
}
