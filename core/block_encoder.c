/*
 * Encoder for one source block: replays the cached encoding plan of K' over
 * [S+H zero rows | K source symbols | K'-K zero padding symbols] to get the
 * intermediate symbols, then makes any encoding symbol from them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/block_encoder.h"
#include "core/plan.h"
#include "core/tuple.h"

struct rq_encoder {
    rq_block_constants c;
    size_t symbol_size;
    const rq_kernels *kernels;
    rq_rows_buf buf;   /* the replayed working rows (from the row pool) */
    uint8_t *rows;
    uint32_t *map;     /* L entries: working row of intermediate symbol j */
};

void rq_encode_isi(const rq_block_constants *c, const rq_kernels *k, const uint8_t *rows,
                   size_t stride, const uint32_t *map, uint32_t isi, uint8_t *out, size_t len)
{
    uint32_t nb[64];
    uint32_t n = rq_neighbours(c, isi, nb);
    memcpy(out, rows + (size_t)map[nb[0]] * stride, len);
    const uint8_t *srcs[RQ_XOR_MANY_MAX];
    for (uint32_t j = 1; j < n;) {
        size_t m = 0;
        while (j < n && m < RQ_XOR_MANY_MAX)
            srcs[m++] = rows + (size_t)map[nb[j++]] * stride;
        k->xor_many(out, srcs, m, len);
    }
}

rq_status rq_encoder_create(rq_encoder **out, uint32_t source_symbols, size_t symbol_size,
                            const uint8_t *source, size_t source_len)
{
    if (!out || (!source && source_len))
        return RQ_ERR_INVALID_ARGUMENT;
    if (symbol_size == 0 || symbol_size > RQ_MAX_SYMBOL_SIZE)
        return RQ_ERR_SYMBOL_SIZE;
    rq_block_constants c;
    rq_status st = rq_block_constants_for(source_symbols, &c);
    if (st != RQ_OK)
        return st;
    if (source_len != (size_t)source_symbols * symbol_size)
        return RQ_ERR_BUFFER_SIZE;
    const rq_kernels *kernels = rq_kernels_active();
    if (!kernels)
        return RQ_ERR_BACKEND_UNAVAILABLE;

    const rq_plan *plan;
    st = rq_plan_cache_acquire(c.K_prime, &plan);
    if (st != RQ_OK)
        return st;
    rq_encoder *e = calloc(1, sizeof *e);
    if (e) {
        if (rq_rows_get(&e->buf, ((size_t)plan->rows + plan->scratch_rows) * symbol_size) == RQ_OK)
            e->rows = e->buf.rows;
        e->map = malloc((size_t)c.L * sizeof *e->map);
    }
    if (!e || !e->rows || !e->map) {
        rq_plan_cache_release(plan);
        rq_encoder_destroy(e);
        return RQ_ERR_NO_MEMORY;
    }
    e->c = c;
    e->symbol_size = symbol_size;
    e->kernels = kernels;
    uint8_t *inputs = e->rows + (size_t)plan->first_input * symbol_size;
    memcpy(inputs, source, source_len);
    memset(inputs + source_len, 0, (size_t)(c.K_prime - c.K) * symbol_size); /* padding */
    rq_plan_apply_full(plan, e->kernels, e->rows, symbol_size, symbol_size);
    memcpy(e->map, plan->intermediate, (size_t)c.L * sizeof *e->map);
    rq_plan_cache_release(plan);
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
    rq_encode_isi(&e->c, e->kernels, e->rows, e->symbol_size, e->map, isi, out, out_len);
    return RQ_OK;
}

rq_status rq_encoder_destroy(rq_encoder *e)
{
    if (e) {
        rq_rows_put(&e->buf);
        free(e->map);
        free(e);
    }
    return RQ_OK;
}
