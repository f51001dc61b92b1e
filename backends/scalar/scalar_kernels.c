/*
 * Portable reference kernels: simple and obviously correct. Every other
 * backend is tested byte for byte against these.
 */
#include <string.h>

#include "backends/cpu_replay.h"
#include "backends/cpu_matmul.h"
#include "backends/kernels.h"
#include "core/gf256.h"

static void scalar_xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t i = 0;
    /* Word-wide XOR through memcpy: alignment-agnostic and vectorizable. */
    for (; i + 8 <= len; i += 8) {
        uint64_t a, b;
        memcpy(&a, dst + i, 8);
        memcpy(&b, src + i, 8);
        a ^= b;
        memcpy(dst + i, &a, 8);
    }
    for (; i < len; i++)
        dst[i] ^= src[i];
}

/* dst (^)= the sum of the n sources: with set, dst = the sum; else dst ^= it. */
static inline void xor_sum(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len, size_t set)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t a, b;
        memcpy(&a, set ? srcs[0] + i : dst + i, 8);
        for (size_t k = set; k < n; k++) {
            memcpy(&b, srcs[k] + i, 8);
            a ^= b;
        }
        memcpy(dst + i, &a, 8);
    }
    for (; i < len; i++) {
        uint8_t a = set ? srcs[0][i] : dst[i];
        for (size_t k = set; k < n; k++)
            a ^= srcs[k][i];
        dst[i] = a;
    }
}

static void scalar_xor_many(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    xor_sum(dst, srcs, n, len, 0);
}

static void scalar_xor_set(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    xor_sum(dst, srcs, n, len, 1);
}

static void scalar_fma_into(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
{
    if (c == 0)
        return;
    if (c == 1) {
        scalar_xor_into(dst, src, len);
        return;
    }
    const uint8_t *row = rq_gf_mul_table[c];
    for (size_t i = 0; i < len; i++)
        dst[i] ^= row[src[i]];
}

static void scalar_scale(uint8_t *dst, uint8_t c, size_t len)
{
    if (c == 1)
        return;
    if (c == 0) {
        memset(dst, 0, len);
        return;
    }
    const uint8_t *row = rq_gf_mul_table[c];
    for (size_t i = 0; i < len; i++)
        dst[i] = row[dst[i]];
}

static void scalar_fma_many(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs,
                            size_t n, size_t len)
{
    rq_fma_many_each(dst, srcs, coefs, n, len, scalar_fma_into);
}

RQ_CPU_PLAN_KERNELS(scalar)
RQ_CPU_MATMUL(scalar)

static const rq_kernels SCALAR = {
    .name = "scalar",
    .xor_into = scalar_xor_into,
    .xor_many = scalar_xor_many,
    .fma_into = scalar_fma_into,
    .scale = scalar_scale,
    .apply_plan = scalar_apply_plan,
    .apply_plan_batch = scalar_apply_plan_batch,
    .gf_matmul = scalar_gf_matmul,
    .gf_matmul_ptrs = scalar_gf_matmul_ptrs,
    .fma_many = scalar_fma_many,
    .xor_set = scalar_xor_set,
    .apply_plan_split = scalar_apply_plan_split,
    .stream_rows = rq_stream_rows_memcpy,
};

const rq_kernels *rq_kernels_scalar(void)
{
    rq_gf_init();
    return &SCALAR;
}
