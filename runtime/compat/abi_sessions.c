/* The rq-library ABI's session registry (see abi_sessions.h). */
#include "runtime/compat/abi_sessions.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static abi_session **registry; /* live sessions, unordered */
static size_t registry_len, registry_cap;
static atomic_uintptr_t next_id = 1;

static void destroy(abi_session *a)
{
    rq_session_destroy(a->session);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

uintptr_t abi_session_add(rq_session *s, uint32_t symbol_size, uint64_t memory_bytes)
{
    abi_session *a = calloc(1, sizeof *a);
    if (!a) {
        rq_session_destroy(s);
        return 0;
    }
    a->session = s;
    a->symbol_size = symbol_size;
    a->memory_bytes = memory_bytes;
    a->refs = 1;
    pthread_mutex_init(&a->lock, NULL);
    pthread_mutex_lock(&registry_lock);
    if (registry_len == registry_cap) {
        size_t cap = registry_cap ? registry_cap * 2 : 16;
        abi_session **grown = realloc(registry, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&registry_lock);
            destroy(a);
            return 0;
        }
        registry = grown;
        registry_cap = cap;
    }
    a->id = atomic_fetch_add(&next_id, 1);
    registry[registry_len++] = a;
    pthread_mutex_unlock(&registry_lock);
    return a->id;
}

/* Index of id in the registry, or registry_len; with the lock held. */
static size_t find(uintptr_t id)
{
    size_t i = 0;
    while (i < registry_len && registry[i]->id != id)
        i++;
    return i;
}

abi_session *abi_session_acquire(uintptr_t id)
{
    pthread_mutex_lock(&registry_lock);
    size_t i = find(id);
    abi_session *a = i < registry_len ? registry[i] : NULL;
    if (a)
        a->refs++;
    pthread_mutex_unlock(&registry_lock);
    return a;
}

void abi_session_release(abi_session *a)
{
    pthread_mutex_lock(&registry_lock);
    unsigned left = --a->refs;
    pthread_mutex_unlock(&registry_lock);
    if (left == 0)
        destroy(a);
}

int abi_session_remove(uintptr_t id)
{
    pthread_mutex_lock(&registry_lock);
    size_t i = find(id);
    abi_session *a = NULL;
    if (i < registry_len) {
        a = registry[i];
        registry[i] = registry[--registry_len];
    }
    pthread_mutex_unlock(&registry_lock);
    if (a)
        abi_session_release(a);
    return a != NULL;
}

void abi_session_set_error(abi_session *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&a->lock);
    vsnprintf(a->last_error, sizeof a->last_error, fmt, ap);
    pthread_mutex_unlock(&a->lock);
    va_end(ap);
}

void abi_session_get_error(abi_session *a, char *buf, size_t len)
{
    pthread_mutex_lock(&a->lock);
    snprintf(buf, len, "%s", a->last_error);
    pthread_mutex_unlock(&a->lock);
}
