/*
 * Memory budgets: a byte count that jobs charge before they allocate and
 * release after they free, so that the sum of what running jobs hold never
 * exceeds the limit. There is one budget per process and one per session; a
 * job charges both (session first, then process, always in that order, so
 * waits cannot form a cycle).
 *
 * A charge that does not fit right now waits until other jobs release
 * enough, or fails at once with RQ_ERR_MEMORY_BUDGET when the caller asks
 * (fail_fast). A charge larger than the whole limit always fails at once: no
 * amount of waiting would make it fit.
 */
#ifndef RQ_RUNTIME_BUDGET_H
#define RQ_RUNTIME_BUDGET_H

#include <pthread.h>
#include <stdint.h>

#include "rq/rq.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_budget {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    uint64_t limit;   /* bytes */
    uint64_t charged; /* bytes held by running jobs now */
    uint64_t peak;    /* most ever held at once (the instrumented counter tests read) */
} rq_budget;

void rq_budget_init(rq_budget *b, uint64_t limit);
void rq_budget_destroy(rq_budget *b);
/* A new limit applies to charges made from now on; what is held stays held. */
void rq_budget_set_limit(rq_budget *b, uint64_t limit);

/*
 * Charges bytes. cancelled (may be NULL) is polled while waiting; when it
 * returns nonzero the wait ends with RQ_ERR_CANCELLED.
 */
rq_status rq_budget_charge(rq_budget *b, uint64_t bytes, int fail_fast,
                           int (*cancelled)(void *), void *cancel_ctx);
void rq_budget_release(rq_budget *b, uint64_t bytes);
void rq_budget_read(rq_budget *b, uint64_t *limit, uint64_t *charged, uint64_t *peak);

/* The process-wide budget (limit: rq_process_set_memory_budget, default half the RAM). */
rq_budget *rq_process_budget(void);

#ifdef __cplusplus
}
#endif

#endif
