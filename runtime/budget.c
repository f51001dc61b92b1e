/* Memory budgets (see budget.h) and the process-wide one. */
#define _POSIX_C_SOURCE 200809L
#include "runtime/budget.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "rq/rq_file.h"

/* How often a waiting charge looks at its cancel flag. */
#define CANCEL_POLL_NS (20 * 1000 * 1000L)

void rq_budget_init(rq_budget *b, uint64_t limit)
{
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&b->freed, &attr);
    pthread_condattr_destroy(&attr);
    b->limit = limit;
    b->charged = 0;
    b->peak = 0;
}

void rq_budget_destroy(rq_budget *b)
{
    pthread_cond_destroy(&b->freed);
    pthread_mutex_destroy(&b->lock);
}

void rq_budget_set_limit(rq_budget *b, uint64_t limit)
{
    pthread_mutex_lock(&b->lock);
    b->limit = limit;
    pthread_cond_broadcast(&b->freed); /* a larger limit may let waiters in */
    pthread_mutex_unlock(&b->lock);
}

rq_status rq_budget_charge(rq_budget *b, uint64_t bytes, int fail_fast,
                           int (*cancelled)(void *), void *cancel_ctx)
{
    rq_status st = RQ_OK;
    pthread_mutex_lock(&b->lock);
    for (;;) {
        if (bytes > b->limit) {
            st = RQ_ERR_MEMORY_BUDGET;
            break;
        }
        if (b->charged <= b->limit - bytes) {
            b->charged += bytes;
            if (b->charged > b->peak)
                b->peak = b->charged;
            break;
        }
        if (fail_fast) {
            st = RQ_ERR_MEMORY_BUDGET;
            break;
        }
        if (cancelled && cancelled(cancel_ctx)) {
            st = RQ_ERR_CANCELLED;
            break;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += CANCEL_POLL_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&b->freed, &b->lock, &until);
    }
    pthread_mutex_unlock(&b->lock);
    return st;
}

void rq_budget_release(rq_budget *b, uint64_t bytes)
{
    if (!bytes)
        return;
    pthread_mutex_lock(&b->lock);
    b->charged = bytes < b->charged ? b->charged - bytes : 0;
    pthread_cond_broadcast(&b->freed);
    pthread_mutex_unlock(&b->lock);
}

void rq_budget_read(rq_budget *b, uint64_t *limit, uint64_t *charged, uint64_t *peak)
{
    pthread_mutex_lock(&b->lock);
    if (limit)
        *limit = b->limit;
    if (charged)
        *charged = b->charged;
    if (peak)
        *peak = b->peak;
    pthread_mutex_unlock(&b->lock);
}

static rq_budget process_budget;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

/* Half the machine's RAM: room for the page cache and the rest of the process. */
static uint64_t default_process_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return 1ull << 30;
    return (uint64_t)pages * (uint64_t)page / 2;
}

static void process_init(void)
{
    rq_budget_init(&process_budget, default_process_limit());
}

rq_budget *rq_process_budget(void)
{
    pthread_once(&process_once, process_init);
    return &process_budget;
}

rq_status rq_process_set_memory_budget(uint64_t bytes)
{
    if (bytes != 0 && bytes < RQ_MIN_MEMORY_BUDGET)
        return RQ_ERR_CONFIG;
    rq_budget_set_limit(rq_process_budget(), bytes ? bytes : default_process_limit());
    return RQ_OK;
}

rq_status rq_process_memory(rq_memory_usage *out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_budget_read(rq_process_budget(), &out->limit, &out->charged, &out->peak);
    return RQ_OK;
}
