/*
 * The rq-library ABI's sessions: numbered handles over librq sessions.
 * Ids count up from 1 and are never reused; a call holds a reference to its
 * session for as long as it runs, so a free from another thread never
 * pulls the session out from under it (the last reference destroys it).
 */
#ifndef RQ_RUNTIME_COMPAT_ABI_SESSIONS_H
#define RQ_RUNTIME_COMPAT_ABI_SESSIONS_H

#include <pthread.h>
#include <stdint.h>

#include "rq/rq_file.h"

typedef struct abi_session {
    uintptr_t id;
    rq_session *session;   /* format rq-library, overwrite, fail fast */
    uint32_t symbol_size;  /* as given (P') */
    uint64_t memory_bytes; /* max_memory_mb in bytes */
    pthread_mutex_t lock;  /* guards last_error */
    char last_error[1024];
    unsigned refs;         /* the registry's and the running calls' (registry lock) */
} abi_session;

/* Registers a session made from s (taken over); its id, or 0 when out of memory (s destroyed). */
uintptr_t abi_session_add(rq_session *s, uint32_t symbol_size, uint64_t memory_bytes);
/* The session with this id, referenced, or NULL. */
abi_session *abi_session_acquire(uintptr_t id);
void abi_session_release(abi_session *a);
/* Unregisters the id; 1 if it was registered. The session goes with its last reference. */
int abi_session_remove(uintptr_t id);

/* The message of the session's last failure: formatted, or "" to clear it. */
void abi_session_set_error(abi_session *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies it into buf (truncated, NUL-terminated; len >= 1). */
void abi_session_get_error(abi_session *a, char *buf, size_t len);

#endif
