/*
 * The k+m coders' matrices. The generator comes from the block encoder
 * itself (encoding the identity), so parities are RFC 6330 repair symbols by
 * construction. A pattern is solved over the unreadable data units only:
 * with D the readable data, E the unreadable data and P the readable
 * parities, each readable parity minus its D part is a known combination of
 * E; Gauss-Jordan elimination of those combinations (M = gen[P][E]) gives a
 * basis of what the parities say about E, and an asked unit is rebuilt iff
 * its own E part lies in that span. That is O(m^2 k) per pattern instead of
 * inverting k x k, and it finds the exact answer for patterns where more
 * than k units are readable but k of them would not do.
 */
#include "core/ec_matrix.h"

#include <stdlib.h>
#include <string.h>

#include "core/gf256.h"

#define GENERATOR_SLICE_BYTES ((size_t)16 << 20)

rq_status rq_ec_generator(rq_context *ctx, uint32_t k, const uint32_t *esis, uint32_t n,
                          uint8_t *gen)
{
    size_t w = GENERATOR_SLICE_BYTES / k;
    w = w < 1 ? 1 : w > k ? k : w > RQ_MAX_SYMBOL_SIZE ? RQ_MAX_SYMBOL_SIZE : w;
    uint8_t *src = malloc((size_t)k * w), *sym = malloc(w);
    rq_status st = src && sym ? RQ_OK : RQ_ERR_NO_MEMORY;
    for (size_t c0 = 0; st == RQ_OK && c0 < k; c0 += w) {
        size_t wl = k - c0 < w ? k - c0 : w;
        memset(src, 0, (size_t)k * wl);
        for (size_t i = c0; i < c0 + wl; i++)
            src[i * wl + (i - c0)] = 1;
        rq_encoder *e = NULL;
        st = rq_encoder_create_in(ctx, &e, k, wl, src, (size_t)k * wl);
        for (uint32_t j = 0; st == RQ_OK && j < n; j++) {
            st = rq_encoder_symbol(e, esis[j], sym, wl);
            memcpy(gen + (size_t)j * k + c0, sym, wl);
        }
        if (e)
            rq_encoder_destroy(e);
    }
    free(src);
    free(sym);
    return st;
}

/*
 * Reduces the rows x cols matrix a to reduced row echelon form, applying the
 * same row operations to t (rows x rows, NULL to skip); pivot[i] is the
 * column of pivot row i. Returns the rank.
 */
static uint32_t gauss_jordan(uint8_t *a, uint8_t *t, uint32_t rows, uint32_t cols, uint32_t *pivot)
{
    uint32_t rank = 0;
    for (uint32_t c = 0; c < cols && rank < rows; c++) {
        uint32_t r = rank;
        while (r < rows && !a[(size_t)r * cols + c])
            r++;
        if (r == rows)
            continue;
        for (uint32_t x = 0; r != rank && x < cols; x++) {
            uint8_t s = a[(size_t)r * cols + x];
            a[(size_t)r * cols + x] = a[(size_t)rank * cols + x];
            a[(size_t)rank * cols + x] = s;
        }
        for (uint32_t x = 0; t && r != rank && x < rows; x++) {
            uint8_t s = t[(size_t)r * rows + x];
            t[(size_t)r * rows + x] = t[(size_t)rank * rows + x];
            t[(size_t)rank * rows + x] = s;
        }
        uint8_t inv = rq_gf_inv(a[(size_t)rank * cols + c]);
        for (uint32_t x = 0; x < cols; x++)
            a[(size_t)rank * cols + x] = rq_gf_mul(inv, a[(size_t)rank * cols + x]);
        for (uint32_t x = 0; t && x < rows; x++)
            t[(size_t)rank * rows + x] = rq_gf_mul(inv, t[(size_t)rank * rows + x]);
        for (uint32_t o = 0; o < rows; o++) {
            uint8_t f = a[(size_t)o * cols + c];
            if (o == rank || !f)
                continue;
            for (uint32_t x = 0; x < cols; x++)
                a[(size_t)o * cols + x] ^= rq_gf_mul(f, a[(size_t)rank * cols + x]);
            for (uint32_t x = 0; t && x < rows; x++)
                t[(size_t)o * rows + x] ^= rq_gf_mul(f, t[(size_t)rank * rows + x]);
        }
        pivot[rank++] = c;
    }
    return rank;
}

/* The pattern's unknowns and knowns, and M = gen[P][E] reduced. */
typedef struct ec_system {
    uint32_t *unknown;  /* E: unreadable data units */
    uint32_t *parities; /* P: readable parity indexes (j, not k + j) */
    uint32_t n_unknown, n_parities, rank;
    uint8_t *mat;   /* n_parities x n_unknown, reduced */
    uint8_t *trans; /* n_parities x n_parities: the row operations */
    uint32_t *pivot;
} ec_system;

static void system_free(ec_system *s)
{
    free(s->unknown);
    free(s->mat);
}

