/*
 * Decoder for one source block. It keeps the distinct symbols it is given;
 * decoding solves a fresh plan for exactly the ISIs held (every loss pattern
 * is new, so these plans are not cached), replays it in a pooled working
 * buffer (for large blocks of wide symbols one stripe at a time), and
 * rebuilds the missing source symbols from the intermediate symbols there
 * (or the plan rebuilds them itself, when that is cheaper:
 * rq_plan_build_wanted), or, for small blocks, rebuilds the missing source
 * symbols straight from the held ones (core/dense_combine.h). The held source
 * symbols are never copied: the decoded block is the held ones plus the
 * rebuilt ones, gathered by rq_decoder_source.
 */
#include <stdlib.h>
#include <string.h>

#include "core/block_encoder.h"
#include "core/context.h"
#include "core/dense_combine.h"
#include "core/plan.h"
#include "core/source_rows.h"

struct rq_decoder {
    rq_context *ctx;
    const rq_kernels *kernels;
    rq_block_constants c;
    size_t symbol_size;
    /* Symbols held, in arrival order (data: data_buf's rows). */
    uint32_t *esis;
    uint8_t *data;
    rq_rows_buf data_buf;
    uint32_t held, capacity;
    /* Open-addressing set of ESIs held, storing esi + 1 (0 = empty slot). */
    uint32_t *set;
    uint32_t set_size;
    uint32_t held_at_failure; /* held when the last decode found them dependent; 0 if none */
    /* Once decoded: where source symbol x is, in data (held) or in work (rebuilt). */
    const uint8_t **source;
    rq_rows_buf work;
};

static uint32_t set_slot(const rq_decoder *d, uint32_t esi)
{
    uint32_t mask = d->set_size - 1;
    uint32_t i = (esi * 2654435761u) & mask;
    while (d->set[i] != 0 && d->set[i] != esi + 1)
        i = (i + 1) & mask;
    return i;
}

/*
 * Room for the first symbols: K + 8 (what a decode takes) up to this many
 * bytes, so that the common case never reallocates; beyond it memory
 * follows what arrives, not what K could take (K = 56403 of 65528-byte
 * symbols would be 3.7 GB per block).
 */
#define FIRST_BYTES ((size_t)64 << 20)
#define FIRST_MIN 64u

static uint32_t first_capacity(const rq_decoder *d)
{
    size_t by_bytes = FIRST_BYTES / d->symbol_size;
    uint32_t cap = d->c.K + 8 < by_bytes ? d->c.K + 8 : (uint32_t)by_bytes;
    return cap > FIRST_MIN ? cap : FIRST_MIN;
}

static uint32_t max_held(const rq_decoder *d)
{
    return d->c.K + RQ_DECODER_MAX_EXTRA;
}

static rq_status grow(rq_decoder *d)
{
    uint32_t cap = d->capacity ? d->capacity * 2 : first_capacity(d);
    if (cap > max_held(d))
        cap = max_held(d);
    uint32_t *esis = realloc(d->esis, (size_t)cap * sizeof *esis);
    if (!esis)
        return RQ_ERR_NO_MEMORY;
    d->esis = esis;
    /* From the row pool, not malloc: a block's symbols are tens of MB at large T, and fresh memory
     * costs a page fault per 4 KiB as they are copied in (the pool's are mapped in huge pages, and
     * the last decoder's may be taken again). */
    rq_rows_buf data;
    if (rq_rows_get(&d->ctx->pool, &data, (size_t)cap * d->symbol_size) != RQ_OK)
        return RQ_ERR_NO_MEMORY;
    if (d->held)
        memcpy(data.rows, d->data, (size_t)d->held * d->symbol_size);
    rq_rows_put(&d->data_buf);
    d->data_buf = data;
    d->data = data.rows;
    uint32_t set_size = 16;
    while (set_size < 2 * cap)
        set_size *= 2;
    uint32_t *set = calloc(set_size, sizeof *set);
    if (!set)
        return RQ_ERR_NO_MEMORY;
    free(d->set);
    d->set = set;
    d->set_size = set_size;
    for (uint32_t k = 0; k < d->held; k++)
        d->set[set_slot(d, d->esis[k])] = d->esis[k] + 1;
    d->capacity = cap;
    return RQ_OK;
}

