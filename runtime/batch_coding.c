/*
 * rq_code_batch (include/rq/rq_batch.h): one batch plan, then either every
 * worker takes blocks from a queue and replays the plan over each in its own
 * working rows, or the GPU codes the blocks in groups (backends/cuda). The
 * choice is runtime/batch_cost.c's.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/batch_plan.h"
#include "core/context.h"
#include "core/row_pool.h"
#include "rq/rq_batch.h"
#include "runtime/monotonic.h"
#include "runtime/batch_cost.h"
#include "runtime/job_memory.h"
#include "runtime/session_internal.h"
#include "runtime/workers.h"
#ifdef RQ_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

typedef struct batch_job {
    rq_job job;
    const rq_batch *b;
    rq_batch_plan plan;
    rq_work_queue queue; /* blocks */
    atomic_size_t done;
    atomic_int stop;     /* a worker saw a cancellation */
    atomic_int no_memory; /* a worker had no working rows */
    rq_status status;    /* worker 0's report */
} batch_job;

static rq_status check_batch(rq_session *s, const rq_batch *b)
{
    if (!s || !b)
        return RQ_ERR_INVALID_ARGUMENT;
    if (b->symbol_size == 0 || b->symbol_size > RQ_MAX_SYMBOL_SIZE)
        return rq_session_fail(s, RQ_ERR_SYMBOL_SIZE, "symbol_size %zu is outside 1..%u", b->symbol_size,
                               RQ_MAX_SYMBOL_SIZE);
    if (b->n_known == 0 || (b->n_blocks && (!b->inputs || !b->outputs)))
        return rq_session_fail(s, RQ_ERR_INVALID_ARGUMENT, "a batch needs n_known >= 1, inputs and outputs");
    for (size_t i = 0; i < b->n_blocks; i++)
        if (!b->inputs[i] || (b->n_wanted && !b->outputs[i]))
            return rq_session_fail(s, RQ_ERR_INVALID_ARGUMENT, "block %zu's input or output is NULL", i);
    return RQ_OK;
}

static void code_block(batch_job *bj, uint8_t *rows, size_t i)
{
    const rq_batch *b = bj->b;
    const rq_batch_plan *p = &bj->plan;
    size_t T = b->symbol_size;
    rq_batch_plan_fill(p, rows, T, b->inputs[i], T);
    rq_batch_plan_replay(bj->job.ctx, p, bj->job.kernels, rows, T);
    if (p->n_wanted)
        memcpy(b->outputs[i], rows + (size_t)p->first_output * T, (size_t)p->n_wanted * T);
}

/*
 * Worker w codes blocks until none is left, in working rows from the
 * context's pool (fresh ones would cost a page fault per 4 KiB every call);
 * worker 0 (the caller's thread) reports.
 */
static void cpu_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    batch_job *bj = ctx;
    rq_rows_buf rows;
    if (rq_rows_get(rq_context_pool(bj->job.ctx), &rows, (size_t)bj->plan.rows * bj->b->symbol_size) != RQ_OK) {
        atomic_store(&bj->no_memory, 1);
        return;
    }
    size_t i;
    while (!atomic_load(&bj->stop) && rq_work_take(&bj->queue, &i)) {
        code_block(bj, rows.rows, i);
        size_t done = atomic_fetch_add(&bj->done, 1) + 1;
        if (rq_job_cancelled(&bj->job))
            atomic_store(&bj->stop, 1);
        if (w == 0 && bj->status == RQ_OK) {
            bj->status = rq_job_report(&bj->job, done, bj->b->n_blocks);
            if (bj->status != RQ_OK)
                atomic_store(&bj->stop, 1);
        }
    }
    rq_rows_put(&rows);
}

