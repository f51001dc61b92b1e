/* The per-context cache of encoding plans (see plan_cache.h). */
#include "core/plan_cache.h"

#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "core/dense_combine.h"
#include "core/params.h"
#include "core/plan_schedule.h"

struct rq_plan_cache_entry {
    rq_plan *plan;
    uint32_t k_prime;
    uint32_t users;
    uint64_t last_use;
};

void rq_plan_cache_init(rq_plan_cache *cache)
{
    memset(cache, 0, sizeof *cache);
    pthread_mutex_init(&cache->lock, NULL);
}

static rq_plan_cache_entry *find_locked(rq_plan_cache *cache, uint32_t k_prime)
{
    for (size_t i = 0; i < cache->n_entries; i++)
        if (cache->entries[i].k_prime == k_prime)
            return &cache->entries[i];
    return NULL;
}

/* Frees the least recently used unused plan; 0 if every plan is in use. Lock held. */
static int evict_one_locked(rq_plan_cache *cache, rq_cache_meter *meter)
{
    size_t victim = cache->n_entries;
    for (size_t i = 0; i < cache->n_entries; i++)
        if (cache->entries[i].users == 0 &&
            (victim == cache->n_entries ||
             cache->entries[i].last_use < cache->entries[victim].last_use))
            victim = i;
    if (victim == cache->n_entries)
        return 0;
    uint64_t bytes = rq_plan_bytes(cache->entries[victim].plan);
    cache->bytes -= bytes;
    rq_meter_give(meter, bytes);
    rq_plan_free(cache->entries[victim].plan);
    cache->entries[victim] = cache->entries[--cache->n_entries];
    return 1;
}

void rq_plan_cache_trim(rq_plan_cache *cache, rq_cache_meter *meter)
{
    pthread_mutex_lock(&cache->lock);
    while (atomic_load(&meter->held) > atomic_load(&meter->limit) &&
           evict_one_locked(cache, meter))
        ;
    pthread_mutex_unlock(&cache->lock);
}

void rq_plan_cache_destroy(rq_plan_cache *cache, rq_cache_meter *meter)
{
    pthread_mutex_lock(&cache->lock);
    while (evict_one_locked(cache, meter))
        ;
    free(cache->entries);
    cache->entries = NULL;
    cache->n_entries = cache->cap_entries = 0;
    pthread_mutex_unlock(&cache->lock);
    pthread_mutex_destroy(&cache->lock);
}

/*
 * Runs from this long are done piecemeal after the blocks of this many
 * operations that last wrote their sources (core/plan_schedule.h): the
 * dense LDPC rows of large K'. Chosen by bench/RESULTS.md, "Long runs done
 * piecemeal".
 */
#define SCHEDULE_MIN_RUN 64
#define SCHEDULE_BLOCK 2048

/*
 * Readies a plan that will be replayed for every block of its K': inputs in
 * the order of first use, long runs scheduled (only a speed-up: without
 * memory for it the plan stays as it is), its operations out of the pool in
 * a block of their own size, and for small K' the dense coefficients
 * (core/dense_combine.h).
 */
static rq_status prepare_for_keeping(rq_context *ctx, rq_plan *plan)
{
    rq_status st = rq_plan_order_inputs(plan);
    if (st != RQ_OK)
        return st;
    (void)rq_plan_schedule_runs(plan, &ctx->pool, SCHEDULE_MIN_RUN, SCHEDULE_BLOCK);
    if ((st = rq_plan_compact(plan)) != RQ_OK)
        return st;
    return rq_plan_dense_rows(ctx, plan, &plan->dense);
}

