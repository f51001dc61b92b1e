/*
 * AArch64 NEON kernels: the split-nibble GF(256) product with vqtbl1q_u8
 * (two 16-entry table lookups per 16 bytes), as in the AVX2 backend.
 */
#include <arm_neon.h>
#include <string.h>

#include "backends/cpu_replay.h"
#include "backends/cpu_matmul.h"
#include "backends/kernels.h"
#include "backends/nibble_tables.h"
#include "core/gf256.h"


static void neon_xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        uint8x16_t a0 = vld1q_u8(dst + i), a1 = vld1q_u8(dst + i + 16);
        uint8x16_t b0 = vld1q_u8(src + i), b1 = vld1q_u8(src + i + 16);
        vst1q_u8(dst + i, veorq_u8(a0, b0));
        vst1q_u8(dst + i + 16, veorq_u8(a1, b1));
    }
    for (; i + 16 <= len; i += 16)
        vst1q_u8(dst + i, veorq_u8(vld1q_u8(dst + i), vld1q_u8(src + i)));
    for (; i < len; i++)
        dst[i] ^= src[i];
}

/* dst (^)= the sum of the n sources: with set, dst = the sum; else dst ^= it. */
static inline void xor_sum(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len, size_t set)
{
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        uint8x16_t a = vld1q_u8(set ? srcs[0] + i : dst + i);
        for (size_t k = set; k < n; k++)
            a = veorq_u8(a, vld1q_u8(srcs[k] + i));
        vst1q_u8(dst + i, a);
    }
    for (; i < len; i++) {
        uint8_t a = set ? srcs[0][i] : dst[i];
        for (size_t k = set; k < n; k++)
            a ^= srcs[k][i];
        dst[i] = a;
    }
}

static void neon_xor_many(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    xor_sum(dst, srcs, n, len, 0);
}

static void neon_xor_set(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    xor_sum(dst, srcs, n, len, 1);
}

static inline uint8x16_t mul16(uint8x16_t x, uint8x16_t lo, uint8x16_t hi)
{
    uint8x16_t l = vandq_u8(x, vdupq_n_u8(0x0F));
    uint8x16_t h = vshrq_n_u8(x, 4);
    return veorq_u8(vqtbl1q_u8(lo, l), vqtbl1q_u8(hi, h));
}

static void neon_fma_into(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
{
    if (c == 0)
        return;
    if (c == 1) {
        neon_xor_into(dst, src, len);
        return;
    }
    uint8x16_t lo = vld1q_u8(rq_nibble_table[c]), hi = vld1q_u8(rq_nibble_table[c] + 16);
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        uint8x16_t x0 = vld1q_u8(src + i), x1 = vld1q_u8(src + i + 16);
        vst1q_u8(dst + i, veorq_u8(vld1q_u8(dst + i), mul16(x0, lo, hi)));
        vst1q_u8(dst + i + 16, veorq_u8(vld1q_u8(dst + i + 16), mul16(x1, lo, hi)));
    }
    for (; i + 16 <= len; i += 16)
        vst1q_u8(dst + i, veorq_u8(vld1q_u8(dst + i), mul16(vld1q_u8(src + i), lo, hi)));
    const uint8_t *row = rq_gf_mul_table[c];
    for (; i < len; i++)
        dst[i] ^= row[src[i]];
}

static void neon_scale(uint8_t *dst, uint8_t c, size_t len)
{
    if (c == 1)
        return;
    if (c == 0) {
        memset(dst, 0, len);
        return;
    }
    uint8x16_t lo = vld1q_u8(rq_nibble_table[c]), hi = vld1q_u8(rq_nibble_table[c] + 16);
    size_t i = 0;
    for (; i + 16 <= len; i += 16)
        vst1q_u8(dst + i, mul16(vld1q_u8(dst + i), lo, hi));
    const uint8_t *row = rq_gf_mul_table[c];
    for (; i < len; i++)
        dst[i] = row[dst[i]];
}

static void neon_fma_many(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs,
                          size_t n, size_t len)
{
    rq_fma_many_each(dst, srcs, coefs, n, len, neon_fma_into);
}

RQ_CPU_PLAN_KERNELS(neon)
RQ_CPU_MATMUL(neon)

static const rq_kernels NEON = {
    .name = "neon",
    .xor_into = neon_xor_into,
    .xor_many = neon_xor_many,
    .fma_into = neon_fma_into,
    .scale = neon_scale,
    .apply_plan = neon_apply_plan,
    .apply_plan_batch = neon_apply_plan_batch,
    .gf_matmul = neon_gf_matmul,
    .gf_matmul_ptrs = neon_gf_matmul_ptrs,
    .fma_many = neon_fma_many,
    .xor_set = neon_xor_set,
    .apply_plan_split = neon_apply_plan_split,
    .stream_rows = rq_stream_rows_memcpy,
};

const rq_kernels *rq_kernels_neon(void)
{
    rq_nibble_tables_init();
    return &NEON;
}
