/*
 * The bytes a context's caches hold (plans, source-row tables, idle row
 * buffers) against the context's cache budget. A cache takes bytes before it
 * keeps something and gives them back when it lets go; when the budget is
 * full it evicts its own idle entries, then asks the row pool to let go of
 * idle buffers, and otherwise hands the item out uncached. So the caches
 * together never hold more than the limit. C only (C11 atomics): C++ sees
 * the meter as an opaque type.
 */
#ifndef RQ_CORE_CACHE_METER_H
#define RQ_CORE_CACHE_METER_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct rq_cache_meter {
    _Atomic uint64_t limit;
    _Atomic uint64_t held;
    _Atomic uint64_t peak;
} rq_cache_meter;

/* Takes bytes if they fit under the limit; 1 if taken. */
static inline int rq_meter_take(rq_cache_meter *m, uint64_t bytes)
{
    uint64_t held = atomic_load(&m->held);
    do {
        if (bytes > atomic_load(&m->limit) || held > atomic_load(&m->limit) - bytes)
            return 0;
    } while (!atomic_compare_exchange_weak(&m->held, &held, held + bytes));
    uint64_t peak = atomic_load(&m->peak);
    while (held + bytes > peak && !atomic_compare_exchange_weak(&m->peak, &peak, held + bytes))
        ;
    return 1;
}

static inline void rq_meter_give(rq_cache_meter *m, uint64_t bytes)
{
    atomic_fetch_sub(&m->held, bytes);
}

#endif
