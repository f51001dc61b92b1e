/* Small blocks as dense combinations of the known symbols (see dense_combine.h). */
#include "core/dense_combine.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * What one kernel call costs besides the bytes it moves (loop set-up, the
 * indirect call, the first misses), in bytes of row traffic: ~40 ns at the
 * ~50 GB/s the kernels reach in cache. Fitted, with the 20% margin in
 * rq_dense_pays, to the crossovers measured with the avx512 backend
 * (decode, 15% lost): K ~ 100 at T = 1280, K ~ 200 at T = 65528.
 */
#define CALL_COST 2048u
/* The inputs and outputs of one stripe together aim at this (about L2). */
#define STRIPE_BYTES ((size_t)1 << 20)
#define STRIPE_MIN ((size_t)2048)
/* Encoding plans get dense rows up to this many coefficients (K' <= 55 or so). */
#define DENSE_ENCODE_MAX 4096u

/* -1: not yet read from RQ_DENSE (always | never | cost), a tuning override like RQ_STRIPE_BYTES. */
static _Atomic int policy = -1;

static int current_policy(void)
{
    int p = atomic_load_explicit(&policy, memory_order_relaxed);
    if (p < 0) {
        const char *env = getenv("RQ_DENSE");
        p = !env ? RQ_DENSE_BY_COST
            : strcmp(env, "always") == 0 ? RQ_DENSE_ALWAYS
            : strcmp(env, "never") == 0  ? RQ_DENSE_NEVER
                                         : RQ_DENSE_BY_COST;
        atomic_store_explicit(&policy, p, memory_order_relaxed);
    }
    return p;
}

void rq_dense_set_policy(rq_dense_policy p)
{
    atomic_store_explicit(&policy, (int)p, memory_order_relaxed);
}

rq_status rq_plan_coefficients(const rq_plan *plan, const rq_kernels *k, uint32_t w,
                               uint8_t **out, size_t *stride)
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
        buf[(size_t)(plan->first_input + i) * s + i] = 1;
    rq_plan_apply_full(plan, k, buf, s, s);
    *out = buf;
    *stride = s;
    return RQ_OK;
}

