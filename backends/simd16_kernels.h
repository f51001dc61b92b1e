/*
 * The row kernels of the 16-byte table-lookup ISAs (AArch64 NEON,
 * WebAssembly SIMD128), written once: the split-nibble GF(256) product is
 * two 16-entry lookups per 16 bytes, c*x = lo[x & 15] ^ hi[x >> 4], from
 * backends/nibble_tables.h. The including backend first defines the vector
 * type rq_v16 and these inline operations over it:
 *   rq_v16 v16_load(const uint8_t *p);          16 bytes, any alignment
 *   void   v16_store(uint8_t *p, rq_v16 v);
 *   rq_v16 v16_xor(rq_v16 a, rq_v16 b);
 *   rq_v16 v16_mul(rq_v16 x, rq_v16 lo, rq_v16 hi);   the nibble product
 * and then gets simd16_xor_into, _xor_many, _xor_set, _fma_into, _scale and
 * _fma_many, the names RQ_CPU_PLAN_KERNELS(simd16) and RQ_CPU_MATMUL(simd16)
 * build on.
 */
#ifndef RQ_BACKENDS_SIMD16_KERNELS_H
#define RQ_BACKENDS_SIMD16_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "backends/cpu_matmul.h"
#include "backends/cpu_replay.h"
#include "backends/kernels.h"
#include "backends/nibble_tables.h"
#include "core/gf256.h"

static void simd16_xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        rq_v16 a0 = v16_load(dst + i), a1 = v16_load(dst + i + 16);
        rq_v16 b0 = v16_load(src + i), b1 = v16_load(src + i + 16);
        v16_store(dst + i, v16_xor(a0, b0));
        v16_store(dst + i + 16, v16_xor(a1, b1));
    }
    for (; i + 16 <= len; i += 16)
        v16_store(dst + i, v16_xor(v16_load(dst + i), v16_load(src + i)));
    for (; i < len; i++)
        dst[i] ^= src[i];
}

/* dst (^)= the sum of the n sources: with set, dst = the sum; else dst ^= it. */
static inline void simd16_xor_sum(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len,
                                  size_t set)
{
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        rq_v16 a = v16_load(set ? srcs[0] + i : dst + i);
        for (size_t k = set; k < n; k++)
            a = v16_xor(a, v16_load(srcs[k] + i));
        v16_store(dst + i, a);
    }
    for (; i < len; i++) {
        uint8_t a = set ? srcs[0][i] : dst[i];
        for (size_t k = set; k < n; k++)
            a ^= srcs[k][i];
        dst[i] = a;
    }
}

static void simd16_xor_many(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    simd16_xor_sum(dst, srcs, n, len, 0);
}

static void simd16_xor_set(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    simd16_xor_sum(dst, srcs, n, len, 1);
}

static void simd16_fma_into(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
{
    if (c == 0)
        return;
    if (c == 1) {
        simd16_xor_into(dst, src, len);
        return;
    }
    rq_v16 lo = v16_load(rq_nibble_table[c]), hi = v16_load(rq_nibble_table[c] + 16);
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        rq_v16 x0 = v16_load(src + i), x1 = v16_load(src + i + 16);
        v16_store(dst + i, v16_xor(v16_load(dst + i), v16_mul(x0, lo, hi)));
        v16_store(dst + i + 16, v16_xor(v16_load(dst + i + 16), v16_mul(x1, lo, hi)));
    }
    for (; i + 16 <= len; i += 16)
        v16_store(dst + i, v16_xor(v16_load(dst + i), v16_mul(v16_load(src + i), lo, hi)));
    const uint8_t *row = rq_gf_mul_table[c];
    for (; i < len; i++)
        dst[i] ^= row[src[i]];
}

static void simd16_scale(uint8_t *dst, uint8_t c, size_t len)
{
    if (c == 1)
        return;
    if (c == 0) {
        memset(dst, 0, len);
        return;
    }
    rq_v16 lo = v16_load(rq_nibble_table[c]), hi = v16_load(rq_nibble_table[c] + 16);
    size_t i = 0;
    for (; i + 16 <= len; i += 16)
        v16_store(dst + i, v16_mul(v16_load(dst + i), lo, hi));
    const uint8_t *row = rq_gf_mul_table[c];
    for (; i < len; i++)
        dst[i] = row[dst[i]];
}

static void simd16_fma_many(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs, size_t n,
                            size_t len)
{
    rq_fma_many_each(dst, srcs, coefs, n, len, simd16_fma_into);
}

RQ_CPU_PLAN_KERNELS(simd16)
RQ_CPU_MATMUL(simd16)

/* A kernel table of these kernels, under the backend's name. */
#define RQ_SIMD16_KERNEL_TABLE(backend_name)                                                    \
    {                                                                                           \
        .name = backend_name, .xor_into = simd16_xor_into, .xor_many = simd16_xor_many,         \
        .fma_into = simd16_fma_into, .scale = simd16_scale, .apply_plan = simd16_apply_plan,    \
        .apply_plan_batch = simd16_apply_plan_batch, .gf_matmul = simd16_gf_matmul,             \
        .gf_matmul_ptrs = simd16_gf_matmul_ptrs, .fma_many = simd16_fma_many,                   \
        .xor_set = simd16_xor_set, .apply_plan_split = simd16_apply_plan_split,                 \
        .stream_rows = rq_stream_rows_memcpy,                                                   \
    }

#endif
