/* The k+m coders' decode-matrix cache (core/ec_cache.h). */
#include "core/ec_cache.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_hash(const uint8_t *key, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ key[i]) * 1099511628211ull;
    return h;
}

void rq_ec_cache_init(rq_ec_cache *c, rq_cache_meter *meter)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->meter = meter;
}

static void unlink_entry(rq_ec_cache *c, rq_ec_decode_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
    e->cached = 0;
    c->entries--;
    rq_meter_give(c->meter, e->bytes);
}

static void push_front(rq_ec_cache *c, rq_ec_decode_entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    else
        c->tail = e;
    c->head = e;
}

void rq_ec_cache_clear(rq_ec_cache *c)
{
    while (c->head) {
        rq_ec_decode_entry *e = c->head;
        unlink_entry(c, e);
        free(e);
    }
    pthread_mutex_destroy(&c->lock);
}

rq_ec_decode_entry *rq_ec_cache_find(rq_ec_cache *c, const uint8_t *key, size_t key_len)
{
    uint64_t h = key_hash(key, key_len);
    pthread_mutex_lock(&c->lock);
    rq_ec_decode_entry *e = c->head;
    while (e && !(e->hash == h && e->key_len == key_len && !memcmp(e->key, key, key_len)))
        e = e->next;
    if (e) {
        e->refs++;
        c->hits++;
        if (e != c->head) {
            /* To the front: unlinked by hand, since the meter keeps its bytes. */
            e->prev->next = e->next;
            if (e->next)
                e->next->prev = e->prev;
            else
                c->tail = e->prev;
            push_front(c, e);
        }
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->lock);
    return e;
}

rq_ec_decode_entry *rq_ec_entry_new(const uint8_t *key, size_t key_len, uint32_t n_asked,
                                    uint32_t max_inputs)
{
    size_t coefs = (size_t)n_asked * max_inputs;
    size_t size = sizeof(rq_ec_decode_entry) + (size_t)max_inputs * sizeof(uint32_t) + coefs + key_len;
    rq_ec_decode_entry *e = calloc(1, size);
    if (!e)
        return NULL;
    e->inputs = (uint32_t *)(e + 1);
    e->coefs = (uint8_t *)(e->inputs + max_inputs);
    e->key = e->coefs + coefs;
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->hash = key_hash(key, key_len);
    e->n_asked = n_asked;
    e->refs = 1;
    e->bytes = size;
    return e;
}

/* Lets go of idle entries from the back until bytes fit the meter; 1 if they were taken. */
static int make_room(rq_ec_cache *c, uint64_t bytes)
{
    for (;;) {
        if (c->entries < RQ_EC_CACHE_ENTRIES && rq_meter_take(c->meter, bytes))
            return 1;
        rq_ec_decode_entry *idle = c->tail;
        while (idle && idle->refs)
            idle = idle->prev;
        if (!idle)
            return 0;
        unlink_entry(c, idle);
        free(idle);
    }
}

void rq_ec_cache_insert(rq_ec_cache *c, rq_ec_decode_entry *e)
{
    pthread_mutex_lock(&c->lock);
    /* Another thread may have solved the same pattern meanwhile: keep one. */
    rq_ec_decode_entry *same = c->head;
    while (same && !(same->hash == e->hash && same->key_len == e->key_len &&
                     !memcmp(same->key, e->key, e->key_len)))
        same = same->next;
    if (!same && make_room(c, e->bytes)) {
        e->cached = 1;
        c->entries++;
        push_front(c, e);
    }
    pthread_mutex_unlock(&c->lock);
}

void rq_ec_cache_release(rq_ec_cache *c, rq_ec_decode_entry *e)
{
    pthread_mutex_lock(&c->lock);
    int drop = --e->refs == 0 && !e->cached;
    pthread_mutex_unlock(&c->lock);
    if (drop)
        free(e);
}
