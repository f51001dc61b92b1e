/* Per-K' source rows and MT rows, shared between solves (see source_rows.h). */
#include "core/source_rows.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/constraint_rows.h"
#include "core/tuple.h"

typedef struct slot {
    rq_source_rows *rows;
    uint32_t users;
    uint64_t last_use;
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot slots[RQ_SOURCE_ROWS_KEPT];
static uint64_t use_clock;

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
    for (uint32_t j = 0; j + 1 < ks; j++)
        rq_hdpc_mt_rows(c, j, &r->mt[2 * j], &r->mt[2 * j + 1]);
    *out = r;
    return RQ_OK;
}

/* Keeps r in a slot unless every slot is in use; 1 if kept. Lock held. */
static int keep_locked(rq_source_rows *r)
{
    size_t victim = RQ_SOURCE_ROWS_KEPT;
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT; i++) {
        if (!slots[i].rows) {
            victim = i;
            break;
        }
        if (slots[i].users == 0 &&
            (victim == RQ_SOURCE_ROWS_KEPT || slots[i].last_use < slots[victim].last_use))
            victim = i;
    }
    if (victim == RQ_SOURCE_ROWS_KEPT)
        return 0;
    free_rows(slots[victim].rows);
    slots[victim].rows = r;
    slots[victim].users = 1;
    slots[victim].last_use = ++use_clock;
    return 1;
}

static slot *find_locked(uint32_t k_prime)
{
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT; i++)
        if (slots[i].rows && slots[i].rows->k_prime == k_prime)
            return &slots[i];
    return NULL;
}

/* The kept table of k_prime, now with one user more; NULL if none is kept. Lock held. */
static const rq_source_rows *take_locked(uint32_t k_prime)
{
    slot *s = find_locked(k_prime);
    if (!s)
        return NULL;
    s->users++;
    s->last_use = ++use_clock;
    return s->rows;
}

rq_status rq_source_rows_acquire(const rq_block_constants *c, const rq_source_rows **out)
{
    if (!c || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&lock);
    *out = take_locked(c->K_prime);
    pthread_mutex_unlock(&lock);
    if (*out)
        return RQ_OK;

    rq_source_rows *r;
    rq_status st = build(c, &r); /* outside the lock: ~0.5 ms at K' = 10000 */
    if (st != RQ_OK)
        return st;
    pthread_mutex_lock(&lock);
    *out = take_locked(c->K_prime); /* another thread may have built it meanwhile */
    if (!*out) {
        keep_locked(r); /* if not kept, release frees it */
        *out = r;
        r = NULL;
    }
    pthread_mutex_unlock(&lock);
    free_rows(r);
    return RQ_OK;
}

void rq_source_rows_release(const rq_source_rows *rows)
{
    if (!rows)
        return;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < RQ_SOURCE_ROWS_KEPT; i++) {
        if (slots[i].rows == rows) {
            slots[i].users--;
            pthread_mutex_unlock(&lock);
            return;
        }
    }
    pthread_mutex_unlock(&lock);
    free_rows((rq_source_rows *)rows); /* handed out uncached */
}
