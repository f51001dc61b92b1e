#include "pass_engine_probe.h"

#include <stdlib.h>

#include "core/params.h"
#include "core/plan.h"
#include "runtime/job_memory.h"
#include "runtime/pass_engine.h"
#include "runtime/session_internal.h"

static void prepare(rq_job *job, uint32_t K, uint32_t T, pass_engine_probe *out)
{
    rq_block_constants c;
    uint32_t *isis = NULL;
    rq_plan *plan = NULL;
    out->status = rq_params_for(K, &c);
    if (out->status == RQ_OK)
        isis = malloc(c.K_prime * sizeof *isis);
    if (out->status == RQ_OK && !isis)
        out->status = RQ_ERR_NO_MEMORY;
    for (uint32_t i = 0; out->status == RQ_OK && i < c.K_prime; i++)
        isis[i] = i;
    if (out->status == RQ_OK)
        out->status = rq_plan_build(job->ctx, &c, isis, c.K_prime, &plan);
    free(isis);
    if (out->status != RQ_OK)
        return;
    rq_oti oti = {(uint64_t)T * K, T, 1, 1, 8};
    rq_job_buffers mem = {0};
    rq_pass_engine e = {.job = job, .oti = &oti, .c = &c, .plan = plan, .n_filled = K};
    uint64_t need = 0;
    out->room = rq_job_single_pass_bytes(job->ctx, &c, T, job->threads, c.K_prime);
    out->status = rq_pass_engine_prepare(&e, &mem, out->room, 0, 4u + T, &need);
    out->n_passes = e.n_passes;
    out->row_stride = e.row_stride;
    out->plan_rows = plan->rows;
    out->plan_bytes = rq_plan_bytes(plan);
    out->rows_cap = mem.rows_cap;
    out->buf_cap = mem.buf_cap;
    out->scratch_cap = mem.scratch_cap;
    rq_pass_engine_release(&e);
    rq_job_buffers_free(job, &mem);
    rq_plan_free(plan);
}

pass_engine_probe probe_pass_engine(uint32_t K, uint32_t T)
{
    pass_engine_probe out = {0};
    rq_session *s = NULL;
    out.status = rq_session_create(&s);
    if (out.status == RQ_OK)
        out.status = rq_session_set(s, RQ_SESSION_THREADS, 2);
    rq_job job;
    if (out.status == RQ_OK)
        out.status = rq_job_begin(s, &job);
    if (out.status == RQ_OK) {
        prepare(&job, K, T, &out);
        rq_job_end(&job);
    }
    rq_session_destroy(s);
    return out;
}
