/*
 * The kernel table every backend fills: the byte loops RaptorQ spends its time
 * in, over GF(256) with polynomial 0x11D. Core code records row operations as
 * a plan (rq_op list) and hands it to apply_plan; nothing else touches bytes.
 * Tables are filled with designated initializers; CPU backends build their
 * plan entries from their row kernels with backends/cpu_replay.h and their
 * matrix product with backends/cpu_matmul.h.
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
    /*
     * gf_matmul over rows anywhere: out[i] = sum_j matrix[i*k + j] * in[j],
     * each row len bytes (the k+m coders' units, each in its caller's buffer;
     * an output never overlaps an input).
     */
    void (*gf_matmul_ptrs)(const uint8_t *matrix, size_t m, size_t k, const uint8_t *const *in,
                           uint8_t *const *out, size_t len);
} rq_kernels;

/*
 * The longest runs xor_many / xor_set and fma_many take. Longer XOR runs
 * mean fewer passes over the destination (plans average ~7 operations per
 * run, and the HDPC rows take thousands); the multiply-adds stay at 8, where
 * the AVX-512 kernel keeps its matrices in registers.
 */
#define RQ_XOR_MANY_MAX 32
#define RQ_FMA_MANY_MAX 8

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

/* The backends; runtime/dispatch.c references only those the build has. */
const rq_kernels *rq_kernels_scalar(void);
const rq_kernels *rq_kernels_avx2(void);
const rq_kernels *rq_kernels_avx512(void);
const rq_kernels *rq_kernels_neon(void);
const rq_kernels *rq_kernels_wasm_simd128(void);

#endif
