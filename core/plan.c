/* Plan lifetime and replay. */
#include "core/plan.h"

#include <stdlib.h>
#include <string.h>

#include "backends/cpu_replay.h"
#include "core/context.h"

void rq_plan_free(rq_plan *plan)
{
    if (!plan)
        return;
    free(plan->intermediate);
    free(plan->wanted_row);
    free(plan->input_row);
    if (plan->ops_buf.base)
        rq_rows_put(&plan->ops_buf);
    else
        free(plan->ops);
    free(plan->dense);
    free(plan);
}

rq_status rq_plan_compact(rq_plan *plan)
{
    if (!plan->ops_buf.base)
        return RQ_OK;
    rq_op *own = malloc((plan->n_ops ? plan->n_ops : 1) * sizeof *own);
    if (!own)
        return RQ_ERR_NO_MEMORY;
    memcpy(own, plan->ops, plan->n_ops * sizeof *own);
    rq_rows_put(&plan->ops_buf);
    plan->ops = own;
    return RQ_OK;
}

rq_status rq_plan_order_inputs(rq_plan *plan)
{
    uint32_t n = plan->n_inputs, first = plan->first_input;
    uint32_t *order = malloc(((size_t)n + 1) * sizeof *order); /* input -> new position */
    if (!order)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < n; i++)
        order[i] = UINT32_MAX;
    /* One pass: an input gets its place the first time an operation names it. */
    uint32_t next = 0;
    for (size_t k = 0; k < plan->n_ops; k++) {
        rq_op op = plan->ops[k];
        uint32_t src = op.src, dst = rq_op_dst(op);
        if (src - first < n) {
            if (order[src - first] == UINT32_MAX)
                order[src - first] = next++;
            src = first + order[src - first];
        }
        if (dst - first < n) {
            if (order[dst - first] == UINT32_MAX)
                order[dst - first] = next++;
            dst = first + order[dst - first];
        }
        plan->ops[k] = rq_op_make(dst, src, rq_op_coef(op));
    }
    for (uint32_t i = 0; i < n; i++) /* inputs no operation names: after the others */
        if (order[i] == UINT32_MAX)
            order[i] = next++;
    uint32_t *ends = plan->intermediate ? plan->intermediate : plan->wanted_row;
    uint32_t n_ends = plan->intermediate ? plan->constants.L : plan->n_wanted;
    for (uint32_t j = 0; j < n_ends; j++)
        if (ends[j] - first < n)
            ends[j] = first + order[ends[j] - first];
    free(plan->input_row);
    plan->input_row = order;
    return RQ_OK;
}

/*
 * Blocks at least this large are filled with stores that bypass the caches
 * (stream_rows): the rows would leave the last-level cache before the replay
 * reads them anyway (its working set is about twice the inputs), and regular
 * stores first read every line they write. Where that starts was measured on
 * two machines (bench/RESULTS.md, "Filling the rows past the cache"): at
 * about 3/8 of a 32 MiB L3, and near 50 MB with a 480 MiB one shared by many
 * more cores than this process sees, hence the cap on what is counted.
 */
#define STREAM_FILL_UNKNOWN ((size_t)12 << 20)
#define STREAM_FILL_CACHE_CAP ((uint64_t)128 << 20)
size_t rq_stream_fill_for_cache(uint64_t llc_bytes)
{
    uint64_t llc = llc_bytes < STREAM_FILL_CACHE_CAP ? llc_bytes : STREAM_FILL_CACHE_CAP;
    return llc ? (size_t)(llc / 8 * 3) : STREAM_FILL_UNKNOWN;
}

size_t rq_stream_fill_bytes(const rq_context *ctx)
{
    int64_t set = rq_context_param(ctx, RQ_PARAM_STREAM_FILL_BYTES);
    return set > 0 ? (size_t)set : rq_stream_fill_for_cache(ctx->llc_bytes);
}

void rq_plan_fill_inputs(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                         const uint8_t *known, size_t known_stride, uint32_t n_known, size_t len,
                         size_t stream_from)
{
    if (n_known > plan->n_inputs)
        n_known = plan->n_inputs;
    if ((size_t)n_known * len >= stream_from) {
        k->stream_rows(rows + (size_t)plan->first_input * stride, stride, plan->input_row, known,
                       known_stride, n_known, len);
        for (uint32_t i = n_known; i < plan->n_inputs; i++)
            memset(rows + (size_t)rq_plan_input_row(plan, i) * stride, 0, len);
        return;
    }
    if (!plan->input_row && stride == len && known_stride == len) { /* one block each */
        uint8_t *inputs = rows + (size_t)plan->first_input * stride;
        memcpy(inputs, known, (size_t)n_known * len);
        memset(inputs + (size_t)n_known * len, 0, (size_t)(plan->n_inputs - n_known) * len);
        return;
    }
    for (uint32_t i = 0; i < plan->n_inputs; i++) {
        uint8_t *row = rows + (size_t)rq_plan_input_row(plan, i) * stride;
        if (i < n_known)
            memcpy(row, known + (size_t)i * known_stride, len);
        else
            memset(row, 0, len);
    }
}

/* Rows shorter than this stay len apart: padding them would cost memory in proportion. */
#define PADDED_FROM 4096
size_t rq_row_stride(size_t len)
{
    if (len < PADDED_FROM)
        return len;
    size_t s = (len + 63) & ~(size_t)63;
    return s % 1024 == 0 ? s + 64 : s;
}

