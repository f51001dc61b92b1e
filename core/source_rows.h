/*
 * What every solve for a K' needs, whatever ISIs it is given, computed once
 * per K' and shared: the LT rows of the source ISIs 0..K'-1 and MT's two
 * HDPC rows per column. Computing them (the tuples, two rq_rand divisions
 * per MT column) was ~15% of a decoding solve, and most of a decode's
 * symbols are source symbols.
 *
 * Thread-safe. Tables in use are reference-counted and never evicted; at
 * most RQ_SOURCE_ROWS_KEPT tables are kept, the least recently used unused
 * one going first (about 2 MB each at the largest K'). When every kept table
 * is in use, a new one is handed out uncached and freed on release.
 */
#ifndef RQ_CORE_SOURCE_ROWS_H
#define RQ_CORE_SOURCE_ROWS_H

#include <stdint.h>

#include "rq/rq.h"

#define RQ_SOURCE_ROWS_KEPT 4

typedef struct rq_source_rows {
    uint32_t k_prime;
    /* ISI i < K' combines the intermediate symbols cols[start[i] .. start[i+1]). */
    uint32_t *start;
    uint32_t *cols;
    /* MT's two ones in column j < K'+S-1: HDPC rows mt[2j] and mt[2j+1]. */
    uint32_t *mt;
} rq_source_rows;

rq_status rq_source_rows_acquire(const rq_block_constants *c, const rq_source_rows **out);
void rq_source_rows_release(const rq_source_rows *rows);

#endif
