/* The session object and the helpers every file job shares. */
#ifndef RQ_RUNTIME_SESSION_INTERNAL_H
#define RQ_RUNTIME_SESSION_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "rq/rq_file.h"

struct rq_session {
    rq_session_config config;
    pthread_mutex_t lock; /* guards config, progress and last_error */
    atomic_uint active_jobs;
    rq_progress_fn progress;
    void *progress_user;
    char last_error[1024];
};

/* Records a formatted failure message on the session and returns status. */
rq_status rq_session_fail(rq_session *s, rq_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rq_session_clear_error(rq_session *s);

/* Takes a job slot (RQ_ERR_BUSY past the concurrency limit) and a snapshot of the config. */
rq_status rq_session_begin_job(rq_session *s, rq_session_config *config);
void rq_session_end_job(rq_session *s);

/* Reports progress; returns RQ_ERR_CANCELLED if the callback asks to stop. */
rq_status rq_session_report(rq_session *s, uint64_t done, uint64_t total);

/* Symbol size T the session's P' gives, and the alignment that goes with it. */
uint32_t rq_session_symbol_size(const rq_session_config *c);
uint32_t rq_session_alignment(const rq_session_config *c);

#endif