rq_status rq_plan_dense_rows(const rq_plan *plan, const rq_kernels *k, uint8_t **out)
{
    const rq_block_constants *c = &plan->constants;
    *out = NULL;
    /* Only where the dense way can pay: L x K' multiply-adds per symbol byte
     * against the plan's ~20 operations per input (K' = 10: 270 against 350). */
    if ((uint64_t)c->L * plan->n_inputs > DENSE_ENCODE_MAX)
        return RQ_OK;
    uint8_t *coef_rows;
    size_t stride;
    rq_status st = rq_plan_coefficients(plan, k, plan->n_inputs, &coef_rows, &stride);
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

static size_t stripe_width(size_t len, size_t rows)
{
    size_t s = STRIPE_BYTES / (rows ? rows : 1);
    s = s < STRIPE_MIN ? STRIPE_MIN : (s + 63) & ~(size_t)63;
    return s < len ? s : len;
}

static void add_run(const rq_kernels *k, uint8_t *dst, const uint8_t *const *srcs,
                    const uint8_t *c, size_t n, int all_ones, size_t len)
{
    if (all_ones)
        k->xor_many(dst, srcs, n, len);
    else
        k->fma_many(dst, srcs, c, n, len);
}

/* One output's stripe: a fused run of multiply-adds per RQ_FMA_MANY_MAX inputs. */
static void combine_one(const rq_kernels *k, const uint8_t *coefs, uint32_t w,
                        const uint8_t *inputs, size_t in_stride, uint8_t *dst, size_t len)
{
    const uint8_t *srcs[RQ_FMA_MANY_MAX];
    uint8_t c[RQ_FMA_MANY_MAX];
    size_t n = 0;
    int all_ones = 1;
    memset(dst, 0, len);
    for (uint32_t i = 0; i < w; i++) {
        if (!coefs[i])
            continue;
        srcs[n] = inputs + (size_t)i * in_stride;
        c[n] = coefs[i];
        all_ones &= coefs[i] == 1;
        if (++n == RQ_FMA_MANY_MAX) {
            add_run(k, dst, srcs, c, n, all_ones, len);
            n = 0;
            all_ones = 1;
        }
    }
    if (n)
        add_run(k, dst, srcs, c, n, all_ones, len);
}

rq_status rq_dense_combine(const rq_kernels *k, const uint8_t *coefs, size_t coef_stride,
                           uint32_t n_out, uint32_t w, const uint8_t *inputs, size_t in_stride,
                           uint8_t *out, size_t out_stride, size_t len)
{
    if (!k || (!coefs && n_out && w) || (!inputs && w) || (!out && n_out))
        return RQ_ERR_INVALID_ARGUMENT;
    size_t s = stripe_width(len, (size_t)w + n_out);
    for (size_t off = 0; off < len; off += s) {
        size_t l = len - off < s ? len - off : s;
        for (uint32_t r = 0; r < n_out; r++)
            combine_one(k, coefs + (size_t)r * coef_stride, w, inputs + off, in_stride,
                        out + (size_t)r * out_stride + off, l);
    }
    return RQ_OK;
}

/* Rows read or written, and kernel calls, of one replay: grouped as rq_replay_ops_split runs them. */
static void plan_traffic(const rq_plan *plan, uint64_t *rows, uint64_t *calls)
{
    *rows = *calls = 0;
    size_t i = 0;
    while (i < plan->n_ops) {
        uint32_t dst = rq_op_dst(plan->ops[i]);
        ++*calls;
        if (plan->ops[i].src == dst) {
            *rows += 2; /* a scale: the row read and written */
            i++;
            continue;
        }
        size_t n = 0;
        if (rq_op_coef(plan->ops[i]) == 0) { /* a copy and the XORs after it: sources, dst written */
            for (n = 1, i++; i < plan->n_ops && n < RQ_XOR_MANY_MAX &&
                             rq_op_joins_run(plan->ops[i], dst) && rq_op_coef(plan->ops[i]) == 1;
                 n++, i++)
                ;
            *rows += n + 1;
            continue;
        }
        int all_ones = 1;
        while (i < plan->n_ops && rq_op_extends_run(plan->ops[i], dst, n, all_ones)) {
            all_ones &= rq_op_coef(plan->ops[i]) == 1;
            n++;
            i++;
        }
        *rows += n + 2; /* the sources, and the destination read and written */
    }
}

uint64_t rq_dense_combine_cost(uint32_t n_out, uint32_t w, size_t len)
{
    uint64_t calls = (uint64_t)n_out * ((w + RQ_FMA_MANY_MAX - 1) / RQ_FMA_MANY_MAX);
    uint64_t rows = (uint64_t)n_out * w + 2 * calls + n_out; /* + the clear of each output */
    return rows * len + (calls + n_out) * CALL_COST;
}

int rq_dense_pays(const rq_plan *plan, size_t len, uint64_t replay_extra, uint64_t dense_cost,
                  uint32_t coef_width)
{
    switch (current_policy()) {
    case RQ_DENSE_ALWAYS:
        return 1;
    case RQ_DENSE_NEVER:
        return 0;
    default:
        break;
    }
    /* The dense way must win by 20%: near the crossover the model errs its way.
     * A replay moves at most 3 rows and makes one call per operation, so most
     * blocks are decided without scanning the plan (a hot path at large K). */
    uint64_t most = plan->n_ops * (3 * (uint64_t)len + CALL_COST) + replay_extra;
    if (dense_cost / 4 * 5 >= most)
        return 0;
    uint64_t rows, calls;
    plan_traffic(plan, &rows, &calls);
    if (coef_width) /* the coefficients' own replay, over whole 64-byte vectors */
        dense_cost += rows * (((uint64_t)coef_width + 63) & ~(uint64_t)63) + calls * CALL_COST;
    return dense_cost / 4 * 5 < rows * len + calls * CALL_COST + replay_extra;
}
