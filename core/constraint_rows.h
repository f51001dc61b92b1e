/*
 * The binary rows of the RFC 6330 constraint matrix (§5.3.3.4): S LDPC rows
 * and one LT row per ISI, as sparse column lists. The H HDPC rows are dense
 * GF(256) and are never materialised; the solver folds them in through the
 * MT * GAMMA recurrence (see solver.c).
 *
 * Row numbering matches a plan's working rows: LDPC rows 0..S-1, HDPC rows
 * S..S+H-1 (empty here), then LT rows S+H+k for isis[k].
 */
#ifndef RQ_CORE_CONSTRAINT_ROWS_H
#define RQ_CORE_CONSTRAINT_ROWS_H

#include <stdint.h>

#include "rq/rq.h"

typedef struct rq_sparse_rows {
    uint32_t rows;   /* S + H + number of ISIs */
    uint32_t *start; /* rows + 1 offsets into cols */
    uint32_t *cols;  /* column indices, each row's without repeats */
} rq_sparse_rows;

struct rq_source_rows;

/* source: the shared rows of the source ISIs of this K' (core/source_rows.h), or NULL. */
rq_status rq_sparse_rows_build(const rq_block_constants *c, const uint32_t *isis, uint32_t n_isis,
                               const struct rq_source_rows *source, rq_sparse_rows *out);
void rq_sparse_rows_free(rq_sparse_rows *rows);

/* The two HDPC rows that MT has a one in, for column j < K'+S-1 (RFC 6330 §5.3.3.3). */
void rq_hdpc_mt_rows(const rq_block_constants *c, uint32_t j, uint32_t *h1, uint32_t *h2);

#endif