static rq_status run_on_cpu(batch_job *bj, uint32_t workers)
{
    rq_job *job = &bj->job;
    uint64_t bytes = (uint64_t)workers * bj->plan.rows * bj->b->symbol_size;
    rq_status st = rq_job_charge(job, bytes);
    if (st != RQ_OK)
        return st;
    rq_work_queue_init(&bj->queue, bj->b->n_blocks);
    rq_workers_run(workers, job->cfg.placement, cpu_worker, bj);
    rq_job_release(job, bytes);
    if (atomic_load(&bj->no_memory) && atomic_load(&bj->done) < bj->b->n_blocks)
        return rq_session_fail(job->s, RQ_ERR_NO_MEMORY, "no memory for a worker's %llu bytes of working rows",
                               (unsigned long long)bj->plan.rows * bj->b->symbol_size);
    if (bj->status != RQ_OK)
        return bj->status;
    return atomic_load(&bj->stop) ? rq_job_check_cancel(job) : RQ_OK;
}

#ifdef RQ_HAVE_CUDA
static int on_group(void *user, size_t blocks_done)
{
    batch_job *bj = user;
    bj->status = rq_job_report(&bj->job, blocks_done, bj->b->n_blocks);
    return bj->status != RQ_OK;
}

/* RQ_OK; RQ_ERR_BACKEND_UNAVAILABLE with the GPU's words in why; or the report's status. */
static rq_status run_on_gpu(batch_job *bj, uint64_t staging, size_t *group, char *why, size_t why_len)
{
    rq_status st = rq_job_charge(&bj->job, staging);
    if (st != RQ_OK)
        return st;
    const rq_batch *b = bj->b;
    int rc = rq_cuda_run_batch(&bj->plan, b->symbol_size, b->n_blocks, b->inputs, b->outputs, staging,
                               on_group, bj, group, why, why_len);
    rq_job_release(&bj->job, staging);
    if (rc > 0)
        return bj->status;
    return rc == 0 ? RQ_OK : RQ_ERR_BACKEND_UNAVAILABLE;
}
#endif

/* Workers the budget leaves room for, each with one block's rows; 0 when not even one fits. */
static uint32_t workers_within(const rq_job *job, const rq_batch_plan *p, size_t T, size_t n_blocks)
{
    uint64_t per = (uint64_t)p->rows * T;
    uint64_t room = rq_job_budget(job) > job->charged ? rq_job_budget(job) - job->charged : 0;
    uint64_t fit = per ? room / per : job->threads;
    uint64_t n = job->threads;
    n = n < fit ? n : fit;
    n = n < n_blocks ? n : n_blocks;
    return (uint32_t)(n ? n : (n_blocks ? 0 : 1));
}

static rq_status code_batch(batch_job *bj, rq_batch_result *r)
{
    rq_job *job = &bj->job;
    const rq_batch *b = bj->b;
    rq_batch_choice choice;
    rq_batch_choose(job, &bj->plan, b->symbol_size, b->n_blocks, &choice);
    r->device = choice.device;
    snprintf(r->reason, sizeof r->reason, "%s", choice.reason);
#ifdef RQ_HAVE_CUDA
    if (choice.device == RQ_BATCH_CUDA) {
        snprintf(r->backend, sizeof r->backend, "cuda");
        char why[120];
        rq_status st = run_on_gpu(bj, choice.staging, &r->blocks_per_group, why, sizeof why);
        if (st != RQ_ERR_BACKEND_UNAVAILABLE)
            return st;
        if (choice.forced)
            return rq_session_fail(job->s, st, "coding the batch on the GPU: %s", why);
        snprintf(r->reason, sizeof r->reason, "the GPU failed (%s); coded on the CPU", why);
        r->device = RQ_BATCH_CPU;
    }
#endif
    snprintf(r->backend, sizeof r->backend, "%s", job->kernels->name);
    uint32_t workers = workers_within(job, &bj->plan, b->symbol_size, b->n_blocks);
    if (workers == 0)
        return rq_session_fail(job->s, RQ_ERR_MEMORY_BUDGET,
                               "one block's working rows need %llu bytes; the budget leaves %llu "
                               "beside the plan",
                               (unsigned long long)bj->plan.rows * b->symbol_size,
                               (unsigned long long)(rq_job_budget(job) - job->charged));
    r->blocks_per_group = 1;
    return run_on_cpu(bj, workers);
}

