/*
 * AVX-512BW + GFNI kernels. Multiplying by a constant c is linear over GF(2),
 * so it is an 8x8 bit matrix that vgf2p8affineqb applies to 64 bytes at once.
 * (gf2p8mulb would be shorter but multiplies modulo 0x11B, not RFC 6330's
 * 0x11D.) Tails use masked loads and stores, so no scalar loop is needed.
 */
#include <immintrin.h>
#include <pthread.h>
#include <string.h>

#include "backends/cpu_matmul.h"
#include "backends/cpu_replay.h"
#include "backends/kernels.h"
#include "core/gf256.h"

static uint64_t affine[256];
static pthread_once_t affine_once = PTHREAD_ONCE_INIT;

/*
 * gf2p8affine: output bit i = parity(byte (7-i) of the matrix & x). Row i of
 * "times c" holds, at bit j, bit i of c*2^j.
 */
static void build_affine_matrices(void)
{
    rq_gf_init();
    for (unsigned c = 0; c < 256; c++) {
        uint64_t m = 0;
        for (unsigned i = 0; i < 8; i++) {
            uint64_t row = 0;
            for (unsigned j = 0; j < 8; j++)
                row |= (uint64_t)((unsigned)rq_gf_mul((uint8_t)c, (uint8_t)(1u << j)) >> i & 1u) << j;
            m |= row << (8 * (7 - i));
        }
        affine[c] = m;
    }
}

static inline __mmask64 tail_mask(size_t n)
{
    return n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
}

/*
 * Bytes before dst reaches a 64-byte boundary. Doing those with one masked
 * operation lets every full-width store after it stay within one cache line,
 * which is worth ~15% when the caller's rows are not aligned.
 */
static inline size_t head_bytes(const uint8_t *dst, size_t len)
{
    size_t head = (64 - ((uintptr_t)dst & 63)) & 63;
    return head < len ? head : len;
}

/* dst ^= f(src) over len bytes, where f is the identity or a GF(2) affine map. */
static inline __m512i apply(__m512i x, __m512i mat, int identity)
{
    return identity ? x : _mm512_gf2p8affine_epi64_epi8(x, mat, 0);
}

static inline void add_into(uint8_t *dst, const uint8_t *src, size_t len, __m512i mat, int identity)
{
    size_t i = head_bytes(dst, len);
    if (i) {
        __mmask64 m = tail_mask(i);
        __m512i x = _mm512_maskz_loadu_epi8(m, src), d = _mm512_maskz_loadu_epi8(m, dst);
        _mm512_mask_storeu_epi8(dst, m, _mm512_xor_si512(d, apply(x, mat, identity)));
    }
    for (; i + 128 <= len; i += 128) {
        __m512i x0 = _mm512_loadu_si512(src + i), x1 = _mm512_loadu_si512(src + i + 64);
        __m512i d0 = _mm512_load_si512(dst + i), d1 = _mm512_load_si512(dst + i + 64);
        _mm512_store_si512(dst + i, _mm512_xor_si512(d0, apply(x0, mat, identity)));
        _mm512_store_si512(dst + i + 64, _mm512_xor_si512(d1, apply(x1, mat, identity)));
    }
    for (; i < len; i += 64) {
        __mmask64 m = tail_mask(len - i);
        __m512i x = _mm512_maskz_loadu_epi8(m, src + i), d = _mm512_maskz_loadu_epi8(m, dst + i);
        _mm512_mask_storeu_epi8(dst + i, m, _mm512_xor_si512(d, apply(x, mat, identity)));
    }
}

static void avx512_xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
    add_into(dst, src, len, _mm512_setzero_si512(), 1);
}

/*
 * dst ^= the sum of n sources, source k through the affine map mat[k] unless
 * its coefficient is 1 (or all_ones: the plain xor_many, specialised when
 * inlined with a constant 1). dst is read and written once; with set, it is
 * only written: dst = the sum.
 */
