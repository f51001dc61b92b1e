/*
 * The kernel table every backend fills: the byte loops RaptorQ spends its time
 * in, over GF(256) with polynomial 0x11D. Core code records row operations as
 * a plan (rq_op list) and hands it to apply_plan; nothing else touches bytes.
 */
#ifndef RQ_BACKENDS_KERNELS_H
#define RQ_BACKENDS_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * One row operation of a plan, 8 bytes:
 *   src == dst:              row[dst] = coef * row[dst]        (scale)
 *   src != dst, coef == 1:   row[dst] ^= row[src]              (xor)
 *   src != dst, coef >= 2:   row[dst] ^= coef * row[src]       (fma)
 *   src != dst, coef == 0:   row[dst] = row[src]               (copy: a row's first
 *                            value, instead of clearing it and XORing that in)
 * dst_coef packs the destination row (low 24 bits) and coef (high 8 bits).
 */
typedef struct rq_op {
    uint32_t dst_coef;
    uint32_t src;
} rq_op;

#define RQ_OP_MAX_ROWS (1u << 24)

static inline rq_op rq_op_make(uint32_t dst, uint32_t src, uint8_t coef)
{
    rq_op op = {dst | (uint32_t)coef << 24, src};
    return op;
}
static inline uint32_t rq_op_dst(rq_op op) { return op.dst_coef & 0xFFFFFFu; }
static inline uint8_t rq_op_coef(rq_op op) { return (uint8_t)(op.dst_coef >> 24); }

/* The row kernels' types (meanings in rq_kernels below). */
typedef void (*rq_xor_into_fn)(uint8_t *dst, const uint8_t *src, size_t len);
typedef void (*rq_xor_many_fn)(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len);
typedef void (*rq_fma_into_fn)(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len);
typedef void (*rq_scale_fn)(uint8_t *dst, uint8_t c, size_t len);
typedef void (*rq_fma_many_fn)(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs,
                               size_t n, size_t len);
typedef void (*rq_apply_plan_fn)(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t stride,
                                 size_t len);

typedef struct rq_kernels {
    const char *name;
    /* dst[i] ^= src[i] */
    rq_xor_into_fn xor_into;
    /*
     * dst[i] ^= srcs[0][i] ^ ... ^ srcs[n-1][i], 1 <= n <= RQ_XOR_MANY_MAX: one
     * pass over dst instead of n (plans XOR several rows into one in a row).
     */
    rq_xor_many_fn xor_many;
    /* dst[i] ^= c * src[i] */
    rq_fma_into_fn fma_into;
    /* dst[i] = c * dst[i] */
    rq_scale_fn scale;
    /*
     * Replays ops over rows: row r is the len bytes at rows + r*stride. With
     * stride > len a plan is replayed on one stripe (or sub-block) of wider rows.
     */
    rq_apply_plan_fn apply_plan;
    /*
     * One plan over n_blocks blocks at once (the batch re-encoding case):
     * block b's row r is the len bytes at rows + b*block_stride + r*stride.
     */
    void (*apply_plan_batch)(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t n_blocks,
                             size_t block_stride, size_t stride, size_t len);
    /*
     * Dense product over GF(256): out row i = sum_j matrix[i*k + j] * in row j,
     * for i < m, j < k; rows are len bytes, in_stride / out_stride apart.
     * (Dense combinations of small blocks: core/dense_combine.h.)
     */
    void (*gf_matmul)(const uint8_t *matrix, size_t m, size_t k, const uint8_t *in,
                      size_t in_stride, uint8_t *out, size_t out_stride, size_t len);
    /*
     * dst[i] ^= coefs[0]*srcs[0][i] ^ ... ^ coefs[n-1]*srcs[n-1][i], coefs >= 1,
     * 1 <= n <= RQ_FMA_MANY_MAX: xor_many with coefficients, for the runs of
     * multiply-adds into one row that plans have (HDPC rows).
     */
    rq_fma_many_fn fma_many;
    /*
     * dst[i] = srcs[0][i] ^ ... ^ srcs[n-1][i], 1 <= n <= RQ_XOR_MANY_MAX: a
     * plan's copy into a row and the XORs into it after that, in one pass
     * that writes dst without reading it first.
     */
    rq_xor_many_fn xor_set;
    /*
     * apply_plan with the rows from first_scratch on at scratch + (r -
     * first_scratch) * scratch_stride: a plan's scratch rows in a buffer one
     * stripe wide (core/plan.c: rq_plan_apply). NULL in backends without it
     * (CUDA): core/plan.c then replays with their row kernels.
     */
    void (*apply_plan_split)(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t stride,
                             uint8_t *scratch, size_t scratch_stride, uint32_t first_scratch,
                             size_t len);
    /*
     * Row to[i] of rows (i itself if to is NULL) = the len bytes at src + i *
     * src_stride, for i < n, with stores that bypass the caches where the ISA
     * has them (and all of them done on return): for filling blocks larger
     * than the caches, where regular stores would first read every line they
     * write.
     */
    void (*stream_rows)(uint8_t *rows, size_t stride, const uint32_t *to, const uint8_t *src,
                        size_t src_stride, size_t n, size_t len);
} rq_kernels;

