/*
 * Batch plans (core/batch_plan.h): a solved plan with its input rows put in
 * the caller's order and the wanted symbols' encoding steps appended.
 */
#include <stdlib.h>
#include <string.h>

#include "core/batch_plan.h"
#include "core/context.h"
#include "core/plan.h"
#include "core/plan_cache.h"
#include "core/tuple.h"

static uint32_t isi_of(const rq_block_constants *c, uint32_t esi)
{
    return esi < c->K ? esi : esi + (c->K_prime - c->K);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* ESIs in range and each one once. */
static rq_status check_esis(const uint32_t *esis, uint32_t n)
{
    if (n == 0)
        return RQ_OK;
    if (!esis)
        return RQ_ERR_INVALID_ARGUMENT;
    uint32_t *sorted = malloc(((size_t)n + 1) * sizeof *sorted);
    if (!sorted)
        return RQ_ERR_NO_MEMORY;
    memcpy(sorted, esis, (size_t)n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u32);
    rq_status st = RQ_OK;
    for (uint32_t i = 0; i < n && st == RQ_OK; i++)
        if (sorted[i] > RQ_MAX_ESI || (i && sorted[i] == sorted[i - 1]))
            st = RQ_ERR_INVALID_ARGUMENT;
    free(sorted);
    return st;
}

/*
 * The decoding plan for the known ESIs and the padding symbols (known
 * zeros), made for the wanted ESIs (it may leave them in its wanted rows).
 */
static rq_status solve_for(rq_context *ctx, const rq_block_constants *c, const uint32_t *esis, uint32_t n,
                           const uint32_t *wanted_esis, uint32_t n_wanted, rq_plan **out)
{
    uint32_t padding = c->K_prime - c->K;
    uint32_t *isis = malloc(((size_t)n + padding + n_wanted) * sizeof *isis);
    if (!isis)
        return RQ_ERR_NO_MEMORY;
    uint32_t *wanted = isis + n + padding;
    for (uint32_t i = 0; i < n; i++)
        isis[i] = isi_of(c, esis[i]);
    for (uint32_t i = 0; i < padding; i++)
        isis[n + i] = c->K + i;
    for (uint32_t w = 0; w < n_wanted; w++)
        wanted[w] = isi_of(c, wanted_esis[w]);
    rq_status st = rq_plan_build_wanted(ctx, c, isis, n + padding, wanted, n_wanted, out);
    free(isis);
    return st;
}

/*
 * Copies the plan's operations with every row renamed so that known symbol i
 * sits in row first_input + i, and returns that renaming for the
 * intermediate symbols' rows.
 */
static uint32_t *copy_in_caller_order(const rq_plan *plan, rq_op *ops)
{
    uint32_t n_rows = plan->rows + plan->scratch_rows;
    uint32_t *name = malloc((size_t)n_rows * sizeof *name);
    if (!name)
        return NULL;
    for (uint32_t r = 0; r < n_rows; r++)
        name[r] = r;
    for (uint32_t i = 0; i < plan->n_inputs; i++)
        name[rq_plan_input_row(plan, i)] = plan->first_input + i;
    for (size_t k = 0; k < plan->n_ops; k++) {
        rq_op op = plan->ops[k];
        ops[k] = rq_op_make(name[rq_op_dst(op)], name[op.src], rq_op_coef(op));
    }
    return name;
}

/*
 * Appends the steps that put wanted symbol w (ISI isi) into row dst: a copy
 * of the plan's row for it, or its Enc[] over the intermediate symbols.
 */
static size_t append_encoding(const rq_block_constants *c, const rq_plan *plan, const uint32_t *name,
                              uint32_t w, uint32_t isi, uint32_t dst, uint32_t *nb, rq_op *ops)
{
    if (plan->wanted_row) {
        ops[0] = rq_op_make(dst, name[plan->wanted_row[w]], 0);
        return 1;
    }
    uint32_t n = rq_neighbours(c, isi, nb);
    for (uint32_t j = 0; j < n; j++)
        ops[j] = rq_op_make(dst, name[plan->intermediate[nb[j]]], j == 0 ? 0 : 1);
    return n;
}

static rq_status assemble(const rq_block_constants *c, const rq_plan *plan, const uint32_t *wanted,
                          uint32_t n_wanted, uint32_t n_known, rq_batch_plan *out)
{
    uint64_t rows = (uint64_t)plan->rows + plan->scratch_rows + n_wanted;
    if (rows >= RQ_OP_MAX_ROWS)
        return RQ_ERR_INVALID_ARGUMENT;
    size_t per_symbol = c->W + RQ_MAX_NEIGHBOURS_EXTRA;
    rq_op *ops = malloc((plan->n_ops + (size_t)n_wanted * per_symbol) * sizeof *ops);
    uint32_t *nb = malloc(per_symbol * sizeof *nb);
    uint32_t *name = ops && nb ? copy_in_caller_order(plan, ops) : NULL;
    if (!name) {
        free(ops);
        free(nb);
        return RQ_ERR_NO_MEMORY;
    }
    *out = (rq_batch_plan){.ops = ops, .plan_ops = plan->n_ops, .rows = (uint32_t)rows,
                           .first_input = plan->first_input, .n_known = n_known,
                           .n_inputs = plan->n_inputs, .first_output = plan->rows + plan->scratch_rows,
                           .n_wanted = n_wanted};
    size_t n_ops = plan->n_ops;
    for (uint32_t w = 0; w < n_wanted; w++)
        n_ops += append_encoding(c, plan, name, w, isi_of(c, wanted[w]), out->first_output + w, nb,
                                 ops + n_ops);
    out->n_ops = n_ops;
    free(name);
    free(nb);
    return RQ_OK;
}

rq_status rq_batch_plan_build(rq_context *ctx, const rq_block_constants *c, const uint32_t *known_esis,
                              uint32_t n_known, const uint32_t *wanted_esis, uint32_t n_wanted,
                              rq_batch_plan *out)
{
    if (!ctx || !c || !out || (!known_esis && n_known != c->K))
        return RQ_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    rq_status st = check_esis(wanted_esis, n_wanted);
    if (st == RQ_OK && known_esis)
        st = check_esis(known_esis, n_known);
    if (st != RQ_OK)
        return st;
    if (n_known < c->K)
        return RQ_ERR_NEED_MORE_SYMBOLS;
    if (!known_esis) {
        const rq_plan *cached;
        st = rq_plan_cache_acquire(ctx, c->K_prime, &cached);
        if (st != RQ_OK)
            return st;
        st = assemble(c, cached, wanted_esis, n_wanted, n_known, out);
        rq_plan_cache_release(ctx, cached);
        return st;
    }
    rq_plan *plan;
    st = solve_for(ctx, c, known_esis, n_known, wanted_esis, n_wanted, &plan);
    if (st != RQ_OK)
        return st;
    st = assemble(c, plan, wanted_esis, n_wanted, n_known, out);
    rq_plan_free(plan);
    return st;
}

void rq_batch_plan_free(rq_batch_plan *p)
{
    if (p) {
        free(p->ops);
        memset(p, 0, sizeof *p);
    }
}

void rq_batch_plan_fill(const rq_batch_plan *p, uint8_t *rows, size_t stride, const uint8_t *known, size_t len)
{
    for (uint32_t i = 0; i < p->n_known; i++)
        memcpy(rows + (size_t)(p->first_input + i) * stride, known + (size_t)i * len, len);
    for (uint32_t i = p->n_known; i < p->n_inputs; i++)
        memset(rows + (size_t)(p->first_input + i) * stride, 0, len);
}

void rq_batch_plan_replay(const rq_context *ctx, const rq_batch_plan *p, const rq_kernels *k, uint8_t *rows,
                          size_t len)
{
    size_t s = rq_stripe_width(ctx, p->rows, len);
    for (size_t off = 0; off < len; off += s)
        k->apply_plan(p->ops, p->n_ops, rows + off, len, len - off < s ? len - off : s);
}
