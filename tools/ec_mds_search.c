/*
 * Finds the raptorq-mds parity ESIs and prints core/ec_mds_table.c:
 *
 *   build/tools/ec_mds_search > core/ec_mds_table.c
 *
 * k+m with parity ESIs e_0..e_{m-1} rebuilds every pattern of up to m lost
 * units iff every square submatrix of its m x k generator (any t rows, any t
 * columns, t <= m) is nonsingular: with t data units lost, exactly t parities
 * may survive. The search walks candidate ESIs upward from k (so where the
 * first repair symbols already work, they are the answer), keeps a
 * candidate if every square submatrix it closes with the rows kept so far
 * is nonsingular, and backtracks when a row cannot be completed. It is
 * deterministic: the same librq gives the same table. A shape whose search
 * exceeds its budget of candidates is left out (and said so on stderr).
 *
 * Uses only the public API (the generator rows are repair symbols of the
 * identity block), so it checks the library's encoder as well.
 */
#include <rq/rq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_M 4
#define MAX_K 20
#define CANDIDATES (1u << 20) /* ESIs k .. k + CANDIDATES - 1 */
#define BUDGET 500000000ull   /* submatrix tests per shape */

static uint8_t gf_exp[512], gf_log[256];

static void gf_init(void)
{
    unsigned x = 1;
    for (unsigned i = 0; i < 255; i++) {
        gf_exp[i] = gf_exp[i + 255] = (uint8_t)x;
        gf_log[x] = (uint8_t)i;
        x <<= 1;
        if (x & 0x100)
            x ^= 0x11D;
    }
}

static uint8_t gf_mul(uint8_t a, uint8_t b) { return a && b ? gf_exp[gf_log[a] + gf_log[b]] : 0; }
static uint8_t gf_inv(uint8_t a) { return gf_exp[255 - gf_log[a]]; }

/* Whether the t x t matrix (rows of a, t wide) is nonsingular; a is destroyed. */
static int nonsingular(uint8_t a[MAX_M][MAX_M], unsigned t)
{
    for (unsigned c = 0; c < t; c++) {
        unsigned r = c;
        while (r < t && !a[r][c])
            r++;
        if (r == t)
            return 0;
        if (r != c)
            for (unsigned x = 0; x < t; x++) {
                uint8_t s = a[r][x];
                a[r][x] = a[c][x];
                a[c][x] = s;
            }
        uint8_t inv = gf_inv(a[c][c]);
        for (unsigned o = c + 1; o < t; o++) {
            uint8_t f = gf_mul(a[o][c], inv);
            for (unsigned x = c; f && x < t; x++)
                a[o][x] ^= gf_mul(f, a[c][x]);
        }
    }
    return 1;
}

typedef struct search {
    unsigned k, m;
    uint8_t *rows; /* CANDIDATES x k: generator row of ESI k + i */
    unsigned kept[MAX_M];
    unsigned long long tests;
} search;

/* Every t x t submatrix with row cand and t-1 of the kept rows in sub (t-1 of them). */
static int closes_well(search *s, unsigned cand, const unsigned *sub, unsigned t)
{
    unsigned cols[MAX_M];
    for (unsigned i = 0; i < t; i++)
        cols[i] = i;
    for (;;) {
        uint8_t a[MAX_M][MAX_M];
        for (unsigned r = 0; r < t; r++) {
            const uint8_t *row = s->rows + (size_t)(r + 1 < t ? s->kept[sub[r]] : cand) * s->k;
            for (unsigned c = 0; c < t; c++)
                a[r][c] = row[cols[c]];
        }
        s->tests++;
        if (!nonsingular(a, t))
            return 0;
        unsigned i = t;
        while (i > 0 && cols[i - 1] == s->k - t + i - 1)
            i--;
        if (i == 0)
            return 1;
        cols[i - 1]++;
        for (unsigned x = i; x < t; x++)
            cols[x] = cols[x - 1] + 1;
    }
}

/* Whether cand can join the n kept rows: every subset of them, with cand, closes well. */
static int compatible(search *s, unsigned cand, unsigned n)
{
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        unsigned sub[MAX_M] = {0}, t = 0;
        for (unsigned i = 0; i < n; i++)
            if (mask & (1u << i))
                sub[t++] = i;
        if (t + 1 <= s->k && !closes_well(s, cand, sub, t + 1))
            return 0;
    }
    return 1;
}

static int extend(search *s, unsigned n, unsigned from)
{
    if (n == s->m)
        return 1;
    for (unsigned cand = from; cand < CANDIDATES && s->tests < BUDGET; cand++) {
        if (!compatible(s, cand, n))
            continue;
        s->kept[n] = cand;
        if (extend(s, n + 1, cand + 1))
            return 1;
    }
    return 0;
}

/* Generator rows of ESIs k .. k + CANDIDATES - 1: repair symbols of the identity. */
static int candidate_rows(unsigned k, uint8_t *rows)
{
    uint8_t *identity = calloc((size_t)k * k, 1);
    rq_encoder *e = NULL;
    int ok = identity != NULL;
    for (unsigned i = 0; ok && i < k; i++)
        identity[(size_t)i * k + i] = 1;
    ok = ok && rq_encoder_create(&e, k, k, identity, (size_t)k * k) == RQ_OK;
    for (unsigned i = 0; ok && i < CANDIDATES; i++)
        ok = rq_encoder_symbol(e, k + i, rows + (size_t)i * k, k) == RQ_OK;
    rq_encoder_destroy(e);
    free(identity);
    return ok;
}

int main(void)
{
    gf_init();
    uint8_t *rows = malloc((size_t)CANDIDATES * MAX_K);
    if (!rows)
        return 1;
    printf("/*\n"
           " * raptorq-mds: parity ESIs with which every pattern of up to m erasures of\n"
           " * k + m decodes. Made by tools/ec_mds_search.c (it prints this file); do not\n"
           " * edit by hand.\n"
           " */\n"
           "#include \"core/ec_schemes.h\"\n\n"
           "const rq_ec_mds_entry rq_ec_mds_table[] = {\n");
    for (unsigned k = 1; k <= MAX_K; k++) {
        if (!candidate_rows(k, rows)) {
            fprintf(stderr, "k=%u: the encoder failed\n", k);
            return 1;
        }
        for (unsigned m = 1; m <= MAX_M; m++) {
            search s = {k, m, rows, {0}, 0};
            if (!extend(&s, 0, 0)) {
                fprintf(stderr, "%u+%u: none found within %llu tests\n", k, m, s.tests);
                continue;
            }
            printf("    {%u, %u, {", k, m);
            for (unsigned j = 0; j < m; j++)
                printf("%s%u", j ? ", " : "", k + s.kept[j]);
            printf("}},\n");
            fflush(stdout);
            fprintf(stderr, "%u+%u: found after %llu tests\n", k, m, s.tests);
        }
    }
    printf("};\nconst unsigned rq_ec_mds_table_len = sizeof rq_ec_mds_table / sizeof rq_ec_mds_table[0];\n");
    free(rows);
    return 0;
}