rq_status rq_decoder_create_in(rq_context *ctx, rq_decoder **out, uint32_t source_symbols,
                               size_t symbol_size)
{
    if (!ctx || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (symbol_size == 0 || symbol_size > RQ_MAX_SYMBOL_SIZE)
        return RQ_ERR_SYMBOL_SIZE;
    const rq_kernels *kernels = rq_context_kernels(ctx);
    if (!kernels)
        return RQ_ERR_BACKEND_UNAVAILABLE;
    rq_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return RQ_ERR_NO_MEMORY;
    d->ctx = ctx;
    d->kernels = kernels;
    rq_context_hold(ctx);
    rq_status st = rq_block_constants_for(source_symbols, &d->c);
    if (st == RQ_OK) {
        d->symbol_size = symbol_size;
        st = grow(d);
    }
    if (st != RQ_OK) {
        rq_decoder_destroy(d);
        return st;
    }
    *out = d;
    return RQ_OK;
}

rq_status rq_decoder_add_symbol(rq_decoder *d, uint32_t esi, const uint8_t *symbol,
                                size_t symbol_len)
{
    if (!d || !symbol)
        return RQ_ERR_INVALID_ARGUMENT;
    if (esi > RQ_MAX_ESI)
        return RQ_ERR_ESI;
    if (symbol_len != d->symbol_size)
        return RQ_ERR_SYMBOL_LENGTH;
    if (d->source)
        return RQ_ALREADY_DECODED;
    if (d->set[set_slot(d, esi)] != 0)
        return RQ_DUPLICATE;
    if (d->held == max_held(d))
        return RQ_NOT_KEPT;
    if (d->held == d->capacity) {
        rq_status st = grow(d);
        if (st != RQ_OK)
            return st;
    }
    d->esis[d->held] = esi;
    memcpy(d->data + (size_t)d->held * d->symbol_size, symbol, symbol_len);
    d->set[set_slot(d, esi)] = esi + 1;
    d->held++;
    return RQ_OK;
}

rq_status rq_decoder_symbols_needed(const rq_decoder *d, uint32_t *needed)
{
    if (!d || !needed)
        return RQ_ERR_INVALID_ARGUMENT;
    if (d->source)
        *needed = 0;
    else if (d->held < d->c.K)
        *needed = d->c.K - d->held;
    else if (d->held_at_failure && d->held <= d->held_at_failure)
        *needed = d->held_at_failure + 1 - d->held;
    else
        *needed = 0;
    return RQ_OK;
}

rq_status rq_decoder_symbols_held(const rq_decoder *d, uint32_t *held)
{
    if (!d || !held)
        return RQ_ERR_INVALID_ARGUMENT;
    *held = d->held;
    return RQ_OK;
}

/*
 * From this many bytes of held symbols, a replay in one stripe (T = 1280)
 * runs faster with the plan's input rows in the order it uses them
 * (rq_plan_order_inputs), the pass over the plan included: K = 50000 +7%,
 * K = 10000 +3.5%. At K = 1000 (1.3 MB, in cache) it cost ~5%, and striped
 * replays (T = 65528) gain nothing from it.
 */
#define ORDER_INPUTS_BYTES ((uint64_t)4 << 20)

/* Rows moved to rebuild one source symbol from the intermediate ones (about 8 neighbours). */
#define REBUILD_ROWS 10u

/*
 * Bytes [0, len) of each missing source symbol (the ones source has no
 * pointer for), from the intermediate symbols in rows (stride apart), into
 * out, T apart in the order of their ESIs; from the neighbours the solve
 * shared (sr), or computed again without them. A plan that rebuilt them
 * itself left them in its wanted rows.
 */
static void encode_missing(const rq_decoder *d, const rq_kernels *k, const rq_source_rows *sr,
                           const rq_plan *plan, const uint8_t *rows, size_t stride,
                           const uint8_t *const *source, uint8_t *out, size_t len)
{
    const rq_block_constants *c = &d->c;
    if (plan->wanted_row) { /* the plan rebuilt them: copied out of their rows */
        for (uint32_t m = 0; m < plan->n_wanted; m++)
            memcpy(out + (size_t)m * d->symbol_size, rows + (size_t)plan->wanted_row[m] * stride, len);
        return;
    }
    for (uint32_t x = 0; x < c->K; x++) {
        if (source[x])
            continue;
        if (sr)
            rq_encode_neighbours(k, rows, stride, plan->intermediate, sr->cols + sr->start[x],
                                 sr->start[x + 1] - sr->start[x], out, len);
        else
            rq_encode_isi(c, k, rows, stride, plan->intermediate, x, out, len);
        out += d->symbol_size;
    }
}

/* Points source's missing symbols at the rebuilt ones, T apart from out. */
static void point_at_rebuilt(const rq_decoder *d, const uint8_t **source, const uint8_t *out)
{
    for (uint32_t x = 0; x < d->c.K; x++)
        if (!source[x]) {
            source[x] = out;
            out += d->symbol_size;
        }
}

static const rq_source_rows *shared_rows(rq_decoder *d)
{
    const rq_source_rows *sr = NULL;
    return rq_source_rows_acquire(&d->ctx->source_rows, &d->c, &sr) == RQ_OK ? sr : NULL;
}

/*
 * The dense way (core/dense_combine.h): each missing source symbol straight
 * from the held ones, with coefficients from one replay over w-byte rows.
 */
static rq_status rebuild_dense(rq_decoder *d, const rq_plan *plan, const rq_kernels *k,
                               const uint8_t **source, uint32_t missing)
{
    const rq_block_constants *c = &d->c;
    size_t T = d->symbol_size;
    uint32_t w = d->held;
    uint8_t *coef_rows = NULL, *wanted = malloc((size_t)missing * w);
    size_t stride = 0;
    rq_status st = wanted ? rq_plan_coefficients(d->ctx, plan, k, w, &coef_rows, &stride) : RQ_ERR_NO_MEMORY;
    if (st == RQ_OK)
        st = rq_rows_get(&d->ctx->pool, &d->work, (size_t)missing * T);
    if (st == RQ_OK) {
        /* Missing symbol m's coefficients over the held ones: Enc[] of the intermediate ones'. */
        for (uint32_t x = 0, m = 0; x < c->K; x++) {
            if (source[x])
                continue;
            uint8_t *to = wanted + (size_t)m * w;
            const uint8_t *got = rq_plan_wanted_symbol(plan, k, coef_rows, stride, m++, x, to, w);
            if (got != to) /* the plan's own row for it */
                memcpy(to, got, w);
        }
        st = rq_dense_combine(k, wanted, w, missing, w, d->data, T, d->work.rows, T, T);
    }
    if (st == RQ_OK)
        point_at_rebuilt(d, source, d->work.rows);
    free(coef_rows);
    free(wanted);
    return st;
}

/* The plan's way: replay it over a copy of the held symbols, then Enc[] the missing ones. */
static rq_status rebuild_replayed(rq_decoder *d, const rq_plan *plan, const rq_kernels *k,
                                  const uint8_t **source, uint32_t missing)
{
    size_t T = d->symbol_size, S = rq_row_stride(T);
    size_t work_rows = rq_plan_work_rows(d->ctx, plan, T);
    size_t out_bytes = plan->wanted_row ? 0 : (size_t)missing * T;
    rq_status st = rq_rows_get(&d->ctx->pool, &d->work, work_rows * S + out_bytes);
    if (st != RQ_OK)
        return st;
    uint8_t *rows = d->work.rows;
    /* Then the zero padding symbols. A decode's working set is about twice an
     * encode's (its held symbols, the rows, the rebuilt ones): it leaves the
     * cache from half the size on. */
    rq_plan_fill_inputs(plan, k, rows, S, d->data, T, d->held, T, rq_stream_fill_bytes(d->ctx) / 2);
    if ((st = rq_plan_replay(d->ctx, plan, k, rows, S, T)) != RQ_OK)
        return st;
    if (plan->wanted_row) { /* the plan rebuilt them where they are */
        for (uint32_t x = 0, m = 0; x < d->c.K; x++)
            if (!source[x])
                source[x] = rows + (size_t)plan->wanted_row[m++] * S;
        return RQ_OK;
    }
    uint8_t *out = rows + work_rows * S; /* the rebuilt symbols, T apart */
    const rq_source_rows *sr = shared_rows(d);
    encode_missing(d, k, sr, plan, rows, S, source, out, T);
    rq_source_rows_release(&d->ctx->source_rows, sr);
    point_at_rebuilt(d, source, out);
    return RQ_OK;
}

/*
 * Held symbols from rq_stream_fill_bytes / STRIPED_SHARE bytes on are
 * rebuilt stripe by stripe (rebuild_striped) when the replay is striped.
 * Smaller blocks stay in cache between the fill and the replay anyway, and
 * there the whole-block way measured as fast or a few percent faster.
 */
#define STRIPED_SHARE 4u
/* The narrowest stripe rebuild_striped narrows to (below, see striped_width). */
#define NARROW_MIN 256u

/*
 * The stripe width rebuild_striped uses, or 0 for the whole-block way. When
 * the working rows of even one replay stripe would not fit in
 * rq_stream_fill_bytes (the share of the last-level cache a block can count
 * on), the stripes are made narrower than the replay's own, so that one
 * stripe's rows fit: decoding K = 30000-50000 at T = 1280 measured 10-30%
 * faster so, the extra operations included.
 */
static size_t striped_width(const rq_decoder *d, const rq_plan *plan)
{
    size_t T = d->symbol_size, n_rows = (size_t)plan->rows + plan->scratch_rows;
    size_t s = rq_stripe_width(d->ctx, n_rows, T);
    size_t share = rq_stream_fill_bytes(d->ctx);
    if ((uint64_t)n_rows * s > share) {
        size_t fits = share / n_rows & ~(size_t)63;
        fits = fits < NARROW_MIN ? NARROW_MIN : fits;
        /* As many stripes as fits needs, equal up to the 64-byte rounding. */
        s = rq_equal_stripe(T, (T + fits - 1) / fits);
        return s < T ? s : 0;
    }
    return s < T && (uint64_t)d->held * T >= share / STRIPED_SHARE ? s : 0;
}

/*
 * The plan's way for symbols wider than a replay stripe: stripe by stripe,
 * the held symbols' bytes of that stripe go into working rows one stripe
 * wide, the plan runs over them (scratch rows included), and the missing
 * symbols' bytes of that stripe are rebuilt from them. The working rows stay
 * in cache from fill to rebuild, instead of a copy of the whole block going
 * out to memory and back, and they take a stripe's room instead of a block's.
 */
static rq_status rebuild_striped(rq_decoder *d, const rq_plan *plan, const rq_kernels *k,
                                 const uint8_t **source, uint32_t missing, size_t s)
{
    size_t T = d->symbol_size, n_rows = (size_t)plan->rows + plan->scratch_rows;
    size_t S = rq_row_stride(s);
    rq_status st = rq_rows_get(&d->ctx->pool, &d->work, n_rows * S + (size_t)missing * T);
    if (st != RQ_OK)
        return st;
    uint8_t *rows = d->work.rows, *out = rows + n_rows * S; /* the rebuilt symbols, T apart */
    const rq_source_rows *sr = shared_rows(d);
    for (size_t off = 0; off < T; off += s) {
        size_t len = T - off < s ? T - off : s;
        rq_plan_fill_inputs(plan, k, rows, S, d->data + off, T, d->held, len, SIZE_MAX);
        k->apply_plan(plan->ops, plan->n_ops, rows, S, len);
        encode_missing(d, k, sr, plan, rows, S, source, out + off, len);
    }
    rq_source_rows_release(&d->ctx->source_rows, sr);
    point_at_rebuilt(d, source, out);
    return RQ_OK;
}

/*
 * Solves for the intermediate symbols and rebuilds the source symbols not
 * held, in d->work, whichever way moves fewer bytes; d->source then points
 * at every source symbol, held or rebuilt.
 */
static rq_status solve_into(rq_decoder *d, const uint8_t **source)
{
    const rq_block_constants *c = &d->c;
    size_t T = d->symbol_size;
    const rq_kernels *k = d->kernels;
    uint32_t padding = c->K_prime - c->K;
    uint32_t n = d->held + padding, missing = 0;
    for (uint32_t x = 0; x < c->K; x++)
        missing += !source[x];
    uint32_t *isis = malloc((size_t)n * sizeof *isis);
    if (!isis)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < d->held; i++)
        isis[i] = d->esis[i] < c->K ? d->esis[i] : d->esis[i] + padding;
    for (uint32_t i = 0; i < padding; i++)
        isis[d->held + i] = c->K + i; /* padding symbols are known zeros */
    uint32_t *wanted = malloc((size_t)missing * sizeof *wanted + 1);
    rq_plan *plan;
    rq_status st = RQ_ERR_NO_MEMORY;
    if (wanted) {
        for (uint32_t x = 0, m = 0; x < c->K; x++)
            if (!source[x])
                wanted[m++] = x; /* source ISI x is ESI x */
        st = rq_plan_build_wanted(d->ctx, c, isis, n, wanted, missing, &plan);
    }
    free(isis);
    free(wanted);
    if (st != RQ_OK)
        return st;
    /* The plan's way also copies the held symbols in and, unless the plan
     * rebuilds them itself, rebuilds the missing ones. */
    uint64_t copies = 2ull * d->held * T + (plan->wanted_row ? 0 : (uint64_t)REBUILD_ROWS * missing * T);
    int dense = rq_dense_pays(d->ctx, plan, T, copies, rq_dense_combine_cost(missing, d->held, T), d->held);
    size_t stripe = dense ? 0 : striped_width(d, plan);
    if (!dense && !stripe && (uint64_t)d->held * T >= ORDER_INPUTS_BYTES &&
        rq_plan_work_rows(d->ctx, plan, T) > plan->rows)
        st = rq_plan_order_inputs(plan);
    if (st == RQ_OK)
        st = dense    ? rebuild_dense(d, plan, k, source, missing)
             : stripe ? rebuild_striped(d, plan, k, source, missing, stripe)
                      : rebuild_replayed(d, plan, k, source, missing);
    rq_plan_free(plan);
    return st;
}

