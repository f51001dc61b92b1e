/* Per-K' source rows and MT rows, shared between solves (see source_rows.h). */
#include "core/source_rows.h"

#include "core/cache_meter.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/constraint_rows.h"
#include "core/tuple.h"

typedef struct rq_source_rows_slot slot;

static void free_rows(rq_source_rows *r)
{
    if (r) {
        free(r->start);
        free(r->cols);
        free(r->mt);
        free(r);
    }
}

static rq_status build(const rq_block_constants *c, rq_source_rows **out)
{
    uint32_t kp = c->K_prime, ks = c->K_prime + c->S;
    rq_source_rows *r = calloc(1, sizeof *r);
    if (!r)
        return RQ_ERR_NO_MEMORY;
    r->k_prime = kp;
    r->start = malloc(((size_t)kp + 1) * sizeof *r->start);
    r->mt = malloc((size_t)2 * ks * sizeof *r->mt);
    /* An LT row has at most W + P1 columns; most have a handful. */
    size_t cap = (size_t)kp * 8 + c->W + c->P1;
    r->cols = malloc(cap * sizeof *r->cols);
    if (!r->start || !r->mt || !r->cols) {
        free_rows(r);
        return RQ_ERR_NO_MEMORY;
    }
    size_t at = 0;
    for (uint32_t i = 0; i < kp; i++) {
        if (cap - at < (size_t)c->W + c->P1) {
            cap = cap * 2;
            uint32_t *grown = realloc(r->cols, cap * sizeof *r->cols);
            if (!grown) {
                free_rows(r);
                return RQ_ERR_NO_MEMORY;
            }
            r->cols = grown;
        }
        r->start[i] = (uint32_t)at;
        at += rq_neighbours(c, i, r->cols + at);
    }
    r->start[kp] = (uint32_t)at;
    r->bytes = sizeof *r + ((size_t)kp + 1 + (size_t)2 * ks + cap) * sizeof(uint32_t);
    for (uint32_t j = 0; j + 1 < ks; j++)
        rq_hdpc_mt_rows(c, j, &r->mt[2 * j], &r->mt[2 * j + 1]);
    *out = r;
    return RQ_OK;
}

void rq_source_rows_cache_init(rq_source_rows_cache *cache, rq_cache_meter *meter)
{
    memset(cache, 0, sizeof *cache);
    pthread_mutex_init(&cache->lock, NULL);
    cache->meter = meter;
}

/* Empties slot s (unused), giving its bytes back. Lock held. */
static void drop_locked(rq_source_rows_cache *cache, slot *s)
{
    rq_meter_give(cache->meter, s->rows->bytes);
    free_rows(s->rows);
    s->rows = NULL;
}

/* The least recently used unused kept table; NULL if none. Lock held. */
static slot *oldest_unused_locked(rq_source_rows_cache *cache)
{
    slot *victim = NULL;
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT; i++) {
        slot *s = &cache->slots[i];
        if (s->rows && s->users == 0 && (!victim || s->last_use < victim->last_use))
            victim = s;
    }
    return victim;
}

void rq_source_rows_cache_trim(rq_source_rows_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    slot *s;
    while (atomic_load(&cache->meter->held) > atomic_load(&cache->meter->limit) &&
           (s = oldest_unused_locked(cache)) != NULL)
        drop_locked(cache, s);
    pthread_mutex_unlock(&cache->lock);
}

void rq_source_rows_cache_destroy(rq_source_rows_cache *cache)
{
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT; i++)
        if (cache->slots[i].rows)
            drop_locked(cache, &cache->slots[i]);
    pthread_mutex_destroy(&cache->lock);
}

/* Keeps r in a slot if one is free or unused and the meter holds it; 1 if kept. Lock held. */
static int keep_locked(rq_source_rows_cache *cache, rq_source_rows *r)
{
    slot *free_slot = NULL;
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT && !free_slot; i++)
        if (!cache->slots[i].rows)
            free_slot = &cache->slots[i];
    while (!rq_meter_take(cache->meter, r->bytes)) {
        slot *victim = oldest_unused_locked(cache);
        if (!victim)
            return 0;
        drop_locked(cache, victim);
        free_slot = victim;
    }
    if (!free_slot && (free_slot = oldest_unused_locked(cache)) != NULL)
        drop_locked(cache, free_slot);
    if (!free_slot) {
        rq_meter_give(cache->meter, r->bytes);
        return 0;
    }
    free_slot->rows = r;
    free_slot->users = 1;
    free_slot->last_use = ++cache->clock;
    return 1;
}

static slot *find_locked(rq_source_rows_cache *cache, uint32_t k_prime)
{
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT; i++)
        if (cache->slots[i].rows && cache->slots[i].rows->k_prime == k_prime)
            return &cache->slots[i];
    return NULL;
}

/* The kept table of k_prime, now with one user more; NULL if none is kept. Lock held. */
static const rq_source_rows *take_locked(rq_source_rows_cache *cache, uint32_t k_prime)
{
    slot *s = find_locked(cache, k_prime);
    if (!s)
        return NULL;
    s->users++;
    s->last_use = ++cache->clock;
    return s->rows;
}

rq_status rq_source_rows_acquire(rq_source_rows_cache *cache, const rq_block_constants *c,
                                 const rq_source_rows **out)
{
    if (!cache || !c || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&cache->lock);
    *out = take_locked(cache, c->K_prime);
    pthread_mutex_unlock(&cache->lock);
    if (*out)
        return RQ_OK;

    rq_source_rows *r;
    rq_status st = build(c, &r); /* outside the lock: ~0.5 ms at K' = 10000 */
    if (st != RQ_OK)
        return st;
    pthread_mutex_lock(&cache->lock);
    *out = take_locked(cache, c->K_prime); /* another thread may have built it meanwhile */
    if (!*out) {
        keep_locked(cache, r); /* if not kept, release frees it */
        *out = r;
        r = NULL;
    }
    pthread_mutex_unlock(&cache->lock);
    free_rows(r);
    return RQ_OK;
}

void rq_source_rows_release(rq_source_rows_cache *cache, const rq_source_rows *rows)
{
    if (!rows)
        return;
    pthread_mutex_lock(&cache->lock);
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT; i++) {
        if (cache->slots[i].rows == rows) {
            cache->slots[i].users--;
            pthread_mutex_unlock(&cache->lock);
            return;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    free_rows((rq_source_rows *)rows); /* handed out uncached */
}
