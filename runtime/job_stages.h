/*
 * A stage of a file job: items [0, n) worked on by all of the job's workers
 * (runtime/workers.h), each item taken by whichever worker asks first. The
 * first failure is kept and stops the others, as does rq_session_cancel.
 */
#ifndef RQ_RUNTIME_JOB_STAGES_H
#define RQ_RUNTIME_JOB_STAGES_H

#include <stddef.h>

#include "runtime/atomic_member.h"

#include "runtime/session_internal.h"
#include "runtime/workers.h"

typedef struct rq_stage {
    rq_job *job;
    rq_work_queue queue;
    RQ_ATOMIC(rq_status) status;
} rq_stage;

/* Records st as the stage's failure unless an earlier one is recorded. */
void rq_stage_fail(rq_stage *stage, rq_status st);
/* The next item; 0 when none is left or the stage failed or was cancelled. */
int rq_stage_take(rq_stage *stage, size_t *item);
/*
 * Runs fn(ctx, worker, n) on the job's workers over `items` items and
 * returns the stage's first failure, RQ_ERR_CANCELLED (message set) if the
 * job was cancelled, else RQ_OK.
 */
rq_status rq_stage_run(rq_stage *stage, rq_job *job, rq_worker_fn fn, void *ctx, size_t items);

#endif
