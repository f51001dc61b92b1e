/*
 * k+m raw coder against ISA-L's Reed-Solomon in the same run: encode, and
 * decode of 1 and of m lost data units, for (6,3) and (10,4) at 64 KiB and
 * 1 MiB units, one thread each. Each figure is data bytes (k * unit) per
 * second; runs alternate librq / ISA-L, and the median of the rounds is
 * printed with the ratio. ISA-L decodes with its tables prepared once (as a
 * caller caching them per pattern would); librq with its own pattern cache.
 *
 *   bench_ec [ROUNDS] [SECONDS_PER_RUN]     (defaults 5, 0.2)
 */
#include <isa-l/erasure_code.h>
#include <rq/rq_ec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_UNITS 32

typedef struct stripe {
    uint32_t k, m, lost;
    size_t len;
    uint8_t *units[MAX_UNITS], *out[MAX_UNITS];
    rq_ec_coder *coder;
    uint8_t isal_matrix[MAX_UNITS * MAX_UNITS];
    uint8_t isal_encode_tables[32 * MAX_UNITS * MAX_UNITS];
    uint8_t isal_decode_tables[32 * MAX_UNITS * MAX_UNITS];
    const uint8_t *survivors[MAX_UNITS]; /* the k units after the lost ones */
} stripe;

typedef void (*op_fn)(stripe *s);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rq_encode_op(stripe *s)
{
    rq_ec_encode(s->coder, (const uint8_t *const *)s->units, s->units + s->k, s->len);
}

static void isal_encode_op(stripe *s)
{
    ec_encode_data((int)s->len, (int)s->k, (int)s->m, s->isal_encode_tables, s->units, s->units + s->k);
}

static void rq_decode_op(stripe *s)
{
    const uint8_t *in[MAX_UNITS];
    uint32_t erased[MAX_UNITS];
    for (uint32_t u = 0; u < s->k + s->m; u++)
        in[u] = u < s->lost ? NULL : s->units[u];
    for (uint32_t a = 0; a < s->lost; a++)
        erased[a] = a;
    if (rq_ec_decode(s->coder, in, erased, s->lost, s->out, s->len) != RQ_OK)
        abort();
}

static void isal_decode_op(stripe *s)
{
    ec_encode_data((int)s->len, (int)s->k, (int)s->lost, s->isal_decode_tables,
                   (uint8_t **)s->survivors, s->out);
}

/* ISA-L's decode tables for data units 0..lost-1 lost: rows of the inverse over the survivors. */
static int isal_prepare_decode(stripe *s)
{
    uint8_t b[MAX_UNITS * MAX_UNITS], d[MAX_UNITS * MAX_UNITS], c[MAX_UNITS * MAX_UNITS];
    uint32_t k = s->k;
    for (uint32_t r = 0; r < k; r++) {
        memcpy(b + r * k, s->isal_matrix + (size_t)(r + s->lost) * k, k);
        s->survivors[r] = s->units[r + s->lost];
    }
    if (gf_invert_matrix(b, d, (int)k) != 0)
        return 0;
    for (uint32_t a = 0; a < s->lost; a++)
        memcpy(c + a * k, d + a * k, k);
    ec_init_tables((int)k, (int)s->lost, c, s->isal_decode_tables);
    return 1;
}

/* Data bytes per second of op, run for at least seconds. */
static double rate(op_fn op, stripe *s, double seconds)
{
    op(s); /* warm: caches, pattern tables */
    size_t n = 0;
    double t0 = now(), t;
    do {
        op(s);
        n++;
    } while ((t = now()) - t0 < seconds);
    return (double)n * s->k * s->len / (t - t0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int setup(stripe *s, uint32_t k, uint32_t m, size_t len)
{
    memset(s, 0, sizeof *s);
    s->k = k;
    s->m = m;
    s->len = len;
    for (uint32_t u = 0; u < k + m; u++) {
        s->units[u] = aligned_alloc(64, len);
        s->out[u] = aligned_alloc(64, len);
        if (!s->units[u] || !s->out[u])
            return 0;
        for (size_t x = 0; x < len; x++)
            s->units[u][x] = (uint8_t)(x * 131 + u * 7 + (x >> 9));
    }
    gf_gen_cauchy1_matrix(s->isal_matrix, (int)(k + m), (int)k);
    ec_init_tables((int)k, (int)m, s->isal_matrix + k * k, s->isal_encode_tables);
    return rq_ec_coder_create(&s->coder, k, m, RQ_EC_RAPTORQ_MDS) == RQ_OK;
}

static void teardown(stripe *s)
{
    for (uint32_t u = 0; u < s->k + s->m; u++) {
        free(s->units[u]);
        free(s->out[u]);
    }
    rq_ec_coder_destroy(s->coder);
}

/* Whether decode rebuilds the lost data units from encode's parities (both sides time real decodes). */
static int rebuilds(stripe *s, op_fn encode, op_fn op)
{
    encode(s);
    for (uint32_t a = 0; a < s->lost; a++)
        memset(s->out[a], 0, s->len);
    op(s);
    for (uint32_t a = 0; a < s->lost; a++)
        if (memcmp(s->out[a], s->units[a], s->len) != 0)
            return 0;
    return 1;
}

static void compare(const char *what, stripe *s, op_fn ours, op_fn theirs, int rounds, double seconds)
{
    double a[64], b[64];
    for (int r = 0; r < rounds; r++) {
        a[r] = rate(ours, s, seconds);
        b[r] = rate(theirs, s, seconds);
    }
    double ma = median(a, rounds), mb = median(b, rounds);
    printf("%2u+%u %7zu B  %-10s librq %6.2f GB/s  isa-l %6.2f GB/s  librq/isa-l %5.2f\n", s->k,
           s->m, s->len, what, ma / 1e9, mb / 1e9, ma / mb);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    double seconds = argc > 2 ? atof(argv[2]) : 0.2;
    if (rounds < 1 || rounds > 64 || seconds <= 0) {
        fprintf(stderr, "usage: bench_ec [ROUNDS 1..64] [SECONDS_PER_RUN]\n");
        return 2;
    }
    printf("k+m raw coder, one thread, data bytes per second (median of %d alternating rounds)\n",
           rounds);
    const uint32_t shapes[][2] = {{6, 3}, {10, 4}};
    const size_t lens[] = {64 << 10, 1 << 20};
    for (size_t i = 0; i < 2; i++)
        for (size_t l = 0; l < 2; l++) {
            stripe s;
            if (!setup(&s, shapes[i][0], shapes[i][1], lens[l])) {
                fprintf(stderr, "setup failed\n");
                return 1;
            }
            compare("encode", &s, rq_encode_op, isal_encode_op, rounds, seconds);
            for (uint32_t lost = 1; lost <= s.m; lost += s.m - 1) {
                s.lost = lost;
                if (!isal_prepare_decode(&s))
                    return 1;
                if (!rebuilds(&s, rq_encode_op, rq_decode_op) || !rebuilds(&s, isal_encode_op, isal_decode_op)) {
                    fprintf(stderr, "%u+%u: a decode did not rebuild the lost units\n", s.k, s.m);
                    return 1;
                }
                char what[32];
                snprintf(what, sizeof what, "decode %u", lost);
                compare(what, &s, rq_decode_op, isal_decode_op, rounds, seconds);
            }
            teardown(&s);
        }
    return 0;
}