static inline __attribute__((always_inline)) void sum_into(uint8_t *dst,
                                                           const uint8_t *const *srcs,
                                                           const __m512i *mat,
                                                           const uint8_t *coefs, size_t n,
                                                           size_t len, int all_ones, int set)
{
#define RQ_TERM(k, x) apply((x), all_ones ? (x) : mat[k], all_ones || coefs[k] == 1)
    size_t i = head_bytes(dst, len);
    if (i) {
        __mmask64 m = tail_mask(i);
        __m512i a = set ? _mm512_setzero_si512() : _mm512_maskz_loadu_epi8(m, dst);
        for (size_t k = 0; k < n; k++)
            a = _mm512_xor_si512(a, RQ_TERM(k, _mm512_maskz_loadu_epi8(m, srcs[k])));
        _mm512_mask_storeu_epi8(dst, m, a);
    }
    for (; i + 128 <= len; i += 128) {
        __m512i a0 = set ? _mm512_setzero_si512() : _mm512_load_si512(dst + i);
        __m512i a1 = set ? _mm512_setzero_si512() : _mm512_load_si512(dst + i + 64);
        for (size_t k = 0; k < n; k++) {
            a0 = _mm512_xor_si512(a0, RQ_TERM(k, _mm512_loadu_si512(srcs[k] + i)));
            a1 = _mm512_xor_si512(a1, RQ_TERM(k, _mm512_loadu_si512(srcs[k] + i + 64)));
        }
        _mm512_store_si512(dst + i, a0);
        _mm512_store_si512(dst + i + 64, a1);
    }
    for (; i < len; i += 64) {
        __mmask64 m = tail_mask(len - i);
        __m512i a = set ? _mm512_setzero_si512() : _mm512_maskz_loadu_epi8(m, dst + i);
        for (size_t k = 0; k < n; k++)
            a = _mm512_xor_si512(a, RQ_TERM(k, _mm512_maskz_loadu_epi8(m, srcs[k] + i)));
        _mm512_mask_storeu_epi8(dst + i, m, a);
    }
#undef RQ_TERM
}

static void avx512_xor_many(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    sum_into(dst, srcs, NULL, NULL, n, len, 1, 0);
}

static void avx512_xor_set(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    sum_into(dst, srcs, NULL, NULL, n, len, 1, 1);
}

