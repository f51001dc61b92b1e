/*
 * Encoding plans depend only on K', so a context solves each once and shares
 * it. The cache is thread-safe; plans in use are reference-counted and never
 * evicted. Every plan kept is charged to the context's cache meter: when it
 * is full, unused plans go least-recently-used first, then idle row buffers,
 * and a plan that still does not fit is handed out uncached (freed on
 * release).
 */
#ifndef RQ_CORE_PLAN_CACHE_H
#define RQ_CORE_PLAN_CACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"

typedef struct rq_plan_cache_entry rq_plan_cache_entry;

typedef struct rq_plan_cache {
    pthread_mutex_t lock;
    rq_plan_cache_entry *entries;
    size_t n_entries, cap_entries;
    uint64_t bytes; /* of the plans kept */
    uint64_t clock;
} rq_plan_cache;

void rq_plan_cache_init(rq_plan_cache *cache);
void rq_plan_cache_destroy(rq_plan_cache *cache, rq_cache_meter *meter);
/* Frees unused plans, oldest first, until the meter is within its limit or none is unused. */
void rq_plan_cache_trim(rq_plan_cache *cache, rq_cache_meter *meter);

/* The encoding plan of K' (ISIs 0..K'-1), solved on first use. */
rq_status rq_plan_cache_acquire(rq_context *ctx, uint32_t k_prime, const rq_plan **out);
void rq_plan_cache_release(rq_context *ctx, const rq_plan *plan);

#endif
