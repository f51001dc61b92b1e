/*
 * rq_run_file_jobs (include/rq/rq_batch.h): file jobs in index order on a
 * fixed set of threads, each job in a session of its own. A large job waits
 * until nothing else runs and then runs alone with every core; small ones
 * run side by side with one worker thread each. Jobs find out about a
 * cancellation through their sessions' progress callbacks; threads waiting
 * for a turn wake every 100 ms to ask the caller's callback too.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "rq/rq_batch.h"
#include "runtime/monotonic.h"
#include "runtime/session_internal.h"
#include "runtime/workers.h"

typedef struct job_queue {
    rq_session *parent;
    unsigned cancel_generation; /* the parent's when the run began */
    const rq_file_job *jobs;
    size_t n_jobs;
    const rq_jobs_options *opt;
    rq_file_job_outcome *outcomes;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    size_t next, ended, running;
    int large_running, stop;
    atomic_int cancelled;
} job_queue;

/* Whether the caller cancelled: rq_session_cancel on the parent, or its progress callback. */
static int asks_to_stop(job_queue *q, size_t ended)
{
    if (atomic_load(&q->cancelled))
        return 1;
    rq_session *p = q->parent;
    int stop = atomic_load(&p->cancel_generation) != q->cancel_generation;
    pthread_mutex_lock(&p->lock);
    rq_progress_fn fn = p->progress;
    void *user = p->progress_user;
    pthread_mutex_unlock(&p->lock);
    if (!stop && fn)
        stop = fn(user, ended, q->n_jobs) != 0;
    if (stop)
        atomic_store(&q->cancelled, 1);
    return stop;
}

static int job_progress(void *user, uint64_t done, uint64_t total)
{
    (void)done, (void)total;
    job_queue *q = user;
    return asks_to_stop(q, q->ended);
}

static rq_status run_op(rq_session *s, const rq_file_job *job, rq_file_result *r)
{
    switch (job->op) {
    case RQ_JOB_ENCODE: return rq_encode_file(s, job->input, job->output, r);
    case RQ_JOB_DECODE: return rq_decode_symbols(s, job->input, job->output, job->layout, r);
    case RQ_JOB_VERIFY: return rq_verify_symbols(s, job->input, job->layout, r);
    case RQ_JOB_REPAIR: return rq_repair_symbols(s, job->input, job->layout, r);
    case RQ_JOB_REENCODE: return rq_reencode_symbols(s, job->input, job->layout, job->output, r);
    }
    return RQ_ERR_INVALID_ARGUMENT;
}

/* The parent's settings, then the threads, then the job's own. */
static rq_status configure(rq_session *s, const rq_session_settings *base, const rq_file_job *job, int large)
{
    const struct {
        rq_session_param param;
        int64_t value;
    } inherited[] = {
        {RQ_SESSION_SYMBOL_SIZE, base->symbol_size}, {RQ_SESSION_MEMORY_BUDGET, (int64_t)base->memory_budget},
        {RQ_SESSION_PLACEMENT, base->placement},     {RQ_SESSION_BLOCK_SIZE, (int64_t)base->block_size},
        {RQ_SESSION_OVERWRITE, base->overwrite},     {RQ_SESSION_FORMAT, base->format},
        {RQ_SESSION_THREADS, large ? 0 : 1},
    };
    rq_status st = rq_session_set_double(s, RQ_SESSION_REDUNDANCY, base->redundancy);
    for (size_t i = 0; st == RQ_OK && i < sizeof inherited / sizeof inherited[0]; i++)
        st = rq_session_set(s, inherited[i].param, inherited[i].value);
    for (size_t i = 0; st == RQ_OK && i < job->n_settings; i++) {
        const rq_job_setting *b = &job->settings[i];
        st = b->param == RQ_SESSION_REDUNDANCY ? rq_session_set_double(s, b->param, b->value)
                                               : rq_session_set(s, b->param, (int64_t)b->value);
    }
    return st;
}

static void run_job(job_queue *q, size_t i, int large)
{
    const rq_file_job *job = &q->jobs[i];
    rq_file_job_outcome *o = &q->outcomes[i];
    double t0 = rq_monotonic_seconds();
    rq_session_settings base;
    rq_session_settings_get(q->parent, &base);
    rq_session *s = NULL;
    o->ran = 1;
    o->status = rq_session_create_in(q->parent->ctx, &s);
    if (o->status == RQ_OK)
        o->status = configure(s, &base, job, large);
    if (o->status == RQ_OK)
        o->status = rq_session_set_progress(s, job_progress, q);
    if (o->status == RQ_OK)
        o->status = run_op(s, job, &o->result);
    if (o->status != RQ_OK) {
        const char *msg = "";
        if (s)
            rq_session_last_error(s, &msg);
        snprintf(o->message, sizeof o->message, "%s", msg[0] ? msg : rq_strerror(o->status));
    }
    rq_session_destroy(s);
    o->seconds = rq_monotonic_seconds() - t0;
}

