/*
 * Plan replay for CPU backends, written once over a backend's row kernels:
 * each backend passes its own, which the compiler inlines, so the loop is
 * specialised per ISA (and core/plan.c uses it over a table's kernels for
 * backends without apply_plan_split).
 */
#ifndef RQ_BACKENDS_CPU_REPLAY_H
#define RQ_BACKENDS_CPU_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "backends/kernels.h"

/* Whether op continues a run of multiply-adds into row dst: replay fuses such runs. */
static inline int rq_op_joins_run(rq_op op, uint32_t dst)
{
    return rq_op_dst(op) == dst && rq_op_coef(op) != 0 && op.src != dst;
}

/* Whether op can join a run of n operations into row dst, all XORs so far if all_ones. */
static inline int rq_op_extends_run(rq_op op, uint32_t dst, size_t n, int all_ones)
{
    return rq_op_joins_run(op, dst) &&
           n < (all_ones && rq_op_coef(op) == 1 ? RQ_XOR_MANY_MAX : RQ_FMA_MANY_MAX);
}

/*
 * Replays ops; consecutive XORs into the same row go to xor_many together,
 * multiply-adds to fma_many, a copy and the XORs after it to xor_set. Rows
 * from first_scratch on may live apart, at scratch + (r - first_scratch) *
 * scratch_stride (core/plan.c keeps a plan's scratch rows there when the
 * caller's buffer has none); rq_replay_ops is the one-region case.
 */
static inline void rq_replay_ops_split(const rq_op *ops, size_t n_ops, uint8_t *rows,
                                       size_t stride, uint8_t *scratch, size_t scratch_stride,
                                       uint32_t first_scratch, size_t len,
                                       rq_scale_fn scale, rq_fma_into_fn fma_into,
                                       rq_xor_many_fn xor_many, rq_fma_many_fn fma_many,
                                       rq_xor_many_fn xor_set)
{
#define RQ_ROW(r)                                                                                \
    ((r) < first_scratch ? rows + (size_t)(r) * stride                                         \
                         : scratch + (size_t)((r) - first_scratch) * scratch_stride)
    size_t k = 0;
    while (k < n_ops) {
        uint32_t dst = rq_op_dst(ops[k]);
        uint8_t coef = rq_op_coef(ops[k]);
        uint8_t *d = RQ_ROW(dst);
        if (ops[k].src == dst) {
            scale(d, coef, len);
            k++;
        } else if (coef == 0) {
            /* A copy, and the XORs into the same row after it: one pass. */
            const uint8_t *srcs[RQ_XOR_MANY_MAX];
            size_t n = 0;
            srcs[n++] = RQ_ROW(ops[k].src);
            k++;
            while (k < n_ops && n < RQ_XOR_MANY_MAX && rq_op_joins_run(ops[k], dst) &&
                   rq_op_coef(ops[k]) == 1) {
                srcs[n++] = RQ_ROW(ops[k].src);
                k++;
            }
            if (n > 1)
                xor_set(d, srcs, n, len);
            else
                memcpy(d, srcs[0], len);
        } else {
            /* A run of multiply-adds (XORs are coef 1) into one row: one pass. */
            const uint8_t *srcs[RQ_XOR_MANY_MAX];
            uint8_t coefs[RQ_XOR_MANY_MAX], all_ones = 1;
            size_t n = 0;
            while (k < n_ops && rq_op_extends_run(ops[k], dst, n, all_ones)) {
                coefs[n] = rq_op_coef(ops[k]);
                all_ones &= coefs[n] == 1;
                srcs[n++] = RQ_ROW(ops[k].src);
                k++;
            }
            if (all_ones)
                xor_many(d, srcs, n, len);
            else if (n == 1)
                fma_into(d, srcs[0], coefs[0], len);
            else
                fma_many(d, srcs, coefs, n, len);
        }
    }
#undef RQ_ROW
}

static inline void rq_replay_ops(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t stride,
                                 size_t len, rq_scale_fn scale, rq_fma_into_fn fma_into,
                                 rq_xor_many_fn xor_many, rq_fma_many_fn fma_many,
                                 rq_xor_many_fn xor_set)
{
    rq_replay_ops_split(ops, n_ops, rows, stride, NULL, 0, UINT32_MAX, len, scale, fma_into,
                        xor_many, fma_many, xor_set);
}

/* apply_plan_batch for CPU backends: the blocks one after another. */
static inline void rq_replay_batch(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t n_blocks,
                                   size_t block_stride, size_t stride, size_t len,
                                   rq_apply_plan_fn apply_plan)
{
    for (size_t b = 0; b < n_blocks; b++)
        apply_plan(ops, n_ops, rows + b * block_stride, stride, len);
}

/*
 * Defines a CPU backend's plan entries (apply_plan, apply_plan_split and the
 * batch) from its own kernels, so each backend states them in one line.
 */
#define RQ_CPU_PLAN_KERNELS(prefix)                                                             \
    static void prefix##_apply_plan_split(const rq_op *ops, size_t n_ops, uint8_t *rows,        \
                                          size_t stride, uint8_t *scratch,                      \
                                          size_t scratch_stride, uint32_t first_scratch,        \
                                          size_t len)                                           \
    {                                                                                           \
        rq_replay_ops_split(ops, n_ops, rows, stride, scratch, scratch_stride, first_scratch,   \
                            len, prefix##_scale, prefix##_fma_into, prefix##_xor_many,          \
                            prefix##_fma_many, prefix##_xor_set);                               \
    }                                                                                           \
    static void prefix##_apply_plan(const rq_op *ops, size_t n_ops, uint8_t *rows,              \
                                    size_t stride, size_t len)                                  \
    {                                                                                           \
        rq_replay_ops(ops, n_ops, rows, stride, len, prefix##_scale, prefix##_fma_into,         \
                      prefix##_xor_many, prefix##_fma_many, prefix##_xor_set);                  \
    }                                                                                           \
    static void prefix##_apply_plan_batch(const rq_op *ops, size_t n_ops, uint8_t *rows,        \
                                          size_t n_blocks, size_t block_stride, size_t stride,  \
                                          size_t len)                                           \
    {                                                                                           \
        rq_replay_batch(ops, n_ops, rows, n_blocks, block_stride, stride, len,                  \
                        prefix##_apply_plan);                                                   \
    }

#endif
