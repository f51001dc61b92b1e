/* Small blocks as dense combinations of the known symbols (see dense_combine.h). */
#include "core/dense_combine.h"

#include "core/context.h"

#include <stdlib.h>
#include <string.h>

/*
 * What one kernel call costs besides the bytes it moves (loop set-up, the
 * indirect call, the first misses), in bytes of row traffic: ~40 ns at the
 * ~50 GB/s the kernels reach in cache. With the 20% margin in rq_dense_pays,
 * the model puts the crossovers (avx512 backend) at decode K ~ 150 for
 * T = 1280 and ~250 for T = 65528 (15% lost), encode K ~ 25: where the
 * measured ones are.
 */
#define CALL_COST 2048u
/* Encoding plans get dense rows up to this many coefficients (K' <= 55 or so). */
#define DENSE_ENCODE_MAX 4096u

rq_status rq_plan_coefficients(const rq_context *ctx, const rq_plan *plan, const rq_kernels *k,
                               uint32_t w, uint8_t **out, size_t *stride)
{
    if (w > plan->n_inputs)
        return RQ_ERR_INVALID_ARGUMENT;
    size_t s = ((size_t)w + 63) & ~(size_t)63;
    s = s ? s : 64;
    /* Zero everywhere: inputs w.. are the known-zero ones, columns w.. stay
     * zero, and the plan clears its other rows. */
    uint8_t *buf = calloc(((size_t)plan->rows + plan->scratch_rows) * s, 1);
    if (!buf)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < w; i++)
        buf[(size_t)rq_plan_input_row(plan, i) * s + i] = 1;
    rq_plan_apply_full(ctx, plan, k, buf, s, s);
    *out = buf;
    *stride = s;
    return RQ_OK;
}

rq_status rq_plan_dense_rows(rq_context *ctx, const rq_plan *plan, uint8_t **out)
{
    const rq_block_constants *c = &plan->constants;
    const rq_kernels *k = rq_context_kernels(ctx);
    *out = NULL;
    if (!k)
        return RQ_OK; /* nothing codes in this context */
    /* Only where the dense way can pay: L x K' multiply-adds per symbol byte
     * against the plan's ~20 operations per input (K' = 10: 270 against 350). */
    if ((uint64_t)c->L * plan->n_inputs > DENSE_ENCODE_MAX)
        return RQ_OK;
    uint8_t *coef_rows;
    size_t stride;
    rq_status st = rq_plan_coefficients(ctx, plan, k, plan->n_inputs, &coef_rows, &stride);
    if (st != RQ_OK)
        return st;
    uint8_t *rows = malloc((size_t)c->L * plan->n_inputs);
    if (rows)
        for (uint32_t j = 0; j < c->L; j++)
            memcpy(rows + (size_t)j * plan->n_inputs,
                   coef_rows + (size_t)plan->intermediate[j] * stride, plan->n_inputs);
    free(coef_rows);
    *out = rows;
    return rows ? RQ_OK : RQ_ERR_NO_MEMORY;
}

rq_status rq_dense_combine(const rq_kernels *k, const uint8_t *coefs, size_t coef_stride,
                           uint32_t n_out, uint32_t w, const uint8_t *inputs, size_t in_stride,
                           uint8_t *out, size_t out_stride, size_t len)
{
    if (!k || (!coefs && n_out && w) || (!inputs && w) || (!out && n_out))
        return RQ_ERR_INVALID_ARGUMENT;
    /* gf_matmul takes the coefficients w to a row. */
    uint8_t *packed = NULL;
    if (coef_stride != w && n_out > 1 && w > 0) {
        packed = malloc((size_t)n_out * w);
        if (!packed)
            return RQ_ERR_NO_MEMORY;
        for (uint32_t r = 0; r < n_out; r++)
            memcpy(packed + (size_t)r * w, coefs + (size_t)r * coef_stride, w);
    }
    k->gf_matmul(packed ? packed : coefs, n_out, w, inputs, in_stride, out, out_stride, len);
    free(packed);
    return RQ_OK;
}

/*
 * A gf_matmul costs about 3/4 of a byte of row traffic per multiply-add byte
 * (the AVX-512 kernel: 10.8 us for 15 x 100 products of 1280 bytes, where a
 * replayed operation of that width takes ~14.6 ns for its ~2100 bytes), plus
 * writing its outputs.
 */
uint64_t rq_dense_combine_cost(uint32_t n_out, uint32_t w, size_t len)
{
    return ((uint64_t)n_out * w * 3 / 4 + n_out) * len + (uint64_t)n_out * CALL_COST;
}

/*
 * A replay's traffic, from its length alone: decoding and encoding plans from
 * K = 10 to 1000 move 1.3-1.5 rows and make 0.18-0.31 kernel calls per
 * operation as replay groups them (copies and runs fused), and the 20% margin
 * covers that spread. Scanning the plan for the exact figures cost ~5 us at
 * K = 100, a tenth of the decode it was deciding.
 */
static uint64_t replay_cost(const rq_plan *plan, size_t len)
{
    return plan->n_ops * (7 * (uint64_t)len / 5 + CALL_COST / 4);
}

int rq_dense_pays(const rq_context *ctx, const rq_plan *plan, size_t len, uint64_t replay_extra,
                  uint64_t dense_cost, uint32_t coef_width)
{
    switch (rq_context_param(ctx, RQ_PARAM_DENSE)) {
    case RQ_DENSE_ALWAYS:
        return 1;
    case RQ_DENSE_NEVER:
        return 0;
    default:
        break;
    }
    /* The dense way must win by 20%: near the crossover the model errs its way. */
    if (coef_width) /* the coefficients' own replay, over whole 64-byte vectors */
        dense_cost += replay_cost(plan, ((size_t)coef_width + 63) & ~(size_t)63);
    return dense_cost / 4 * 5 < replay_cost(plan, len) + replay_extra;
}
