/* Stages of file jobs (see job_stages.h). */
#include "runtime/job_stages.h"

void rq_stage_fail(rq_stage *stage, rq_status st)
{
    rq_status ok = RQ_OK;
    atomic_compare_exchange_strong(&stage->status, &ok, st);
}

int rq_stage_take(rq_stage *stage, size_t *item)
{
    if (atomic_load_explicit(&stage->status, memory_order_relaxed) != RQ_OK ||
        rq_job_cancelled(stage->job))
        return 0;
    return rq_work_take(&stage->queue, item);
}

rq_status rq_stage_run(rq_stage *stage, rq_job *job, rq_worker_fn fn, void *ctx, size_t items)
{
    stage->job = job;
    rq_work_queue_init(&stage->queue, items);
    atomic_init(&stage->status, RQ_OK);
    rq_workers_run(job->threads, job->cfg.placement, fn, ctx);
    rq_status st = atomic_load(&stage->status);
    return st != RQ_OK ? st : rq_job_check_cancel(job);
}
