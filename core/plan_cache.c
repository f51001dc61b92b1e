/*
 * Encoding plans depend only on K', so they are solved once and shared. The
 * cache is thread-safe; plans in use are reference-counted and never
 * evicted, unused ones are evicted least-recently-used first once their total
 * size passes the limit.
 */
#include <pthread.h>
#include <stdlib.h>

#include "core/dense_combine.h"
#include "core/params.h"
#include "core/plan.h"

typedef struct cache_entry {
    rq_plan *plan;
    uint32_t k_prime;
    uint32_t users;
    uint64_t last_use;
} cache_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_entry *entries;
static size_t n_entries, cap_entries;
static size_t cached_bytes;
static size_t limit_bytes = 64u << 20;
static uint64_t use_clock;

static cache_entry *find_locked(uint32_t k_prime)
{
    for (size_t i = 0; i < n_entries; i++)
        if (entries[i].k_prime == k_prime)
            return &entries[i];
    return NULL;
}

static void evict_locked(void)
{
    while (cached_bytes > limit_bytes) {
        size_t victim = n_entries;
        for (size_t i = 0; i < n_entries; i++)
            if (entries[i].users == 0 &&
                (victim == n_entries || entries[i].last_use < entries[victim].last_use))
                victim = i;
        if (victim == n_entries)
            return; /* everything left is in use */
        cached_bytes -= rq_plan_bytes(entries[victim].plan);
        rq_plan_free(entries[victim].plan);
        entries[victim] = entries[--n_entries];
    }
}

static rq_status build_encoding_plan(uint32_t k_prime, rq_plan **out)
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
    st = rq_plan_build_thorough(&c, isis, k_prime, 0, out);
    if (st == RQ_OK && rq_plan_build_thorough(&c, isis, k_prime, 1, &other) == RQ_OK) {
        if (other->n_ops < (*out)->n_ops) {
            rq_plan *t = *out;
            *out = other;
            other = t;
        }
        rq_plan_free(other);
    }
    free(isis);
    /* Kept for long: its operations leave the pool for a block of their own size.
     * Small K': also the dense coefficients (core/dense_combine.h). */
    const rq_kernels *k = rq_kernels_active();
    if (st == RQ_OK && ((st = rq_plan_order_inputs(*out)) != RQ_OK ||
                        (st = rq_plan_compact(*out)) != RQ_OK ||
                        (k && (st = rq_plan_dense_rows(*out, k, &(*out)->dense)) != RQ_OK)))
        rq_plan_free(*out);
    /* The systematic construction makes ISIs 0..K'-1 always solvable. */
    return st == RQ_ERR_NEED_MORE_SYMBOLS ? RQ_ERR_INTERNAL : st;
}

rq_status rq_plan_cache_acquire(uint32_t k_prime, const rq_plan **out)
{
    if (!out || rq_params_k_prime(k_prime) != k_prime)
        return RQ_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&cache_lock);
    cache_entry *e = find_locked(k_prime);
    if (e) {
        e->users++;
        e->last_use = ++use_clock;
        *out = e->plan;
        pthread_mutex_unlock(&cache_lock);
        return RQ_OK;
    }
    pthread_mutex_unlock(&cache_lock);

    /* Solve outside the lock; if another thread won the race, keep theirs. */
    rq_plan *plan;
    rq_status st = build_encoding_plan(k_prime, &plan);
    if (st != RQ_OK)
        return st;
    pthread_mutex_lock(&cache_lock);
    e = find_locked(k_prime);
    if (!e) {
        if (n_entries == cap_entries) {
            size_t cap = cap_entries ? cap_entries * 2 : 16;
            cache_entry *grown = realloc(entries, cap * sizeof *grown);
            if (!grown) {
                pthread_mutex_unlock(&cache_lock);
                rq_plan_free(plan);
                return RQ_ERR_NO_MEMORY;
            }
            entries = grown;
            cap_entries = cap;
        }
        e = &entries[n_entries++];
        e->plan = plan;
        e->k_prime = k_prime;
        e->users = 0;
        cached_bytes += rq_plan_bytes(plan);
        plan = NULL;
    }
    e->users++;
    e->last_use = ++use_clock;
    *out = e->plan;
    evict_locked();
    pthread_mutex_unlock(&cache_lock);
    rq_plan_free(plan);
    return RQ_OK;
}

void rq_plan_cache_release(const rq_plan *plan)
{
    if (!plan)
        return;
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < n_entries; i++) {
        if (entries[i].plan == plan) {
            entries[i].users--;
            break;
        }
    }
    evict_locked();
    pthread_mutex_unlock(&cache_lock);
}

void rq_plan_cache_set_limit(size_t bytes)
{
    pthread_mutex_lock(&cache_lock);
    limit_bytes = bytes;
    evict_locked();
    pthread_mutex_unlock(&cache_lock);
}