size_t rq_plan_bytes(const rq_plan *plan)
{
    return sizeof *plan + (plan->intermediate ? (size_t)plan->constants.L * sizeof *plan->intermediate : 0) +
           (size_t)plan->n_wanted * sizeof *plan->wanted_row +
           (plan->input_row ? (size_t)plan->n_inputs * sizeof *plan->input_row : 0) +
           plan->n_ops * sizeof *plan->ops +
           (plan->dense ? (size_t)plan->constants.L * plan->n_inputs : 0);
}

/*
 * Stripe width for a replay over len-byte rows: the whole plan runs over
 * bytes [0, s) of every row, then [s, 2s) ..., so rows far beyond cache are
 * read once per stripe instead of once per operation. Narrow stripes cost
 * per-operation overhead; wide ones keep a stripe's rows in the shared cache
 * instead of the core's own. STRIPE_MIN is where the two balanced when
 * measured (bench/RESULTS.md, "Narrower stripes" and "Stripes down to
 * 1 KiB"): 1 to 4 KiB were alike with a fast shared cache, and 1 KiB was
 * far ahead with a slow one. The stripes of one replay are made about equal,
 * and no narrower than that.
 */
#define STRIPE_MIN 1024
size_t rq_equal_stripe(size_t len, size_t n)
{
    return ((len + n - 1) / n + 63) & ~(size_t)63;
}

size_t rq_stripe_width(const rq_context *ctx, size_t rows, size_t len)
{
    /* The working set a stripe should fit in: all rows of one stripe stay in
     * cache while the whole op list runs over them (RQ_PARAM_STRIPE_BYTES,
     * set from measurements with bench/bench_codec at T = 65528). */
    size_t target = (size_t)rq_context_param(ctx, RQ_PARAM_STRIPE_BYTES);
    size_t s = target / rows;
    s = s < STRIPE_MIN ? STRIPE_MIN : s;
    if (s >= len)
        return len;
    return rq_equal_stripe(len, len / s); /* stripes no narrower than s */
}

static size_t stripe_width(const rq_context *ctx, const rq_plan *plan, size_t len)
{
    return rq_stripe_width(ctx, (size_t)plan->rows + plan->scratch_rows, len);
}

void rq_plan_apply_full(const rq_context *ctx, const rq_plan *plan, const rq_kernels *k,
                        uint8_t *rows, size_t stride, size_t len)
{
    size_t s = stripe_width(ctx, plan, len);
    for (size_t off = 0; off < len; off += s)
        k->apply_plan(plan->ops, plan->n_ops, rows + off, stride, len - off < s ? len - off : s);
}

size_t rq_plan_work_rows(const rq_context *ctx, const rq_plan *plan, size_t len)
{
    return stripe_width(ctx, plan, len) >= len ? (size_t)plan->rows + plan->scratch_rows : plan->rows;
}

uint64_t rq_plan_scratch_bound(const rq_context *ctx, uint64_t rows)
{
    int64_t target = 0;
    if (ctx)
        target = rq_context_param(ctx, RQ_PARAM_STRIPE_BYTES);
    else
        rq_param_bounds(RQ_PARAM_STRIPE_BYTES, NULL, NULL, &target);
    /* rq_stripe_width makes a replay's stripes equal, so one may be nearly twice its aim (s),
     * and rounds it up to whole lines. */
    uint64_t floor = rows * STRIPE_MIN;
    uint64_t aim = floor > (uint64_t)target ? floor : (uint64_t)target;
    return 2 * aim + rows * 64;
}

rq_status rq_plan_replay(rq_context *ctx, const rq_plan *plan, const rq_kernels *k,
                         uint8_t *rows, size_t stride, size_t len)
{
    if (rq_plan_work_rows(ctx, plan, len) > plan->rows) {
        rq_plan_apply_full(ctx, plan, k, rows, stride, len);
        return RQ_OK;
    }
    return rq_plan_apply(ctx, plan, k, rows, stride, len);
}

rq_status rq_plan_apply(rq_context *ctx, const rq_plan *plan, const rq_kernels *k,
                        uint8_t *rows, size_t stride, size_t len)
{
    if (!plan->scratch_rows || len == 0) {
        rq_plan_apply_full(ctx, plan, k, rows, stride, len);
        return RQ_OK;
    }
    /* The scratch rows live in a buffer one stripe wide (narrower if memory is short). */
    size_t s = stripe_width(ctx, plan, len);
    rq_rows_buf scratch;
    while (rq_rows_get(&ctx->pool, &scratch, (size_t)plan->scratch_rows * s) != RQ_OK) {
        if (s <= 64)
            return RQ_ERR_NO_MEMORY;
        s = (s / 2 + 63) & ~(size_t)63;
    }
    for (size_t off = 0; off < len; off += s) {
        size_t l = len - off < s ? len - off : s;
        if (k->apply_plan_split)
            k->apply_plan_split(plan->ops, plan->n_ops, rows + off, stride, scratch.rows, s,
                                plan->rows, l);
        else
            rq_replay_ops_split(plan->ops, plan->n_ops, rows + off, stride, scratch.rows, s,
                                plan->rows, l, k->scale, k->fma_into, k->xor_many, k->fma_many,
                                k->xor_set);
    }
    rq_rows_put(&scratch);
    return RQ_OK;
}
