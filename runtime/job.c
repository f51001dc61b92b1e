/*
 * The frame every file job runs in (declared in session_internal.h): a slot
 * under the session's concurrency limit, a snapshot of the configuration,
 * charges against the session's and the process's memory budgets, and the
 * checks for cancellation and progress.
 */
#include <string.h>

#include "core/context.h"
#include "runtime/blake3_impl.h"
#include "runtime/session_internal.h"
#include "runtime/workers.h"

int rq_job_cancelled(const rq_job *job)
{
    return atomic_load_explicit(&job->s->cancel_generation, memory_order_relaxed) !=
           job->cancel_generation;
}

static int job_cancelled_cb(void *job)
{
    return rq_job_cancelled(job);
}

rq_status rq_job_check_cancel(rq_job *job)
{
    if (!rq_job_cancelled(job))
        return RQ_OK;
    return rq_session_fail(job->s, RQ_ERR_CANCELLED, "cancelled (rq_session_cancel)");
}

rq_status rq_job_begin(rq_session *s, rq_job *job)
{
    memset(job, 0, sizeof *job);
    job->s = s;
    job->cancel_generation = atomic_load(&s->cancel_generation);
    pthread_mutex_lock(&s->lock);
    job->cfg = s->config;
    while (s->active_jobs >= s->config.concurrency_limit && !s->config.fail_fast &&
           !rq_job_cancelled(job))
        pthread_cond_wait(&s->slot_freed, &s->lock);
    rq_status st = RQ_OK;
    if (rq_job_cancelled(job))
        st = RQ_ERR_CANCELLED;
    else if (s->active_jobs >= s->config.concurrency_limit)
        st = RQ_ERR_BUSY;
    else
        s->active_jobs++;
    unsigned running = s->active_jobs;
    job->cfg = s->config; /* what it is now that the job starts */
    pthread_mutex_unlock(&s->lock);
    if (st == RQ_ERR_BUSY)
        return rq_session_fail(s, st, "%u jobs already running (concurrency_limit %u)", running,
                               job->cfg.concurrency_limit);
    if (st == RQ_ERR_CANCELLED)
        return rq_session_fail(s, st, "cancelled (rq_session_cancel) while waiting for a job slot");
    rq_session_clear_error(s);
    job->threads = rq_workers_resolve(job->cfg.threads);
    job->ctx = s->ctx;
    job->kernels = rq_context_kernels(job->ctx);
    job->blake3 = rq_blake3_impl_for(rq_context_param(job->ctx, RQ_PARAM_BLAKE3));
    if (!job->kernels) {
        char why[RQ_CONTEXT_ERROR_LEN];
        rq_context_last_error(job->ctx, why, sizeof why);
        rq_job_end(job);
        return rq_session_fail(s, RQ_ERR_BACKEND_UNAVAILABLE, "%s", why);
    }
    return RQ_OK;
}

void rq_job_end(rq_job *job)
{
    rq_job_release(job, job->charged);
    rq_session *s = job->s;
    pthread_mutex_lock(&s->lock);
    s->active_jobs--;
    pthread_cond_signal(&s->slot_freed);
    pthread_mutex_unlock(&s->lock);
}

uint64_t rq_job_budget(const rq_job *job)
{
    uint64_t process_limit;
    rq_budget_read(rq_process_budget(), &process_limit, NULL, NULL);
    return job->cfg.memory_budget < process_limit ? job->cfg.memory_budget : process_limit;
}

rq_status rq_job_charge(rq_job *job, uint64_t bytes)
{
    rq_session *s = job->s;
    int fail_fast = job->cfg.fail_fast;
    rq_status st = rq_budget_charge(&s->budget, bytes, fail_fast, job_cancelled_cb, job);
    if (st == RQ_OK) {
        st = rq_budget_charge(rq_process_budget(), bytes, fail_fast, job_cancelled_cb, job);
        if (st != RQ_OK)
            rq_budget_release(&s->budget, bytes);
    }
    if (st == RQ_OK) {
        job->charged += bytes;
        return RQ_OK;
    }
    if (st == RQ_ERR_CANCELLED)
        return rq_session_fail(s, st, "cancelled (rq_session_cancel) while waiting for memory");
    uint64_t slimit, scharged, plimit, pcharged;
    rq_budget_read(&s->budget, &slimit, &scharged, NULL);
    rq_budget_read(rq_process_budget(), &plimit, &pcharged, NULL);
    return rq_session_fail(s, st,
                           "a job needs %llu KiB more; the session budget has %llu of %llu KiB "
                           "in use, the process budget %llu of %llu KiB",
                           (unsigned long long)(bytes >> 10), (unsigned long long)(scharged >> 10),
                           (unsigned long long)(slimit >> 10), (unsigned long long)(pcharged >> 10),
                           (unsigned long long)(plimit >> 10));
}

void rq_job_release(rq_job *job, uint64_t bytes)
{
    if (bytes > job->charged)
        bytes = job->charged;
    if (!bytes)
        return;
    rq_budget_release(rq_process_budget(), bytes);
    rq_budget_release(&job->s->budget, bytes);
    job->charged -= bytes;
}

rq_status rq_job_report(rq_job *job, uint64_t done, uint64_t total)
{
    rq_session *s = job->s;
    rq_status st = rq_job_check_cancel(job);
    if (st != RQ_OK || job->silent)
        return st;
    pthread_mutex_lock(&s->lock);
    rq_progress_fn fn = s->progress;
    void *user = s->progress_user;
    pthread_mutex_unlock(&s->lock);
    if (fn && fn(user, done, total) != 0)
        return rq_session_fail(s, RQ_ERR_CANCELLED, "cancelled by the progress callback");
    return RQ_OK;
}