rq_status rq_decoder_decode(rq_decoder *d)
{
    if (!d)
        return RQ_ERR_INVALID_ARGUMENT;
    if (d->source)
        return RQ_OK;
    if (d->held < d->c.K)
        return RQ_ERR_NEED_MORE_SYMBOLS;
    size_t T = d->symbol_size;
    const uint8_t **source = calloc(d->c.K, sizeof *source);
    if (!source)
        return RQ_ERR_NO_MEMORY;
    uint32_t present = 0;
    for (uint32_t k = 0; k < d->held; k++) {
        if (d->esis[k] < d->c.K) {
            source[d->esis[k]] = d->data + (size_t)k * T;
            present++;
        }
    }
    rq_status st = present < d->c.K ? solve_into(d, source) : RQ_OK;
    if (st == RQ_ERR_NEED_MORE_SYMBOLS)
        d->held_at_failure = d->held;
    if (st != RQ_OK) {
        rq_rows_put(&d->work);
        free(source);
        return st;
    }
    d->source = source;
    return RQ_OK;
}

rq_status rq_decoder_source(const rq_decoder *d, uint8_t *out, size_t out_len)
{
    if (!d || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!d->source)
        return RQ_ERR_NOT_DECODED;
    if (out_len != (size_t)d->c.K * d->symbol_size)
        return RQ_ERR_BUFFER_SIZE;
    for (uint32_t x = 0; x < d->c.K; x++)
        memcpy(out + (size_t)x * d->symbol_size, d->source[x], d->symbol_size);
    return RQ_OK;
}

rq_status rq_decoder_destroy(rq_decoder *d)
{
    if (d) {
        free(d->esis);
        rq_rows_put(&d->data_buf);
        free(d->set);
        free(d->source);
        rq_rows_put(&d->work);
        if (d->ctx)
            rq_context_unhold(d->ctx);
        free(d);
    }
    return RQ_OK;
}
