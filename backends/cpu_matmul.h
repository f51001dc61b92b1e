/*
 * The dense GF(256) product (gf_matmul) for CPU backends, built on a
 * backend's multiply-add runs.
 */
#ifndef RQ_BACKENDS_CPU_MATMUL_H
#define RQ_BACKENDS_CPU_MATMUL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "backends/kernels.h"

/*
 * Where a product's rows are: input row j at in_rows[j] (or, with in_rows
 * NULL, in + j * in_stride), output row i likewise. Strided rows are the
 * block coders' (gf_matmul), row pointers the k+m coders' (gf_matmul_ptrs),
 * whose units the caller owns one by one.
 */
typedef struct rq_matmul_rows_at {
    const uint8_t *const *in_rows;
    const uint8_t *in;
    size_t in_stride;
    uint8_t *const *out_rows;
    uint8_t *out;
    size_t out_stride;
} rq_matmul_rows_at;

static inline const uint8_t *rq_matmul_in(const rq_matmul_rows_at *at, size_t j)
{
    return at->in_rows ? at->in_rows[j] : at->in + j * at->in_stride;
}

static inline uint8_t *rq_matmul_out(const rq_matmul_rows_at *at, size_t i)
{
    return at->out_rows ? at->out_rows[i] : at->out + i * at->out_stride;
}

/*
 * gf_matmul for CPU backends, built on the backend's runs: each output row is
 * cleared, then takes its inputs with nonzero coefficients RQ_FMA_MANY_MAX at
 * a time (xor_many where they are all 1), in stripes narrow enough that the
 * inputs' stripes stay in cache (about 1 MiB in all) while every output reads
 * them.
 */
static inline void rq_matmul_rows(const uint8_t *matrix, size_t m, size_t k,
                                  const rq_matmul_rows_at *at, size_t len,
                                  rq_xor_many_fn xor_many, rq_fma_many_fn fma_many)
{
    size_t s = ((size_t)1 << 20) / (k + m ? k + m : 1);
    s = s < 2048 ? 2048 : (s + 63) & ~(size_t)63;
    for (size_t off = 0; off < len; off += s) {
        size_t l = len - off < s ? len - off : s;
        for (size_t i = 0; i < m; i++) {
            uint8_t *o = rq_matmul_out(at, i) + off;
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
                srcs[n] = rq_matmul_in(at, j) + off;
                c[n] = matrix[i * k + j];
                all_ones &= c[n] == 1;
                n++;
            }
        }
    }
}

/*
 * Defines prefix##_gf_matmul and prefix##_gf_matmul_ptrs from the backend's
 * runs, for backends without products of their own.
 */
#define RQ_CPU_MATMUL(prefix)                                                                   \
    static void prefix##_gf_matmul(const uint8_t *matrix, size_t m, size_t k, const uint8_t *in, \
                                   size_t in_stride, uint8_t *out, size_t out_stride,           \
                                   size_t len)                                                  \
    {                                                                                           \
        rq_matmul_rows_at at = {NULL, in, in_stride, NULL, out, out_stride};                    \
        rq_matmul_rows(matrix, m, k, &at, len, prefix##_xor_many, prefix##_fma_many);           \
    }                                                                                           \
    static void prefix##_gf_matmul_ptrs(const uint8_t *matrix, size_t m, size_t k,              \
                                        const uint8_t *const *in, uint8_t *const *out,          \
                                        size_t len)                                             \
    {                                                                                           \
        rq_matmul_rows_at at = {in, NULL, 0, out, NULL, 0};                                     \
        rq_matmul_rows(matrix, m, k, &at, len, prefix##_xor_many, prefix##_fma_many);           \
    }

#endif
