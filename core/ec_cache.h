/*
 * The decode matrices a k+m coder keeps, one per erasure pattern: a bounded
 * list, most recently used first, each entry charged to the context's cache
 * meter. Entries in use are counted and never freed under their user; what
 * does not fit (the meter is full even after the coder's idle entries went)
 * is handed out uncached and freed after its one use.
 */
#ifndef RQ_CORE_EC_CACHE_H
#define RQ_CORE_EC_CACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cache_meter.h"

/* The most patterns one coder keeps. */
#define RQ_EC_CACHE_ENTRIES 256u

typedef struct rq_ec_decode_entry {
    struct rq_ec_decode_entry *prev, *next;
    uint32_t refs;
    int cached;
    uint64_t bytes; /* what the meter was charged */
    uint64_t hash;
    size_t key_len;
    uint8_t *key; /* the pattern: readable flags, then the asked units */
    uint32_t n_asked, n_inputs;
    uint32_t *inputs; /* unit indexes */
    uint8_t *coefs;   /* n_asked x n_inputs */
} rq_ec_decode_entry;

typedef struct rq_ec_cache {
    pthread_mutex_t lock;
    rq_cache_meter *meter;
    rq_ec_decode_entry *head, *tail;
    uint32_t entries;
    uint64_t hits, misses;
} rq_ec_cache;

void rq_ec_cache_init(rq_ec_cache *c, rq_cache_meter *meter);
/* Frees every entry (none may be in use) and gives their bytes back. */
void rq_ec_cache_clear(rq_ec_cache *c);

/* The entry for this key, held (refs + 1), or NULL (a miss, counted). */
rq_ec_decode_entry *rq_ec_cache_find(rq_ec_cache *c, const uint8_t *key, size_t key_len);
/*
 * A new entry for key with room for n_asked x max_inputs coefficients and
 * max_inputs inputs, not yet in the cache; NULL without memory.
 */
rq_ec_decode_entry *rq_ec_entry_new(const uint8_t *key, size_t key_len, uint32_t n_asked,
                                    uint32_t max_inputs);
/* Puts a new entry (held by the caller) in the cache if the meter takes it. */
void rq_ec_cache_insert(rq_ec_cache *c, rq_ec_decode_entry *e);
/* Lets go of a held entry; frees it if it is not cached and no one else holds it. */
void rq_ec_cache_release(rq_ec_cache *c, rq_ec_decode_entry *e);

#endif
