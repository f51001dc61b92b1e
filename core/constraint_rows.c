/* Builds the sparse LDPC and LT rows of the constraint matrix. */
#include "core/constraint_rows.h"

#include <stdlib.h>

#include "core/source_rows.h"
#include "core/tuple.h"

/* Rows of LDPC column i (< B): b, b+a, b+2a mod S, deduplicated (a can be a multiple of S). */
static uint32_t ldpc_rows_of_column(const rq_block_constants *c, uint32_t i, uint32_t out[3])
{
    uint32_t a = 1 + i / c->S;
    uint32_t b0 = i % c->S;
    uint32_t b1 = (b0 + a) % c->S;
    uint32_t b2 = (b1 + a) % c->S;
    uint32_t n = 0;
    out[n++] = b0;
    if (b1 != b0)
        out[n++] = b1;
    if (b2 != b0 && b2 != b1)
        out[n++] = b2;
    return n;
}

rq_status rq_sparse_rows_build(const rq_block_constants *c, const uint32_t *isis, uint32_t n_isis,
                               const rq_source_rows *source, rq_sparse_rows *out)
{
    uint32_t first_lt = c->S + c->H;
    uint32_t rows = first_lt + n_isis;
    uint32_t *start = calloc((size_t)rows + 1, sizeof *start);
    if (!start)
        return RQ_ERR_NO_MEMORY;

    /* Count. LDPC row i: its B-part columns, one identity column, two PI columns. */
    uint32_t r3[3];
    for (uint32_t i = 0; i < c->B; i++) {
        uint32_t n = ldpc_rows_of_column(c, i, r3);
        for (uint32_t k = 0; k < n; k++)
            start[r3[k] + 1]++;
    }
    for (uint32_t i = 0; i < c->S; i++)
        start[i + 1] += 3;
    /* The LT rows' columns go straight to the end of cols (the LDPC rows come
     * first and their size is known), so each tuple is computed once. */
    uint32_t ldpc_nnz = 0;
    for (uint32_t r = 0; r < c->S; r++)
        ldpc_nnz += start[r + 1];
    size_t cap = (size_t)ldpc_nnz + (size_t)n_isis * 8 + c->W + 3;
    uint32_t *cols = malloc(cap * sizeof *cols);
    uint32_t *fill = malloc((size_t)rows * sizeof *fill + 1);
    if (!cols || !fill) {
        free(start);
        free(cols);
        free(fill);
        return RQ_ERR_NO_MEMORY;
    }
    size_t at = ldpc_nnz;
    for (uint32_t k = 0; k < n_isis; k++) {
        if (cap - at < (size_t)c->W + 1) { /* room for the longest row */
            cap = cap * 2 + c->W;
            uint32_t *grown = realloc(cols, cap * sizeof *cols);
            if (!grown) {
                free(start);
                free(cols);
                free(fill);
                return RQ_ERR_NO_MEMORY;
            }
            cols = grown;
        }
        uint32_t n;
        if (source && isis[k] < source->k_prime) {
            const uint32_t *from = source->cols + source->start[isis[k]];
            n = source->start[isis[k] + 1] - source->start[isis[k]];
            for (uint32_t j = 0; j < n; j++)
                cols[at + j] = from[j];
        } else {
            n = rq_neighbours(c, isis[k], cols + at);
        }
        start[first_lt + k + 1] = n;
        at += n;
    }
    for (uint32_t r = 0; r < rows; r++)
        start[r + 1] += start[r];
    for (uint32_t r = 0; r < rows; r++)
        fill[r] = start[r];
    for (uint32_t i = 0; i < c->B; i++) {
        uint32_t n = ldpc_rows_of_column(c, i, r3);
        for (uint32_t k = 0; k < n; k++)
            cols[fill[r3[k]]++] = i;
    }
    for (uint32_t i = 0; i < c->S; i++) {
        cols[fill[i]++] = c->B + i;
        cols[fill[i]++] = c->W + i % c->P;
        cols[fill[i]++] = c->W + (i + 1) % c->P;
    }
    free(fill);
    out->rows = rows;
    out->start = start;
    out->cols = cols;
    return RQ_OK;
}

void rq_sparse_rows_free(rq_sparse_rows *rows)
{
    free(rows->start);
    free(rows->cols);
    rows->start = rows->cols = NULL;
}

void rq_hdpc_mt_rows(const rq_block_constants *c, uint32_t j, uint32_t *h1, uint32_t *h2)
{
    uint32_t r = rq_rand(j + 1, 6, c->H);
    *h1 = r;
    *h2 = (r + rq_rand(j + 1, 7, c->H - 1) + 1) % c->H;
}