/*
 * The longest runs xor_many / xor_set and fma_many take. Longer XOR runs
 * mean fewer passes over the destination (plans average ~7 operations per
 * run, and the HDPC rows take thousands); the multiply-adds stay at 8, where
 * the AVX-512 kernel keeps its matrices in registers.
 */
#define RQ_XOR_MANY_MAX 16
#define RQ_FMA_MANY_MAX 8

/*
 * Plan replay shared by every CPU backend: each passes its own kernels, which
 * the compiler inlines, so the loop is written once and specialised per ISA.
 * Consecutive XORs into the same row go to xor_many together. Rows from
 * first_scratch on may live apart, at scratch + (r - first_scratch) *
 * scratch_stride (core/plan.c keeps a plan's scratch rows there when the
 * caller's buffer has none); rq_replay_ops is the one-region case.
 */
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

/* stream_rows with memcpy, for backends without stores that bypass the caches. */
static inline void rq_stream_rows_memcpy(uint8_t *rows, size_t stride, const uint32_t *to,
                                         const uint8_t *src, size_t src_stride, size_t n,
                                         size_t len)
{
    for (size_t i = 0; i < n; i++)
        memcpy(rows + (size_t)(to ? to[i] : i) * stride, src + i * src_stride, len);
}

/* fma_many as one fma_into per source, for backends without a fused one. */
static inline void rq_fma_many_each(uint8_t *dst, const uint8_t *const *srcs,
                                    const uint8_t *coefs, size_t n, size_t len,
                                    rq_fma_into_fn fma_into)
{
    for (size_t k = 0; k < n; k++)
        fma_into(dst, srcs[k], coefs[k], len);
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
 * gf_matmul for CPU backends, built on the backend's runs: each output row is
 * cleared, then takes its inputs with nonzero coefficients RQ_FMA_MANY_MAX at
 * a time (xor_many where they are all 1), in stripes narrow enough that the
 * inputs' stripes stay in cache (about 1 MiB in all) while every output reads
 * them.
 */
static inline void rq_matmul_rows(const uint8_t *matrix, size_t m, size_t k, const uint8_t *in,
                                  size_t in_stride, uint8_t *out, size_t out_stride, size_t len,
                                  rq_xor_many_fn xor_many, rq_fma_many_fn fma_many)
{
    size_t s = ((size_t)1 << 20) / (k + m ? k + m : 1);
    s = s < 2048 ? 2048 : (s + 63) & ~(size_t)63;
    for (size_t off = 0; off < len; off += s) {
        size_t l = len - off < s ? len - off : s;
        for (size_t i = 0; i < m; i++) {
            uint8_t *o = out + i * out_stride + off;
            const uint8_t *srcs[RQ_FMA_MANY_MAX];
            uint8_t c[RQ_FMA_MANY_MAX];
            size_t n = 0;
            int all_ones = 1;
            memset(o, 0, l);
            for (size_t j = 0; j <= k; j++) {
                /* A run goes in when full, and at the end. */
                if (n == RQ_FMA_MANY_MAX || (j == k && n > 0)) {
                    if (all_ones)
                        xor_many(o, srcs, n, l);
                    else
                        fma_many(o, srcs, c, n, l);
                    n = 0;
                    all_ones = 1;
                }
                if (j == k || !matrix[i * k + j])
                    continue;
                srcs[n] = in + j * in_stride + off;
                c[n] = matrix[i * k + j];
                all_ones &= c[n] == 1;
                n++;
            }
        }
    }
}

/*
 * Defines a CPU backend's plan entries (apply_plan, apply_plan_split and the
 * batch) from its own kernels, so each backend states them in one line;
 * RQ_CPU_MATMUL the matrix product, for backends without one of their own.
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
#define RQ_CPU_MATMUL(prefix)                                                                   \
    static void prefix##_gf_matmul(const uint8_t *matrix, size_t m, size_t k, const uint8_t *in, \
                                   size_t in_stride, uint8_t *out, size_t out_stride,           \
                                   size_t len)                                                  \
    {                                                                                           \
        rq_matmul_rows(matrix, m, k, in, in_stride, out, out_stride, len, prefix##_xor_many,    \
                       prefix##_fma_many);                                                      \
    }

/* The backends; runtime/dispatch.c references only those the build has. */
const rq_kernels *rq_kernels_scalar(void);
const rq_kernels *rq_kernels_avx2(void);
const rq_kernels *rq_kernels_avx512(void);
const rq_kernels *rq_kernels_neon(void);

#endif
