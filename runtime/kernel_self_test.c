/* The kernel tables' start-up self-test (see kernel_self_test.h). */
#include "runtime/kernel_self_test.h"

#include <stdlib.h>
#include <string.h>

#define ROWS 8u
#define MAX_LEN 1029u
#define SLACK 16u
/* Room for a plan's rows and scratch, or for the most sources a run reads, len + 3 apart. */
#define BUF_ROWS (ROWS * 2u + 1u > RQ_XOR_MANY_MAX + 1u ? ROWS * 2u + 1u : RQ_XOR_MANY_MAX + 1u)
#define BUF (BUF_ROWS * (MAX_LEN + SLACK))
_Static_assert(9u + RQ_XOR_MANY_MAX * (MAX_LEN + 3u) <= BUF, "sources() must stay inside src");

static const size_t lengths[] = {0, 1, 31, 33, 64, 100, MAX_LEN};
static const uint8_t coefs[] = {0, 1, 2, 0x53, 0x8e, 0xff};

typedef struct bench {
    uint8_t src[BUF], a[BUF], b[BUF];
} bench;

/* Both destinations start as the same pseudo-random bytes. */
static void reset(bench *t)
{
    memcpy(t->a, t->src + 5, BUF - 5);
    memcpy(t->b, t->src + 5, BUF - 5);
}

static int same(const bench *t)
{
    return memcmp(t->a, t->b, BUF - 5) == 0;
}

static int row_kernels(bench *t, const rq_kernels *k, const rq_kernels *ref, size_t len, uint8_t c)
{
    reset(t);
    k->fma_into(t->a + 1, t->src + 3, c, len);
    ref->fma_into(t->b + 1, t->src + 3, c, len);
    k->scale(t->a + 2, c, len);
    ref->scale(t->b + 2, c, len);
    k->xor_into(t->a + 3, t->src + 7, len);
    ref->xor_into(t->b + 3, t->src + 7, len);
    return same(t);
}

/* n sources at odd offsets of src, len apart (they may overlap: they are only read). */
static void sources(const bench *t, const uint8_t **srcs, size_t n, size_t len)
{
    for (size_t i = 0; i < n; i++)
        srcs[i] = t->src + 9 + i * (len + 3);
}

static int run_kernels(bench *t, const rq_kernels *k, const rq_kernels *ref, size_t len, size_t n,
                       int fma)
{
    const uint8_t *srcs[RQ_XOR_MANY_MAX];
    uint8_t c[RQ_XOR_MANY_MAX];
    sources(t, srcs, n, len);
    for (size_t i = 0; i < n; i++)
        c[i] = (uint8_t)(coefs[(i + 2) % sizeof coefs] | 1);
    reset(t);
    if (fma) {
        k->fma_many(t->a + 1, srcs, c, n, len);
        ref->fma_many(t->b + 1, srcs, c, n, len);
    } else {
        k->xor_many(t->a + 1, srcs, n, len);
        ref->xor_many(t->b + 1, srcs, n, len);
        k->xor_set(t->a + 2 * len + 40, srcs, n, len);
        ref->xor_set(t->b + 2 * len + 40, srcs, n, len);
    }
    return same(t);
}

/* A plan over ROWS rows with every kind of operation, runs of XORs and multiply-adds included. */
static size_t make_plan(rq_op *ops)
{
    size_t n = 0;
    for (uint32_t r = 0; r < ROWS; r++) {
        uint32_t dst = (r * 5 + 1) % ROWS;
        ops[n++] = rq_op_make(dst, (dst + 1) % ROWS, 0);      /* copy */
        for (uint32_t j = 2; j < 5; j++)
            ops[n++] = rq_op_make(dst, (dst + j) % ROWS, 1);  /* xor run */
        for (uint32_t j = 5; j < 7; j++)
            ops[n++] = rq_op_make(dst, (dst + j) % ROWS, (uint8_t)(0x1d * j)); /* fma run */
        ops[n++] = rq_op_make(dst, dst, 0x8e);                /* scale */
    }
    return n;
}

