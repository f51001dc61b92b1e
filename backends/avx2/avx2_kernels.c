/*
 * AVX2 kernels. GF(256) products use the split-nibble method: c*x =
 * c*(x & 15) ^ c*(x >> 4 << 4), each half a 16-entry table looked up 32 bytes
 * at a time with vpshufb. Compiled with -mavx2 on its own; only called after
 * dispatch has seen AVX2 on the CPU.
 */
#include <immintrin.h>
#include <string.h>

#include "backends/cpu_replay.h"
#include "backends/cpu_matmul.h"
#include "backends/kernels.h"
#include "backends/nibble_tables.h"
#include "core/gf256.h"


static void avx2_xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(dst + i));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(dst + i + 32));
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(src + i + 32));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_xor_si256(a0, b0));
        _mm256_storeu_si256((__m256i *)(dst + i + 32), _mm256_xor_si256(a1, b1));
    }
    for (; i + 32 <= len; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(dst + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(src + i));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_xor_si256(a, b));
    }
    for (; i < len; i++)
        dst[i] ^= src[i];
}

/* dst (^)= the sum of the n sources: with set, dst = the sum; else dst ^= it. */
static inline __attribute__((always_inline)) void xor_sum(uint8_t *dst, const uint8_t *const *srcs,
                                                          size_t n, size_t len, size_t set)
{
    const uint8_t *first = set ? srcs[0] : dst;
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(first + i));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(first + i + 32));
        for (size_t k = set; k < n; k++) {
            a0 = _mm256_xor_si256(a0, _mm256_loadu_si256((const __m256i *)(srcs[k] + i)));
            a1 = _mm256_xor_si256(a1, _mm256_loadu_si256((const __m256i *)(srcs[k] + i + 32)));
        }
        _mm256_storeu_si256((__m256i *)(dst + i), a0);
        _mm256_storeu_si256((__m256i *)(dst + i + 32), a1);
    }
    for (; i + 32 <= len; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(first + i));
        for (size_t k = set; k < n; k++)
            a = _mm256_xor_si256(a, _mm256_loadu_si256((const __m256i *)(srcs[k] + i)));
        _mm256_storeu_si256((__m256i *)(dst + i), a);
    }
    for (; i < len; i++) {
        uint8_t a = first[i];
        for (size_t k = set; k < n; k++)
            a ^= srcs[k][i];
        dst[i] = a;
    }
}

static void avx2_xor_many(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    xor_sum(dst, srcs, n, len, 0);
}

static void avx2_xor_set(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    xor_sum(dst, srcs, n, len, 1);
}

static inline __m256i mul32(__m256i x, __m256i lo, __m256i hi, __m256i mask)
{
    __m256i l = _mm256_and_si256(x, mask);
    __m256i h = _mm256_and_si256(_mm256_srli_epi16(x, 4), mask);
    return _mm256_xor_si256(_mm256_shuffle_epi8(lo, l), _mm256_shuffle_epi8(hi, h));
}

static void avx2_fma_into(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
{
    if (c == 0)
        return;
    if (c == 1) {
        avx2_xor_into(dst, src, len);
        return;
    }
    __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)rq_nibble_table[c]));
    __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(rq_nibble_table[c] + 16)));
    __m256i mask = _mm256_set1_epi8(0x0F);
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(src + i + 32));
        __m256i d0 = _mm256_loadu_si256((const __m256i *)(dst + i));
        __m256i d1 = _mm256_loadu_si256((const __m256i *)(dst + i + 32));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_xor_si256(d0, mul32(x0, lo, hi, mask)));
        _mm256_storeu_si256((__m256i *)(dst + i + 32),
                            _mm256_xor_si256(d1, mul32(x1, lo, hi, mask)));
    }
    for (; i + 32 <= len; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i d = _mm256_loadu_si256((const __m256i *)(dst + i));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_xor_si256(d, mul32(x, lo, hi, mask)));
    }
    const uint8_t *row = rq_gf_mul_table[c];
    for (; i < len; i++)
        dst[i] ^= row[src[i]];
}

static void avx2_scale(uint8_t *dst, uint8_t c, size_t len)
{
    if (c == 1)
        return;
    if (c == 0) {
        memset(dst, 0, len);
        return;
    }
    __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)rq_nibble_table[c]));
    __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(rq_nibble_table[c] + 16)));
    __m256i mask = _mm256_set1_epi8(0x0F);
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(dst + i));
        _mm256_storeu_si256((__m256i *)(dst + i), mul32(x, lo, hi, mask));
    }
    const uint8_t *row = rq_gf_mul_table[c];
    for (; i < len; i++)
        dst[i] = row[dst[i]];
}

/* Every source's nibble tables stay in registers while dst is passed once. */
static void avx2_fma_many(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs,
                          size_t n, size_t len)
{
    __m256i lo[RQ_FMA_MANY_MAX], hi[RQ_FMA_MANY_MAX];
    __m256i mask = _mm256_set1_epi8(0x0F);
    for (size_t k = 0; k < n; k++) {
        lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)rq_nibble_table[coefs[k]]));
        hi[k] = _mm256_broadcastsi128_si256(
            _mm_loadu_si128((const __m128i *)(rq_nibble_table[coefs[k]] + 16)));
    }
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(dst + i));
        for (size_t k = 0; k < n; k++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(srcs[k] + i));
            a = _mm256_xor_si256(a, coefs[k] == 1 ? x : mul32(x, lo[k], hi[k], mask));
        }
        _mm256_storeu_si256((__m256i *)(dst + i), a);
    }
    for (; i < len; i++) {
        uint8_t a = dst[i];
        for (size_t k = 0; k < n; k++)
            a ^= rq_gf_mul_table[coefs[k]][srcs[k][i]];
        dst[i] = a;
    }
}

RQ_CPU_PLAN_KERNELS(avx2)
RQ_CPU_MATMUL(avx2)

/* stream_rows: 32-byte non-temporal stores into aligned rows, memcpy otherwise. */
static void avx2_stream_rows(uint8_t *rows, size_t stride, const uint32_t *to, const uint8_t *src,
                             size_t src_stride, size_t n, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *d = rows + (size_t)(to ? to[i] : i) * stride;
        const uint8_t *s = src + i * src_stride;
        if (((uintptr_t)d & 31) || len % 32) {
            memcpy(d, s, len);
            continue;
        }
        for (size_t x = 0; x < len; x += 32)
            _mm256_stream_si256((__m256i *)(d + x), _mm256_loadu_si256((const __m256i *)(s + x)));
    }
    _mm_sfence();
}

static const rq_kernels AVX2 = {
    .name = "avx2",
    .xor_into = avx2_xor_into,
    .xor_many = avx2_xor_many,
    .fma_into = avx2_fma_into,
    .scale = avx2_scale,
    .apply_plan = avx2_apply_plan,
    .apply_plan_batch = avx2_apply_plan_batch,
    .gf_matmul = avx2_gf_matmul,
    .gf_matmul_ptrs = avx2_gf_matmul_ptrs,
    .fma_many = avx2_fma_many,
    .xor_set = avx2_xor_set,
    .apply_plan_split = avx2_apply_plan_split,
    .stream_rows = avx2_stream_rows,
};

const rq_kernels *rq_kernels_avx2(void)
{
    rq_nibble_tables_init();
    return &AVX2;
}
