/*
 * BLAKE3 on 8 inputs at once with AVX2 (compiled with -mavx2; called only
 * where the CPU has it). The BLAKE3 paper's "hash many inputs in parallel"
 * layout: each 32-bit lane of a 256-bit register belongs to one input, so
 * register v[i] holds state word i of all 8 compressions and m[w] message
 * word w of all 8 blocks (the blocks are loaded as rows and transposed);
 * the 7 rounds are then the scalar rounds with every operation 8 wide.
 */
#include <immintrin.h>

#include "runtime/blake3_impl.h"

#define DEGREE 8

RQ_BLAKE3_INLINE __m256i vadd(__m256i a, __m256i b)
{
    return _mm256_add_epi32(a, b);
}

RQ_BLAKE3_INLINE __m256i vxor(__m256i a, __m256i b)
{
    return _mm256_xor_si256(a, b);
}

/* Rotations by whole bytes are one byte shuffle; the others two shifts. */
RQ_BLAKE3_INLINE __m256i rotr16(__m256i x)
{
    const __m256i order = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, //
                                           2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    return _mm256_shuffle_epi8(x, order);
}

RQ_BLAKE3_INLINE __m256i rotr8(__m256i x)
{
    const __m256i order = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, //
                                           1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
    return _mm256_shuffle_epi8(x, order);
}

RQ_BLAKE3_INLINE __m256i rotr12(__m256i x)
{
    return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}

RQ_BLAKE3_INLINE __m256i rotr7(__m256i x)
{
    return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

#define G(a, b, c, d, x, y)                                                                                  \
    do {                                                                                                     \
        v[a] = vadd(vadd(v[a], v[b]), (x));                                                                  \
        v[d] = rotr16(vxor(v[d], v[a]));                                                                     \
        v[c] = vadd(v[c], v[d]);                                                                             \
        v[b] = rotr12(vxor(v[b], v[c]));                                                                     \
        v[a] = vadd(vadd(v[a], v[b]), (y));                                                                  \
        v[d] = rotr8(vxor(v[d], v[a]));                                                                      \
        v[c] = vadd(v[c], v[d]);                                                                             \
        v[b] = rotr7(vxor(v[b], v[c]));                                                                      \
    } while (0)

RQ_BLAKE3_INLINE void round_fn(__m256i v[16], const __m256i m[16], const uint8_t s[16])
{
    RQ_BLAKE3_ROUND(m, s);
}

/*
 * Transposes the 8x8 matrix of 32-bit words in r (row i = input i) so that
 * m[w] holds word w of every row: 32-bit then 64-bit interleaves make 4x4
 * blocks within each 128-bit lane, a 128-bit lane exchange puts them in place.
 */
RQ_BLAKE3_INLINE void transpose8(const __m256i r[8], __m256i m[8])
{
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    /* u[4g + j], 128-bit lane k: word 4k + j of rows 4g .. 4g + 3 */
    for (int g = 0; g < 2; g++) {
        const __m256i *p = t + 4 * g;
        u[4 * g + 0] = _mm256_unpacklo_epi64(p[0], p[2]);
        u[4 * g + 1] = _mm256_unpackhi_epi64(p[0], p[2]);
        u[4 * g + 2] = _mm256_unpacklo_epi64(p[1], p[3]);
        u[4 * g + 3] = _mm256_unpackhi_epi64(p[1], p[3]);
    }
    for (int j = 0; j < 4; j++) {
        m[j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x20);
        m[4 + j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x31);
    }
}

void rq_blake3_batch_avx2(const rq_blake3_batch *batch, uint32_t out[][8])
{
    /* Lanes past n repeat input 0; their results are dropped. */
    const uint8_t *in[DEGREE];
    uint32_t counter_lo[DEGREE], counter_hi[DEGREE];
    for (size_t i = 0; i < DEGREE; i++) {
        in[i] = batch->inputs[i < batch->n ? i : 0];
        uint64_t counter = batch->counter + i * batch->counter_step;
        counter_lo[i] = (uint32_t)counter;
        counter_hi[i] = (uint32_t)(counter >> 32);
    }
    const __m256i lo = _mm256_loadu_si256((const __m256i *)counter_lo);
    const __m256i hi = _mm256_loadu_si256((const __m256i *)counter_hi);
    __m256i h[8];
    for (int i = 0; i < 8; i++)
        h[i] = _mm256_set1_epi32((int)rq_blake3_iv[i]);
    int frozen = 0; /* whether the last lane's chaining value is final */
    const __m256i frozen_lane = _mm256_cmpeq_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                                   _mm256_set1_epi32((int)batch->n - 1));
    for (size_t b = 0; b < batch->blocks; b++) {
        if (batch->last_blocks && b == batch->last_blocks) {
            /* The unfinished chunk's blocks end: keep its value, read a valid block in its place. */
            frozen = 1;
            in[batch->n - 1] = in[0];
        }
        __m256i rows[8], m[16];
        for (int half = 0; half < 2; half++) {
            for (int i = 0; i < DEGREE; i++)
                rows[i] = _mm256_loadu_si256((const __m256i *)(in[i] + b * RQ_BLAKE3_BLOCK_LEN + 32 * half));
            transpose8(rows, m + 8 * half);
        }
        uint32_t flags = batch->flags | (b == 0 ? batch->flags_start : 0) |
                         (b + 1 == batch->blocks ? batch->flags_end : 0);
        __m256i v[16] = {
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
            _mm256_set1_epi32((int)rq_blake3_iv[0]), _mm256_set1_epi32((int)rq_blake3_iv[1]),
            _mm256_set1_epi32((int)rq_blake3_iv[2]), _mm256_set1_epi32((int)rq_blake3_iv[3]),
            lo, hi, _mm256_set1_epi32((int)RQ_BLAKE3_BLOCK_LEN), _mm256_set1_epi32((int)flags),
        };
        round_fn(v, m, rq_blake3_schedule[0]);
        round_fn(v, m, rq_blake3_schedule[1]);
        round_fn(v, m, rq_blake3_schedule[2]);
        round_fn(v, m, rq_blake3_schedule[3]);
        round_fn(v, m, rq_blake3_schedule[4]);
        round_fn(v, m, rq_blake3_schedule[5]);
        round_fn(v, m, rq_blake3_schedule[6]);
        for (int i = 0; i < 8; i++)
            h[i] = frozen ? _mm256_blendv_epi8(vxor(v[i], v[i + 8]), h[i], frozen_lane) : vxor(v[i], v[i + 8]);
    }
    /* Back to one row per input. */
    __m256i cvs[8];
    transpose8(h, cvs);
    for (size_t i = 0; i < batch->n; i++)
        _mm256_storeu_si256((__m256i *)out[i], cvs[i]);
}
