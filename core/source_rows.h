/*
 * What every solve for a K' needs, whatever ISIs it is given, computed once
 * per K' and shared: the LT rows of the source ISIs 0..K'-1 and MT's two
 * HDPC rows per column. Computing them (the tuples, two rq_rand divisions
 * per MT column) was ~15% of a decoding solve, and most of a decode's
 * symbols are source symbols.
 *
 * Each context keeps its own. Thread-safe. Tables in use are
 * reference-counted and never evicted; at most RQ_SOURCE_ROWS_KEPT tables
 * are kept, each charged to the context's cache meter, the least recently
 * used unused one going first (about 2 MB each at the largest K'). When
 * every kept table is in use, or the meter cannot hold one more, a new one
 * is handed out uncached and freed on release.
 */
#ifndef RQ_CORE_SOURCE_ROWS_H
#define RQ_CORE_SOURCE_ROWS_H

#include <pthread.h>
#include <stdint.h>

#include "rq/rq.h"

typedef struct rq_cache_meter rq_cache_meter; /* core/cache_meter.h */

#define RQ_SOURCE_ROWS_KEPT 4

typedef struct rq_source_rows {
    uint32_t k_prime;
    /* ISI i < K' combines the intermediate symbols cols[start[i] .. start[i+1]). */
    uint32_t *start;
    uint32_t *cols;
    /* MT's two ones in column j < K'+S-1: HDPC rows mt[2j] and mt[2j+1]. */
    uint32_t *mt;
    uint64_t bytes; /* allocated for all of the above */
} rq_source_rows;

typedef struct rq_source_rows_cache {
    pthread_mutex_t lock;
    struct rq_source_rows_slot {
        rq_source_rows *rows;
        uint32_t users;
        uint64_t last_use;
    } slots[RQ_SOURCE_ROWS_KEPT];
    uint64_t clock;
    rq_cache_meter *meter;
} rq_source_rows_cache;

void rq_source_rows_cache_init(rq_source_rows_cache *cache, rq_cache_meter *meter);
void rq_source_rows_cache_destroy(rq_source_rows_cache *cache);
/* Frees unused tables, oldest first, until the meter is within its limit or none is unused. */
void rq_source_rows_cache_trim(rq_source_rows_cache *cache);

/* The context's cache (for code that cannot see struct rq_context: C++ tests). */
rq_source_rows_cache *rq_context_source_rows(rq_context *ctx);

rq_status rq_source_rows_acquire(rq_source_rows_cache *cache, const rq_block_constants *c,
                                 const rq_source_rows **out);
void rq_source_rows_release(rq_source_rows_cache *cache, const rq_source_rows *rows);

#endif
