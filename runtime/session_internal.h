/* The session object and the job frame every file job runs in. */
#ifndef RQ_RUNTIME_SESSION_INTERNAL_H
#define RQ_RUNTIME_SESSION_INTERNAL_H

#include <pthread.h>

#include "backends/kernels.h"
#include "rq/rq_file.h"
#include "runtime/atomic_member.h"
#include "runtime/blake3.h"
#include "runtime/budget.h"

/* A session's settings (rq_file.h: rq_session_param says what each means). */
typedef struct rq_session_settings {
    uint32_t symbol_size;
    double redundancy;
    uint64_t memory_budget;
    uint32_t concurrency_limit;
    uint32_t threads;
    rq_placement placement;
    int fail_fast;
    uint64_t block_size;
    int overwrite;
    rq_format format;
} rq_session_settings;

struct rq_session {
    rq_session_settings config;
    rq_context *ctx;        /* what its jobs code in */
    pthread_mutex_t lock;   /* guards config, progress, last_error and active_jobs */
    pthread_cond_t slot_freed;
    unsigned active_jobs;
    RQ_ATOMIC(unsigned) cancel_generation; /* rq_session_cancel bumps it */
    rq_budget budget;       /* limit = config.memory_budget */
    rq_progress_fn progress;
    void *progress_user;
    char last_error[1024];
};

/* Records a formatted failure message on the session and returns status. */
rq_status rq_session_fail(rq_session *s, rq_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rq_session_clear_error(rq_session *s);
/* A copy of the settings now. */
void rq_session_settings_get(const rq_session *s, rq_session_settings *out);

/*
 * One running file job: its slot under the concurrency limit, a snapshot of
 * the configuration, what it has charged to the budgets, and how to tell
 * that it was cancelled.
 */
typedef struct rq_job {
    rq_session *s;
    rq_session_settings cfg;
    unsigned cancel_generation;
    uint64_t charged;  /* to both the session's and the process's budget */
    uint32_t threads;  /* workers, resolved from cfg.threads */
    rq_context *ctx;   /* kernels, caches and parameters */
    const rq_kernels *kernels;
    const rq_blake3_impl *blake3; /* the context's RQ_PARAM_BLAKE3 */
    int silent;        /* reports only check for cancellation: a job run inside another's frame */
} rq_job;

/*
 * Takes a job slot (waits for one, or RQ_ERR_BUSY with fail_fast) and the
 * active kernels. On failure the session's message says why.
 */
rq_status rq_job_begin(rq_session *s, rq_job *job);
/* Returns everything the job still has charged, and its slot. */
void rq_job_end(rq_job *job);
/* Charges bytes to the session's and the process's budget before allocating them. */
rq_status rq_job_charge(rq_job *job, uint64_t bytes);
void rq_job_release(rq_job *job, uint64_t bytes);
/* The most one job can ever charge: the smaller of the two limits. */
uint64_t rq_job_budget(const rq_job *job);
/* Nonzero once rq_session_cancel was called after the job began. */
int rq_job_cancelled(const rq_job *job);
/* RQ_ERR_CANCELLED (with the message set) if cancelled, else RQ_OK. */
rq_status rq_job_check_cancel(rq_job *job);

/* Reports progress; returns RQ_ERR_CANCELLED if the callback or rq_session_cancel asks to stop. */
rq_status rq_job_report(rq_job *job, uint64_t done, uint64_t total);

/* Symbol size T the session's P' gives, and the alignment that goes with it. */
uint32_t rq_session_symbol_size(const rq_session_settings *c);
uint32_t rq_session_alignment(const rq_session_settings *c);

#endif