static int is_large(const job_queue *q, size_t i)
{
    return q->opt->large_bytes && q->jobs[i].bytes >= q->opt->large_bytes;
}

/*
 * Before a large job runs alone: the small jobs before it freed their
 * buffers into their threads' malloc arenas, which glibc keeps (several
 * MiB each) unless told; given back now, the large job's buffers and not
 * that leftover are what the process holds beside the budget.
 */
static void give_back_freed_memory(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* Waits (holding q->lock) until the next job may start: its index, or -1 when none will. */
static long wait_turn(job_queue *q)
{
    for (;;) {
        if (q->stop || atomic_load(&q->cancelled) || q->next >= q->n_jobs)
            return -1;
        if (is_large(q, q->next) ? q->running == 0 : !q->large_running)
            return (long)q->next++;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&q->changed, &q->lock, &until) != 0) {
            size_t ended = q->ended;
            pthread_mutex_unlock(&q->lock);
            asks_to_stop(q, ended);
            pthread_mutex_lock(&q->lock);
        }
    }
}

static void *worker(void *arg)
{
    job_queue *q = arg;
    pthread_mutex_lock(&q->lock);
    long next;
    while ((next = wait_turn(q)) >= 0) {
        size_t i = (size_t)next;
        int large = is_large(q, i);
        q->running++;
        q->large_running |= large;
        pthread_mutex_unlock(&q->lock);
        if (large)
            give_back_freed_memory();
        run_job(q, i, large);
        pthread_mutex_lock(&q->lock);
        q->running--;
        q->large_running &= !large;
        q->ended++;
        q->stop |= q->outcomes[i].status != RQ_OK && q->opt->fail_fast;
        if (q->opt->done)
            q->opt->done(q->opt->user, i, &q->outcomes[i]);
        size_t ended = q->ended;
        pthread_mutex_unlock(&q->lock);
        asks_to_stop(q, ended);
        pthread_mutex_lock(&q->lock);
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* RQ_ERR_CANCELLED once cancelled; else RQ_OK or the first job in index order that failed or did not run. */
static rq_status overall(job_queue *q)
{
    if (atomic_load(&q->cancelled))
        return RQ_ERR_CANCELLED;
    for (size_t i = 0; i < q->n_jobs; i++) {
        const rq_file_job_outcome *o = &q->outcomes[i];
        if (!o->ran)
            return RQ_ERR_BUSY; /* not reached: only fail_fast leaves jobs unrun, after a failure */
        if (o->status != RQ_OK)
            return o->status;
    }
    return RQ_OK;
}

static uint32_t thread_count(const rq_jobs_options *opt, size_t n_jobs)
{
    uint32_t n = opt->concurrency ? opt->concurrency : rq_workers_resolve(0);
    return n < n_jobs ? n : (uint32_t)n_jobs;
}

rq_status rq_run_file_jobs(rq_session *session, const rq_file_job *jobs, size_t n_jobs,
                           const rq_jobs_options *options, rq_file_job_outcome *outcomes)
{
    if (!session || (n_jobs && (!jobs || !outcomes)) || !options)
        return RQ_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < n_jobs; i++)
        if (!jobs[i].input || (unsigned)jobs[i].op > RQ_JOB_REENCODE)
            return rq_session_fail(session, RQ_ERR_INVALID_ARGUMENT, "job %zu has no input or no such op", i);
    if (n_jobs)
        memset(outcomes, 0, n_jobs * sizeof *outcomes);
    job_queue q = {.parent = session, .jobs = jobs, .n_jobs = n_jobs, .opt = options, .outcomes = outcomes};
    q.cancel_generation = atomic_load(&session->cancel_generation);
    pthread_mutex_init(&q.lock, NULL);
    pthread_cond_init(&q.changed, NULL);
    uint32_t n = thread_count(options, n_jobs), started = 0;
    pthread_t *threads = calloc(n ? n : 1, sizeof *threads);
    for (; threads && started < n; started++)
        if (pthread_create(&threads[started], NULL, worker, &q) != 0)
            break;
    if (started == 0)
        worker(&q);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    pthread_mutex_destroy(&q.lock);
    pthread_cond_destroy(&q.changed);
    rq_status st = overall(&q);
    size_t failed = 0;
    for (size_t i = 0; i < n_jobs; i++)
        failed += outcomes[i].ran && outcomes[i].status != RQ_OK;
    if (st != RQ_OK)
        rq_session_fail(session, st, "%zu of %zu jobs failed, %zu did not run%s", failed, n_jobs, n_jobs - q.ended,
                        st == RQ_ERR_CANCELLED ? " (cancelled)" : "");
    return st;
}
