/*
 * BLAKE3 on 16 inputs at once with AVX-512 (compiled with -mavx512f
 * -mavx512bw -mavx512vl; called only where the CPU has them). The BLAKE3
 * paper's "hash many inputs in parallel" layout: each 32-bit lane of a
 * 512-bit register belongs to one input, so register v[i] holds state word
 * i of all 16 compressions and m[w] message word w of all 16 blocks (the
 * blocks are loaded as rows and transposed); the 7 rounds are then the
 * scalar rounds with every operation 16 wide.
 */
#include <immintrin.h>

#include "runtime/blake3_impl.h"

#define DEGREE 16

RQ_BLAKE3_INLINE __m512i vadd(__m512i a, __m512i b)
{
    return _mm512_add_epi32(a, b);
}

RQ_BLAKE3_INLINE __m512i vxor(__m512i a, __m512i b)
{
    return _mm512_xor_si512(a, b);
}

#define G(a, b, c, d, x, y)                                                                                  \
    do {                                                                                                     \
        v[a] = vadd(vadd(v[a], v[b]), (x));                                                                  \
        v[d] = _mm512_ror_epi32(vxor(v[d], v[a]), 16);                                                       \
        v[c] = vadd(v[c], v[d]);                                                                             \
        v[b] = _mm512_ror_epi32(vxor(v[b], v[c]), 12);                                                       \
        v[a] = vadd(vadd(v[a], v[b]), (y));                                                                  \
        v[d] = _mm512_ror_epi32(vxor(v[d], v[a]), 8);                                                        \
        v[c] = vadd(v[c], v[d]);                                                                             \
        v[b] = _mm512_ror_epi32(vxor(v[b], v[c]), 7);                                                        \
    } while (0)

RQ_BLAKE3_INLINE void round_fn(__m512i v[16], const __m512i m[16], const uint8_t s[16])
{
    RQ_BLAKE3_ROUND(m, s);
}

/*
 * Transposes the 16x16 matrix of 32-bit words in r (row i = input i) so
 * that m[w] holds word w of every row: 32-bit then 64-bit interleaves make
 * 4x4 blocks within each 128-bit lane, two 128-bit lane shuffles move the
 * blocks into place.
 */
RQ_BLAKE3_INLINE void transpose16(const __m512i r[16], __m512i m[16])
{
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    /* u[4g + j], 128-bit lane k: word 4k + j of rows 4g .. 4g + 3 */
    for (int g = 0; g < 4; g++) {
        const __m512i *p = t + 4 * g;
        u[4 * g + 0] = _mm512_unpacklo_epi64(p[0], p[2]);
        u[4 * g + 1] = _mm512_unpackhi_epi64(p[0], p[2]);
        u[4 * g + 2] = _mm512_unpacklo_epi64(p[1], p[3]);
        u[4 * g + 3] = _mm512_unpackhi_epi64(p[1], p[3]);
    }
    /* m[4k + j] = lane k of u[j], u[4 + j], u[8 + j], u[12 + j] */
    for (int j = 0; j < 4; j++) {
        __m512i s0 = _mm512_shuffle_i32x4(u[j], u[4 + j], _MM_SHUFFLE(2, 0, 2, 0));
        __m512i s1 = _mm512_shuffle_i32x4(u[j], u[4 + j], _MM_SHUFFLE(3, 1, 3, 1));
        __m512i s2 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], _MM_SHUFFLE(2, 0, 2, 0));
        __m512i s3 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], _MM_SHUFFLE(3, 1, 3, 1));
        m[j] = _mm512_shuffle_i32x4(s0, s2, _MM_SHUFFLE(2, 0, 2, 0));
        m[4 + j] = _mm512_shuffle_i32x4(s1, s3, _MM_SHUFFLE(2, 0, 2, 0));
        m[8 + j] = _mm512_shuffle_i32x4(s0, s2, _MM_SHUFFLE(3, 1, 3, 1));
        m[12 + j] = _mm512_shuffle_i32x4(s1, s3, _MM_SHUFFLE(3, 1, 3, 1));
    }
}

void rq_blake3_batch_avx512(const rq_blake3_batch *batch, uint32_t out[][8])
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
    const __m512i lo = _mm512_loadu_si512(counter_lo), hi = _mm512_loadu_si512(counter_hi);
    __m512i h[8];
    for (int i = 0; i < 8; i++)
        h[i] = _mm512_set1_epi32((int)rq_blake3_iv[i]);
    __mmask16 live = 0xFFFF; /* lanes whose chaining value still changes */
    for (size_t b = 0; b < batch->blocks; b++) {
        if (batch->last_blocks && b == batch->last_blocks) {
            /* The unfinished chunk's blocks end: keep its value, read a valid block in its place. */
            live = (__mmask16)(live & ~(1u << (batch->n - 1)));
            in[batch->n - 1] = in[0];
        }
        __m512i rows[16], m[16];
        for (int i = 0; i < DEGREE; i++)
            rows[i] = _mm512_loadu_si512(in[i] + b * RQ_BLAKE3_BLOCK_LEN);
        transpose16(rows, m);
        uint32_t flags = batch->flags | (b == 0 ? batch->flags_start : 0) |
                         (b + 1 == batch->blocks ? batch->flags_end : 0);
        __m512i v[16] = {
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
            _mm512_set1_epi32((int)rq_blake3_iv[0]), _mm512_set1_epi32((int)rq_blake3_iv[1]),
            _mm512_set1_epi32((int)rq_blake3_iv[2]), _mm512_set1_epi32((int)rq_blake3_iv[3]),
            lo, hi, _mm512_set1_epi32((int)RQ_BLAKE3_BLOCK_LEN), _mm512_set1_epi32((int)flags),
        };
        round_fn(v, m, rq_blake3_schedule[0]);
        round_fn(v, m, rq_blake3_schedule[1]);
        round_fn(v, m, rq_blake3_schedule[2]);
        round_fn(v, m, rq_blake3_schedule[3]);
        round_fn(v, m, rq_blake3_schedule[4]);
        round_fn(v, m, rq_blake3_schedule[5]);
        round_fn(v, m, rq_blake3_schedule[6]);
        for (int i = 0; i < 8; i++)
            h[i] = _mm512_mask_xor_epi32(h[i], live, v[i], v[i + 8]);
    }
    /* Back to one row per input: the first 8 words of each transposed row. */
    __m512i rows[16], cvs[16];
    for (int i = 0; i < 8; i++) {
        rows[i] = h[i];
        rows[i + 8] = _mm512_setzero_si512();
    }
    transpose16(rows, cvs);
    for (size_t i = 0; i < batch->n; i++)
        _mm256_storeu_si256((__m256i *)out[i], _mm512_castsi512_si256(cvs[i]));
}