static void avx512_fma_into(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
{
    if (c == 0)
        return;
    if (c == 1)
        add_into(dst, src, len, _mm512_setzero_si512(), 1);
    else
        add_into(dst, src, len, _mm512_set1_epi64((long long)affine[c]), 0);
}

static void avx512_scale(uint8_t *dst, uint8_t c, size_t len)
{
    if (c == 1)
        return;
    if (c == 0) {
        memset(dst, 0, len);
        return;
    }
    __m512i mat = _mm512_set1_epi64((long long)affine[c]);
    for (size_t i = 0; i < len; i += 64) {
        __mmask64 m = tail_mask(len - i);
        __m512i x = _mm512_maskz_loadu_epi8(m, dst + i);
        _mm512_mask_storeu_epi8(dst + i, m, _mm512_gf2p8affine_epi64_epi8(x, mat, 0));
    }
}

/* xor_many with an affine map per source (coef 1: none); dst is passed once. */
static void avx512_fma_many(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs,
                            size_t n, size_t len)
{
    __m512i mat[RQ_FMA_MANY_MAX];
    for (size_t k = 0; k < n; k++)
        mat[k] = _mm512_set1_epi64((long long)affine[coefs[k]]);
    sum_into(dst, srcs, mat, coefs, n, len, 0, 0);
}

RQ_CPU_PLAN_KERNELS(avx512)

/* x times c (c >= 2) in each byte. */
static inline __m512i times(__m512i x, uint8_t c)
{
    return _mm512_gf2p8affine_epi64_epi8(x, _mm512_set1_epi64((long long)affine[c]), 0);
}

/*
 * A whole plan over rows of at most 128 bytes (the dense coefficients of
 * core/dense_combine.c: one row per input, as wide as the inputs): two
 * registers per row, a run of operations into one row kept in registers
 * however long, and no calls. The kernels' per-call set-up cost more than
 * the bytes at this width (K = 100: ~5.6 ns per operation).
 */
static void replay_narrow(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t stride,
                          size_t len)
{
    __mmask64 m0 = tail_mask(len), m1 = len > 64 ? tail_mask(len - 64) : 0;
#define RQ_LOAD(p, a0, a1)                                                                       \
    do {                                                                                       \
        a0 = _mm512_maskz_loadu_epi8(m0, (p));                                                 \
        a1 = _mm512_maskz_loadu_epi8(m1, (p) + 64);                                            \
    } while (0)
    size_t k = 0;
    while (k < n_ops) {
        uint32_t dst = rq_op_dst(ops[k]);
        uint8_t coef = rq_op_coef(ops[k]);
        uint8_t *d = rows + (size_t)dst * stride;
        __m512i a0, a1, x0, x1;
        if (ops[k].src == dst) { /* scale; by 0: a clear */
            k++;
            if (coef == 1)
                continue;
            RQ_LOAD(d, a0, a1);
            a0 = coef ? times(a0, coef) : _mm512_setzero_si512();
            a1 = coef ? times(a1, coef) : _mm512_setzero_si512();
        } else {
            /* A copy starts the row afresh; anything else adds to it. */
            if (coef == 0) {
                RQ_LOAD(rows + (size_t)ops[k].src * stride, a0, a1);
                k++;
            } else {
                RQ_LOAD(d, a0, a1);
            }
            for (; k < n_ops && rq_op_joins_run(ops[k], dst); k++) {
                uint8_t c = rq_op_coef(ops[k]);
                RQ_LOAD(rows + (size_t)ops[k].src * stride, x0, x1);
                if (c != 1) {
                    x0 = times(x0, c);
                    x1 = times(x1, c);
                }
                a0 = _mm512_xor_si512(a0, x0);
                a1 = _mm512_xor_si512(a1, x1);
            }
        }
        _mm512_mask_storeu_epi8(d, m0, a0);
        _mm512_mask_storeu_epi8(d + 64, m1, a1);
    }
#undef RQ_LOAD
}

/* apply_plan: rows of at most 128 bytes the narrow way, wider ones by runs. */
static void avx512_apply_plan_any(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t stride,
                                  size_t len)
{
    if (len <= 128)
        replay_narrow(ops, n_ops, rows, stride, len);
    else
        avx512_apply_plan(ops, n_ops, rows, stride, len);
}

/*
 * gf_matmul, register-blocked: R output rows (R <= 8, a constant once
 * inlined) V * 64 bytes at a time in R * V accumulators, so each input's
 * bytes are loaded once for R outputs instead of once per output, and the
 * work is the multiplies themselves; few outputs take wider steps (V = 4),
 * for more independent multiplies in flight. mats[j * R + r] is the affine
 * matrix of output r's coefficient of input j; with add, the outputs are
 * added to rather than written. Whole steps load without masks; only the
 * tail is masked.
 */
#define MATMUL_ROWS 8
#define MATMUL_ACCS 16
static inline __attribute__((always_inline)) void matmul_step(const uint64_t *mats, size_t R,
                                                              size_t V, size_t k,
                                                              const uint8_t *const *in,
                                                              uint8_t *const *out, size_t i,
                                                              size_t len, int add, int full)
{
    __mmask64 m[4];
    __m512i acc[MATMUL_ACCS];
    for (size_t v = 0; v < V; v++)
        m[v] = full ? ~(__mmask64)0 : len - i > 64 * v ? tail_mask(len - i - 64 * v) : 0;
#define RQ_LOAD(p, v) (full ? _mm512_loadu_si512((const void *)(p)) : _mm512_maskz_loadu_epi8(m[v], p))
    for (size_t r = 0; r < R; r++)
        for (size_t v = 0; v < V; v++)
            acc[r * V + v] = add ? RQ_LOAD(out[r] + i + 64 * v, v) : _mm512_setzero_si512();
    for (size_t j = 0; j < k; j++) {
        __m512i x[4];
        for (size_t v = 0; v < V; v++)
            x[v] = RQ_LOAD(in[j] + i + 64 * v, v);
        for (size_t r = 0; r < R; r++) {
            __m512i mat = _mm512_set1_epi64((long long)mats[j * R + r]);
            for (size_t v = 0; v < V; v++)
                acc[r * V + v] =
                    _mm512_xor_si512(acc[r * V + v], _mm512_gf2p8affine_epi64_epi8(x[v], mat, 0));
        }
    }
#undef RQ_LOAD
    for (size_t r = 0; r < R; r++)
        for (size_t v = 0; v < V; v++) {
            if (full)
                _mm512_storeu_si512((void *)(out[r] + i + 64 * v), acc[r * V + v]);
            else
                _mm512_mask_storeu_epi8(out[r] + i + 64 * v, m[v], acc[r * V + v]);
        }
}

static inline __attribute__((always_inline)) void matmul_rows(const uint64_t *mats, size_t R,
                                                              size_t k, const uint8_t *const *in,
                                                              uint8_t *const *out, size_t len,
                                                              int add)
{
    const size_t V = R <= 2 ? 4 : 2, step = 64 * V;
    size_t i = 0;
    for (; i + step <= len; i += step)
        matmul_step(mats, R, V, k, in, out, i, len, add, 1);
    for (; i < len; i += step)
        matmul_step(mats, R, V, k, in, out, i, len, add, 0);
}

/* Inputs a block at a time, so that their matrices and pointers fit buffers on the stack. */
#define MATMUL_INPUTS 256

static void matmul_any(const uint8_t *matrix, size_t m, size_t k, const rq_matmul_rows_at *at,
                       size_t len)
{
    uint64_t mats[MATMUL_INPUTS * MATMUL_ROWS];
    const uint8_t *in[MATMUL_INPUTS];
    uint8_t *out[MATMUL_ROWS];
    if (k == 0) {
        for (size_t r = 0; r < m; r++)
            memset(rq_matmul_out(at, r), 0, len);
        return;
    }
    for (size_t r0 = 0; r0 < m; r0 += MATMUL_ROWS) {
        size_t R = m - r0 < MATMUL_ROWS ? m - r0 : MATMUL_ROWS;
        for (size_t r = 0; r < R; r++)
            out[r] = rq_matmul_out(at, r0 + r);
        for (size_t j0 = 0; j0 < k; j0 += MATMUL_INPUTS) {
            size_t kb = k - j0 < MATMUL_INPUTS ? k - j0 : MATMUL_INPUTS;
            for (size_t j = 0; j < kb; j++) {
                in[j] = rq_matmul_in(at, j0 + j);
                for (size_t r = 0; r < R; r++)
                    mats[j * R + r] = affine[matrix[(r0 + r) * k + j0 + j]];
            }
            int add = j0 > 0;
            switch (R) {
#define RQ_MATMUL_CASE(n)                                                                       \
    case n:                                                                                     \
        matmul_rows(mats, n, kb, in, out, len, add);                                            \
        break;
                RQ_MATMUL_CASE(1)
                RQ_MATMUL_CASE(2)
                RQ_MATMUL_CASE(3)
                RQ_MATMUL_CASE(4)
                RQ_MATMUL_CASE(5)
                RQ_MATMUL_CASE(6)
                RQ_MATMUL_CASE(7)
                RQ_MATMUL_CASE(8)
#undef RQ_MATMUL_CASE
            }
        }
    }
}

static void avx512_gf_matmul(const uint8_t *matrix, size_t m, size_t k, const uint8_t *in,
                             size_t in_stride, uint8_t *out, size_t out_stride, size_t len)
{
    rq_matmul_rows_at at = {NULL, in, in_stride, NULL, out, out_stride};
    matmul_any(matrix, m, k, &at, len);
}

static void avx512_gf_matmul_ptrs(const uint8_t *matrix, size_t m, size_t k,
                                  const uint8_t *const *in, uint8_t *const *out, size_t len)
{
    rq_matmul_rows_at at = {in, NULL, 0, out, NULL, 0};
    matmul_any(matrix, m, k, &at, len);
}

/* stream_rows: 64-byte non-temporal stores into aligned rows, memcpy otherwise. */
static void avx512_stream_rows(uint8_t *rows, size_t stride, const uint32_t *to,
                               const uint8_t *src, size_t src_stride, size_t n, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *d = rows + (size_t)(to ? to[i] : i) * stride;
        const uint8_t *s = src + i * src_stride;
        if (((uintptr_t)d & 63) || len % 64) {
            memcpy(d, s, len);
            continue;
        }
        for (size_t x = 0; x < len; x += 64)
            _mm512_stream_si512((void *)(d + x), _mm512_loadu_si512(s + x));
    }
    _mm_sfence();
}

static const rq_kernels AVX512 = {
    .name = "avx512",
    .xor_into = avx512_xor_into,
    .xor_many = avx512_xor_many,
    .fma_into = avx512_fma_into,
    .scale = avx512_scale,
    .apply_plan = avx512_apply_plan_any,
    .apply_plan_batch = avx512_apply_plan_batch,
    .gf_matmul = avx512_gf_matmul,
    .gf_matmul_ptrs = avx512_gf_matmul_ptrs,
    .fma_many = avx512_fma_many,
    .xor_set = avx512_xor_set,
    .apply_plan_split = avx512_apply_plan_split,
    .stream_rows = avx512_stream_rows,
};

const rq_kernels *rq_kernels_avx512(void)
{
    pthread_once(&affine_once, build_affine_matrices);
    return &AVX512;
}