static int plan_entries(bench *t, const rq_kernels *k, const rq_kernels *ref, size_t len)
{
    rq_op ops[ROWS * 8];
    size_t n = make_plan(ops), stride = len + SLACK, scratch_at = ROWS * stride;
    int ok = 1;
    reset(t);
    k->apply_plan(ops, n, t->a, stride, len);
    ref->apply_plan(ops, n, t->b, stride, len);
    ok &= same(t);
    reset(t);
    /* Two blocks whose rows interleave: half-width rows, half a plan's rows apart. */
    k->apply_plan_batch(ops, n, t->a, 2, ROWS / 2 * stride, stride, len / 2);
    ref->apply_plan_batch(ops, n, t->b, 2, ROWS / 2 * stride, stride, len / 2);
    ok &= same(t);
    if (k->apply_plan_split && ref->apply_plan_split) {
        reset(t);
        k->apply_plan_split(ops, n, t->a, stride, t->a + scratch_at, stride, ROWS - 2, len);
        ref->apply_plan_split(ops, n, t->b, stride, t->b + scratch_at, stride, ROWS - 2, len);
        ok &= same(t);
    }
    return ok;
}

static int matmul_and_stream(bench *t, const rq_kernels *k, const rq_kernels *ref, size_t len)
{
    static const uint8_t matrix[3 * 5] = {1, 0, 2, 0x53, 1, 0, 0, 0, 0, 0, 0xff, 1, 1, 0x8e, 7};
    static const uint32_t to[4] = {3, 0, 6, 1};
    size_t stride = len + SLACK;
    int ok = 1;
    reset(t);
    k->gf_matmul(matrix, 3, 5, t->src + 11, stride, t->a + 1, stride, len);
    ref->gf_matmul(matrix, 3, 5, t->src + 11, stride, t->b + 1, stride, len);
    ok &= same(t);
    reset(t);
    const uint8_t *in[5];
    uint8_t *out_a[3], *out_b[3];
    for (size_t j = 0; j < 5; j++)
        in[j] = t->src + 3 + (4 - j) * stride;
    for (size_t i = 0; i < 3; i++) {
        out_a[i] = t->a + 5 + (2 - i) * stride;
        out_b[i] = t->b + 5 + (2 - i) * stride;
    }
    k->gf_matmul_ptrs(matrix, 3, 5, in, out_a, len);
    ref->gf_matmul_ptrs(matrix, 3, 5, in, out_b, len);
    ok &= same(t);
    reset(t);
    k->stream_rows(t->a, stride, to, t->src + 13, len + 5, 4, len);
    ref->stream_rows(t->b, stride, to, t->src + 13, len + 5, 4, len);
    k->stream_rows(t->a + 7 * stride, stride, NULL, t->src + 1, len, 1, len);
    ref->stream_rows(t->b + 7 * stride, stride, NULL, t->src + 1, len, 1, len);
    return ok & same(t);
}

static const char *test_length(bench *t, const rq_kernels *k, const rq_kernels *ref, size_t len)
{
    for (size_t ci = 0; ci < sizeof coefs; ci++)
        if (!row_kernels(t, k, ref, len, coefs[ci]))
            return "xor_into, fma_into or scale";
    for (size_t n = 1; n <= RQ_XOR_MANY_MAX; n++)
        if (!run_kernels(t, k, ref, len, n, 0))
            return "xor_many or xor_set";
    for (size_t n = 1; n <= RQ_FMA_MANY_MAX; n++)
        if (!run_kernels(t, k, ref, len, n, 1))
            return "fma_many";
    if (!plan_entries(t, k, ref, len))
        return "apply_plan, apply_plan_batch or apply_plan_split";
    if (!matmul_and_stream(t, k, ref, len))
        return "gf_matmul, gf_matmul_ptrs or stream_rows";
    return NULL;
}

const char *rq_kernels_self_test(const rq_kernels *k, const rq_kernels *ref)
{
    bench *t = malloc(sizeof *t);
    if (!t)
        return "no memory for the self-test";
    uint32_t x = 12345;
    for (size_t i = 0; i < BUF; i++) {
        x = x * 1103515245u + 12345u;
        t->src[i] = (uint8_t)(x >> 16);
    }
    const char *failed = NULL;
    for (size_t li = 0; !failed && li < sizeof lengths / sizeof lengths[0]; li++)
        failed = test_length(t, k, ref, lengths[li]);
    free(t);
    return failed;
}