static rq_status system_build(ec_system *s, const uint8_t *gen, uint32_t k, uint32_t m,
                              const uint8_t *readable, int with_trans)
{
    memset(s, 0, sizeof *s);
    s->unknown = malloc(((size_t)k + 2 * m) * sizeof *s->unknown);
    if (!s->unknown)
        return RQ_ERR_NO_MEMORY;
    s->parities = s->unknown + k;
    s->pivot = s->parities + m;
    for (uint32_t i = 0; i < k; i++)
        if (!readable[i])
            s->unknown[s->n_unknown++] = i;
    for (uint32_t j = 0; j < m; j++)
        if (readable[k + j])
            s->parities[s->n_parities++] = j;
    uint32_t np = s->n_parities, ne = s->n_unknown;
    s->mat = malloc((size_t)np * ne + (with_trans ? (size_t)np * np : 0) + 1);
    if (!s->mat) {
        system_free(s);
        return RQ_ERR_NO_MEMORY;
    }
    s->trans = with_trans ? s->mat + (size_t)np * ne : NULL;
    for (uint32_t r = 0; r < np; r++) {
        for (uint32_t c = 0; c < ne; c++)
            s->mat[(size_t)r * ne + c] = gen[(size_t)s->parities[r] * k + s->unknown[c]];
        for (uint32_t x = 0; s->trans && x < np; x++)
            s->trans[(size_t)r * np + x] = r == x;
    }
    s->rank = gauss_jordan(s->mat, s->trans, np, ne, s->pivot);
    return RQ_OK;
}

int rq_ec_data_recoverable(const uint8_t *gen, uint32_t k, uint32_t m, const uint8_t *readable)
{
    ec_system s;
    if (system_build(&s, gen, k, m, readable, 0) != RQ_OK)
        return -1;
    int ok = s.rank == s.n_unknown;
    system_free(&s);
    return ok;
}

/*
 * For asked unit u, w (over the readable parities) with w * M = u's part on
 * E, if there is one: 0 when u's part is not in the span of M's rows.
 */
static int combination(const ec_system *s, const uint8_t *gen, uint32_t k, uint32_t u,
                       uint8_t *v, uint8_t *w)
{
    uint32_t ne = s->n_unknown, np = s->n_parities;
    for (uint32_t c = 0; c < ne; c++)
        v[c] = u < k ? s->unknown[c] == u : gen[(size_t)(u - k) * k + s->unknown[c]];
    memset(w, 0, np);
    for (uint32_t i = 0; i < s->rank; i++) {
        uint8_t a = v[s->pivot[i]];
        if (!a)
            continue;
        for (uint32_t c = 0; c < ne; c++)
            v[c] ^= rq_gf_mul(a, s->mat[(size_t)i * ne + c]);
        for (uint32_t p = 0; p < np; p++)
            w[p] ^= rq_gf_mul(a, s->trans[(size_t)i * np + p]);
    }
    for (uint32_t c = 0; c < ne; c++)
        if (v[c])
            return 0;
    return 1;
}

/* The inputs: readable data units, then the parities the basis rows use. */
static uint32_t choose_inputs(const ec_system *s, uint32_t k, const uint8_t *readable,
                              uint32_t *inputs, uint32_t *parity_slot)
{
    uint32_t n = 0, np = s->n_parities;
    for (uint32_t i = 0; i < k; i++)
        if (readable[i])
            inputs[n++] = i;
    for (uint32_t p = 0; p < np; p++) {
        int used = 0;
        for (uint32_t i = 0; i < s->rank && !used; i++)
            used = s->trans[(size_t)i * np + p] != 0;
        parity_slot[p] = used ? n : UINT32_MAX;
        if (used)
            inputs[n++] = k + s->parities[p];
    }
    return n;
}

/* Row a of the decode matrix: u's readable data part plus w's parities with their data parts taken out. */
static void decode_row(const ec_system *s, const uint8_t *gen, uint32_t k, uint32_t u,
                       const uint8_t *w, const uint32_t *inputs, uint32_t n_data,
                       const uint32_t *parity_slot, uint8_t *row)
{
    for (uint32_t r = 0; r < n_data; r++) {
        uint32_t i = inputs[r];
        uint8_t c = u < k ? 0 : gen[(size_t)(u - k) * k + i];
        for (uint32_t p = 0; p < s->n_parities; p++)
            c ^= rq_gf_mul(w[p], gen[(size_t)s->parities[p] * k + i]);
        row[r] = c;
    }
    for (uint32_t p = 0; p < s->n_parities; p++)
        if (parity_slot[p] != UINT32_MAX)
            row[parity_slot[p]] = w[p];
}

rq_status rq_ec_solve(const uint8_t *gen, const rq_ec_pattern *p, uint8_t *coefs,
                      uint32_t *inputs, uint32_t *n_inputs, uint32_t *rank, uint32_t *unknown)
{
    uint32_t k = p->k, m = p->m;
    ec_system s;
    rq_status st = system_build(&s, gen, k, m, p->readable, 1);
    if (st != RQ_OK)
        return st;
    uint8_t *vw = malloc((size_t)k + m + 1);
    uint32_t *slot = malloc(((size_t)m + 1) * sizeof *slot);
    if (!vw || !slot) {
        st = RQ_ERR_NO_MEMORY;
        goto out;
    }
    *rank = s.rank;
    *unknown = s.n_unknown;
    *n_inputs = choose_inputs(&s, k, p->readable, inputs, slot);
    uint32_t n_data = k - s.n_unknown;
    for (uint32_t a = 0; a < p->n_asked; a++) {
        uint32_t u = p->asked[a];
        if (!combination(&s, gen, k, u, vw, vw + k)) {
            st = RQ_ERR_UNDECODABLE;
            break;
        }
        decode_row(&s, gen, k, u, vw + k, inputs, n_data, slot, coefs + (size_t)a * *n_inputs);
    }
out:
    free(vw);
    free(slot);
    system_free(&s);
    return st;
}