static rq_status plan_failure(rq_session *s, rq_status st, const rq_batch *b)
{
    if (st == RQ_ERR_NEED_MORE_SYMBOLS)
        return rq_session_fail(s, st, "the %u known symbols do not determine a block of K = %u", b->n_known,
                               b->source_symbols);
    if (st == RQ_ERR_INVALID_ARGUMENT)
        return rq_session_fail(s, st, "ESIs must be below 2^24 and each listed once (known and wanted)");
    return rq_session_fail(s, st, "solving the batch's plan: %s", rq_strerror(st));
}

/*
 * A bound on the batch plan's bytes while it is made: the solve's (the plan
 * and the solver, runtime/job_memory.h), the plan's operations copied once
 * more, and each wanted symbol's encoding steps.
 */
static uint64_t batch_plan_bound(const rq_block_constants *c, uint32_t n_wanted)
{
    return 2 * rq_job_plan_bound(c) + (uint64_t)n_wanted * (c->W + 3) * sizeof(rq_op);
}

/* The job's plan, charged while it lives. */
static rq_status build_plan(batch_job *bj, const rq_block_constants *c, uint64_t *charged)
{
    const rq_batch *b = bj->b;
    rq_status st = rq_job_charge(&bj->job, *charged = batch_plan_bound(c, b->n_wanted));
    if (st == RQ_OK)
        st = rq_batch_plan_build(bj->job.ctx, c, b->known_esis, b->n_known, b->wanted_esis, b->n_wanted,
                                 &bj->plan);
    if (st != RQ_OK && st != RQ_ERR_MEMORY_BUDGET)
        return plan_failure(bj->job.s, st, b);
    return st;
}

rq_status rq_code_batch(rq_session *session, const rq_batch *batch, rq_batch_result *result)
{
    double t0 = rq_monotonic_seconds();
    rq_batch_result ignored;
    rq_batch_result *r = result ? result : &ignored;
    memset(r, 0, sizeof *r);
    rq_status st = check_batch(session, batch);
    rq_block_constants c;
    if (st == RQ_OK && rq_block_constants_for(batch->source_symbols, &c) != RQ_OK)
        st = rq_session_fail(session, RQ_ERR_INVALID_ARGUMENT, "K = %u is outside 1..56403",
                             batch->source_symbols);
    if (st != RQ_OK)
        return st;
    batch_job bj = {.b = batch};
    if ((st = rq_job_begin(session, &bj.job)) != RQ_OK)
        return st;
    uint64_t plan_bytes = 0;
    st = build_plan(&bj, &c, &plan_bytes);
    if (st == RQ_OK) {
        r->plan_ops = bj.plan.n_ops;
        st = code_batch(&bj, r);
    }
    rq_batch_plan_free(&bj.plan);
    rq_job_release(&bj.job, plan_bytes);
    rq_job_end(&bj.job);
    r->seconds = rq_monotonic_seconds() - t0;
    return st;
}

rq_status rq_batch_estimate(rq_session *session, uint32_t source_symbols, size_t symbol_size, size_t n_blocks,
                            uint32_t n_known, uint32_t n_wanted, rq_batch_result *result)
{
    rq_block_constants c;
    if (!session || !result || symbol_size == 0 || symbol_size > RQ_MAX_SYMBOL_SIZE ||
        rq_block_constants_for(source_symbols, &c) != RQ_OK ||
        n_known < source_symbols)
        return RQ_ERR_INVALID_ARGUMENT;
    memset(result, 0, sizeof *result);
    rq_job job;
    rq_status st = rq_job_begin(session, &job);
    if (st != RQ_OK)
        return st;
    rq_batch_plan p;
    st = rq_batch_plan_build(job.ctx, &c, NULL, c.K, NULL, 0, &p);
    if (st == RQ_OK) {
        /* Only the sizes matter: the encoding plan's operations stand for a decoding plan's. */
        p.n_known = n_known;
        p.n_wanted = n_wanted;
        rq_batch_choice choice;
        rq_batch_choose(&job, &p, symbol_size, n_blocks, &choice);
        result->device = choice.device;
        snprintf(result->backend, sizeof result->backend, "%s",
                 choice.device == RQ_BATCH_CUDA ? "cuda" : job.kernels->name);
        snprintf(result->reason, sizeof result->reason, "%s", choice.reason);
        rq_batch_plan_free(&p);
    }
    rq_job_end(&job);
    return st;
}