static rq_status build_encoding_plan(rq_context *ctx, uint32_t k_prime, rq_plan **out)
{
    rq_block_constants c;
    rq_status st = rq_params_for(k_prime, &c);
    if (st != RQ_OK)
        return st;
    uint32_t *isis = malloc((size_t)k_prime * sizeof *isis);
    if (!isis)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < k_prime; i++)
        isis[i] = i;
    /* Replayed for every block of this K': solved both ways (with and without
     * the r = 2 component rule), the plan with fewer operations is kept. The
     * rule saves 2-4% of the operations from K' = 1002 up, but costs 2% at
     * K' = 101. */
    rq_plan *other = NULL;
    st = rq_plan_build_thorough(ctx, &c, isis, k_prime, 0, out);
    if (st == RQ_OK && rq_plan_build_thorough(ctx, &c, isis, k_prime, 1, &other) == RQ_OK) {
        if (other->n_ops < (*out)->n_ops) {
            rq_plan *t = *out;
            *out = other;
            other = t;
        }
        rq_plan_free(other);
    }
    free(isis);
    if (st == RQ_OK && (st = prepare_for_keeping(ctx, *out)) != RQ_OK)
        rq_plan_free(*out);
    /* The systematic construction makes ISIs 0..K'-1 always solvable. */
    return st == RQ_ERR_NEED_MORE_SYMBOLS ? RQ_ERR_INTERNAL : st;
}

/* Keeps plan in the cache if the meter can hold it (making room if needed); lock held. */
static int keep_locked(rq_context *ctx, rq_plan *plan)
{
    rq_plan_cache *cache = &ctx->plans;
    uint64_t bytes = rq_plan_bytes(plan);
    int trimmed = 0;
    while (!rq_meter_take(&ctx->meter, bytes)) {
        if (rq_row_pool_trim_oversized(&ctx->pool) || evict_one_locked(cache, &ctx->meter))
            continue;
        if (trimmed++)
            return 0;
        rq_row_pool_trim(&ctx->pool, bytes);
    }
    if (cache->n_entries == cache->cap_entries) {
        size_t cap = cache->cap_entries ? cache->cap_entries * 2 : 16;
        rq_plan_cache_entry *grown = realloc(cache->entries, cap * sizeof *grown);
        if (!grown) {
            rq_meter_give(&ctx->meter, bytes);
            return 0;
        }
        cache->entries = grown;
        cache->cap_entries = cap;
    }
    rq_plan_cache_entry *e = &cache->entries[cache->n_entries++];
    e->plan = plan;
    e->k_prime = plan->constants.K_prime;
    e->users = 1;
    e->last_use = ++cache->clock;
    cache->bytes += bytes;
    return 1;
}

/* The kept plan of k_prime, now with one user more; NULL if none is kept. Lock held. */
static const rq_plan *take_locked(rq_plan_cache *cache, uint32_t k_prime)
{
    rq_plan_cache_entry *e = find_locked(cache, k_prime);
    if (!e)
        return NULL;
    e->users++;
    e->last_use = ++cache->clock;
    return e->plan;
}

rq_status rq_plan_cache_acquire(rq_context *ctx, uint32_t k_prime, const rq_plan **out)
{
    if (!ctx || !out || rq_params_k_prime(k_prime) != k_prime)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_plan_cache *cache = &ctx->plans;
    pthread_mutex_lock(&cache->lock);
    *out = take_locked(cache, k_prime);
    pthread_mutex_unlock(&cache->lock);
    if (*out)
        return RQ_OK;

    /* Solve outside the lock; if another thread won the race, keep theirs. */
    rq_plan *plan;
    rq_status st = build_encoding_plan(ctx, k_prime, &plan);
    if (st != RQ_OK)
        return st;
    pthread_mutex_lock(&cache->lock);
    *out = take_locked(cache, k_prime);
    if (!*out) {
        keep_locked(ctx, plan); /* if not kept, release frees it */
        *out = plan;
        plan = NULL;
    }
    pthread_mutex_unlock(&cache->lock);
    rq_plan_free(plan);
    return RQ_OK;
}

void rq_plan_cache_release(rq_context *ctx, const rq_plan *plan)
{
    if (!plan)
        return;
    rq_plan_cache *cache = &ctx->plans;
    pthread_mutex_lock(&cache->lock);
    for (size_t i = 0; i < cache->n_entries; i++) {
        if (cache->entries[i].plan == plan) {
            cache->entries[i].users--;
            pthread_mutex_unlock(&cache->lock);
            return;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    rq_plan_free((rq_plan *)plan); /* handed out uncached */
}
