/*
 * Working-row buffers (and the operation lists of fresh plans), reused
 * across blocks: fresh memory costs a page fault per 4 KiB, which at
 * T = 1280 is as much as the replay itself. rq_rows_get hands out a 64-byte
 * aligned buffer of at least bytes (contents undefined), from the pool when
 * one fits; rq_rows_put gives it back to the pool it came from. A pool
 * keeps at most RQ_ROW_POOL_SLOTS idle buffers, charged to its context's
 * cache meter (a buffer that does not fit is freed; one over half the budget
 * only in free room); large buffers use transparent huge pages.
 */
#ifndef RQ_CORE_ROW_POOL_H
#define RQ_CORE_ROW_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"

typedef struct rq_cache_meter rq_cache_meter; /* core/cache_meter.h */

#define RQ_ROW_POOL_SLOTS 16

typedef struct rq_row_pool rq_row_pool;

/* The page sizes buffers are laid out for: huge pages (2 MiB, rows aligned to one) and small ones. */
#define RQ_HUGE_PAGE_BYTES ((size_t)2 << 20)
#define RQ_SMALL_PAGE_BYTES ((size_t)4 << 10)

typedef struct rq_rows_buf {
    uint8_t *rows;
    size_t cap;         /* usable bytes at rows */
    void *base;         /* what was allocated */
    size_t size;        /* its size, for munmap (0: from aligned_alloc) */
    rq_row_pool *pool;  /* where rq_rows_put returns it; NULL: freed */
} rq_rows_buf;

/* Whether buf was mapped for transparent huge pages (rows on a huge-page boundary). */
static inline int rq_rows_huge_mapped(const rq_rows_buf *buf)
{
    return buf->size != 0;
}

struct rq_row_pool {
    pthread_mutex_t lock;
    rq_rows_buf idle[RQ_ROW_POOL_SLOTS]; /* oldest first */
    size_t n_idle;
    uint64_t idle_bytes;
    rq_cache_meter *meter;
};

void rq_row_pool_init(rq_row_pool *pool, rq_cache_meter *meter);
/* Frees every idle buffer (buffers handed out come back freed). */
void rq_row_pool_destroy(rq_row_pool *pool);
/* Frees idle buffers, oldest first, until at least bytes were given back or none is left. */
void rq_row_pool_trim(rq_row_pool *pool, uint64_t bytes);
/* Frees idle buffers larger than half the budget (kept only in free room); 1 if any was freed. */
int rq_row_pool_trim_oversized(rq_row_pool *pool);
uint64_t rq_row_pool_idle_bytes(rq_row_pool *pool);

/* The context's pool (for code that cannot see struct rq_context: C++ tests). */
rq_row_pool *rq_context_pool(rq_context *ctx);

/*
 * A buffer of at least bytes, 64-byte aligned: an idle one of the pool's, else a new one with an
 * eighth of slack from 256 KiB up (so that a slightly larger request later can reuse it).
 * pool NULL: a buffer of its own, without that slack, freed by rq_rows_put.
 */
rq_status rq_rows_get(rq_row_pool *pool, rq_rows_buf *buf, size_t bytes);
void rq_rows_put(rq_rows_buf *buf);

#endif
