/* The pool of working-row buffers (see row_pool.h). */
#define _DEFAULT_SOURCE /* madvise, MAP_ANONYMOUS */
#include "core/row_pool.h"

#include "core/cache_meter.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Buffers of at least this size are mapped with transparent huge pages. */
#define HUGE_FROM ((size_t)4 << 20)
#define SLACK_FROM ((size_t)256 << 10)

static void release(rq_rows_buf *b)
{
    if (b->size)
        munmap(b->base, b->size);
    else
        free(b->base);
    memset(b, 0, sizeof *b);
}

/* slack: whether to add the eighth below, which only a buffer that goes back to a pool can use. */
static rq_status allocate(rq_rows_buf *b, size_t bytes, int slack)
{
    b->cap = (bytes + 63) & ~(size_t)63;
    if (b->cap < bytes)
        return RQ_ERR_NO_MEMORY;
    if (b->cap >= HUGE_FROM) {
        /* An eighth more, in whole huge pages: the next block's request is a few
         * rows larger as often as not (its plan peels a different number of
         * rows), and a buffer that misses the pool costs a fault and a zeroed
         * 2 MiB page per 2 MiB. Pages past what is used are never touched, so
         * the slack costs address space only. */
        size_t more = slack ? b->cap / 8 : 0;
        size_t whole = (b->cap + more + RQ_HUGE_PAGE_BYTES - 1) & ~(RQ_HUGE_PAGE_BYTES - 1);
        if (whole > b->cap)
            b->cap = whole;
        size_t size = b->cap + RQ_HUGE_PAGE_BYTES;
        void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base != MAP_FAILED) {
            const uintptr_t huge = RQ_HUGE_PAGE_BYTES;
            uintptr_t at = ((uintptr_t)base + huge - 1) & ~(huge - 1);
            madvise((void *)at, b->cap, MADV_HUGEPAGE); /* a hint: fine if refused */
            b->base = base;
            b->size = size;
            b->rows = (uint8_t *)at;
            return RQ_OK;
        }
    }
    /* The same eighth more from SLACK_FROM: below it a missed buffer costs little. malloc maps buffers
     * this large on their own, so the slack again costs address space only. */
    if (slack && b->cap >= SLACK_FROM && b->cap < HUGE_FROM)
        b->cap = (b->cap + b->cap / 8 + RQ_SMALL_PAGE_BYTES - 1) & ~(RQ_SMALL_PAGE_BYTES - 1);
    b->base = aligned_alloc(64, b->cap ? b->cap : 64);
    b->size = 0;
    b->rows = b->base;
    return b->base ? RQ_OK : RQ_ERR_NO_MEMORY;
}

void rq_row_pool_init(rq_row_pool *pool, rq_cache_meter *meter)
{
    memset(pool, 0, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
    pool->meter = meter;
}

void rq_row_pool_destroy(rq_row_pool *pool)
{
    rq_row_pool_trim(pool, UINT64_MAX);
    pthread_mutex_destroy(&pool->lock);
}

/* Takes idle buffer i out of the pool into *out, giving its bytes back to the meter; lock held. */
static void take_locked(rq_row_pool *pool, size_t i, rq_rows_buf *out)
{
    *out = pool->idle[i];
    pool->idle_bytes -= out->cap;
    rq_meter_give(pool->meter, out->cap);
    memmove(pool->idle + i, pool->idle + i + 1, (--pool->n_idle - i) * sizeof *pool->idle);
}

void rq_row_pool_trim(rq_row_pool *pool, uint64_t bytes)
{
    rq_rows_buf freed[RQ_ROW_POOL_SLOTS];
    size_t n = 0;
    uint64_t given = 0;
    pthread_mutex_lock(&pool->lock);
    while (pool->n_idle > 0 && given < bytes) {
        take_locked(pool, 0, &freed[n]);
        given += freed[n++].cap;
    }
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < n; i++)
        release(&freed[i]);
}

int rq_row_pool_trim_oversized(rq_row_pool *pool)
{
    rq_rows_buf freed[RQ_ROW_POOL_SLOTS];
    size_t n = 0;
    pthread_mutex_lock(&pool->lock);
    const uint64_t half = atomic_load(&pool->meter->limit) / 2;
    for (size_t i = 0; i < pool->n_idle;) {
        if (pool->idle[i].cap > half)
            take_locked(pool, i, &freed[n++]);
        else
            i++;
    }
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < n; i++)
        release(&freed[i]);
    return n > 0;
}

uint64_t rq_row_pool_idle_bytes(rq_row_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    uint64_t bytes = pool->idle_bytes;
    pthread_mutex_unlock(&pool->lock);
    return bytes;
}

rq_status rq_rows_get(rq_row_pool *pool, rq_rows_buf *buf, size_t bytes)
{
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        /* The smallest idle buffer that fits and is not more than twice as large. */
        size_t best = pool->n_idle;
        for (size_t i = 0; i < pool->n_idle; i++)
            if (pool->idle[i].cap >= bytes && pool->idle[i].cap / 2 <= bytes &&
                (best == pool->n_idle || pool->idle[i].cap < pool->idle[best].cap))
                best = i;
        if (best < pool->n_idle) {
            take_locked(pool, best, buf);
            pthread_mutex_unlock(&pool->lock);
            return RQ_OK;
        }
        pthread_mutex_unlock(&pool->lock);
    }
    rq_status st = allocate(buf, bytes, pool != NULL);
    buf->pool = pool;
    return st;
}

/* Makes room for one more idle buffer of cap bytes; 0 if the budget cannot hold it. Lock held. */
static int make_room_locked(rq_row_pool *pool, size_t cap, rq_rows_buf *evicted, size_t *n_evicted)
{
    if (pool->n_idle == RQ_ROW_POOL_SLOTS)
        take_locked(pool, 0, &evicted[(*n_evicted)++]);
    while (!rq_meter_take(pool->meter, cap)) {
        if (pool->n_idle == 0)
            return 0;
        take_locked(pool, 0, &evicted[(*n_evicted)++]);
    }
    return 1;
}

void rq_rows_put(rq_rows_buf *buf)
{
    if (!buf->base)
        return;
    rq_rows_buf idle = *buf;
    memset(buf, 0, sizeof *buf);
    rq_row_pool *pool = idle.pool;
    if (!pool) {
        release(&idle);
        return;
    }
    rq_rows_buf evicted[RQ_ROW_POOL_SLOTS + 1];
    size_t n_evicted = 0;
    pthread_mutex_lock(&pool->lock);
    /* A buffer of up to half the budget may push older idle buffers out. A larger one is kept only in
     * room that is free: dropping it makes the next block of its size fault in every page again, which
     * costs several times the decode when the kernel has no huge page to give. It is the first thing
     * let go when a plan needs room (rq_row_pool_trim_oversized), so it cannot flush the plans. */
    const int kept = idle.cap <= atomic_load(&pool->meter->limit) / 2
                         ? make_room_locked(pool, idle.cap, evicted, &n_evicted)
                         : pool->n_idle < RQ_ROW_POOL_SLOTS && rq_meter_take(pool->meter, idle.cap);
    if (kept) {
        pool->idle[pool->n_idle++] = idle;
        pool->idle_bytes += idle.cap;
    } else {
        evicted[n_evicted++] = idle;
    }
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < n_evicted; i++)
        release(&evicted[i]);
}
