/*
 * The batch cost model (runtime/batch_cost.h). The CPU's rates were measured
 * with bench/bench_batch ("row-op bytes per second, one worker"; see
 * bench/RESULTS.md, Batches); the GPU's are estimates from an H100's
 * published bandwidths until a device run measures them (the same program
 * prints them).
 */
#include <stdio.h>
#include <string.h>

#include "core/context.h"
#include "runtime/batch_cost.h"
#include "runtime/dispatch.h"
#ifdef RQ_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

/*
 * Bytes of row operations (an op over T bytes counts T) one CPU worker
 * replays per second: the SIMD backends' figure for rows that do not stay
 * in cache (the slower case: in-cache rows go faster), and scalar's.
 */
#define CPU_OP_BYTES_PER_S 4.0e10
#define CPU_SCALAR_OP_BYTES_PER_S 1.5e10
/*
 * The same for the whole GPU once it has GPU_FULL_THREADS 16-byte columns
 * to run (fewer leave its cores idle: the rate scales down with them), and
 * the bus's bytes per second with page-locked memory.
 */
#define GPU_OP_BYTES_PER_S 5.0e11
#define GPU_FULL_THREADS 131072.0
#define BUS_BYTES_PER_S 2.0e10
/* The calling thread's copies between the caller's buffers and the staging. */
#define STAGING_BYTES_PER_S 8.0e9
/* Allocating device memory and page-locking the staging, per run and per byte staged. */
#define GPU_START_S 5.0e-3
#define PIN_BYTES_PER_S 5.0e9
/* At most this much page-locked staging per run: locking pages is slow and takes RAM from others. */
#define STAGING_MAX (512ull << 20)
/* The GPU must be this much faster by the model: its figures are coarser. */
#define GPU_MARGIN 0.8

static double cpu_seconds(const rq_kernels *k, const rq_batch_plan *p, size_t T, size_t n_blocks,
                          uint32_t workers)
{
    double rate = strcmp(k->name, "scalar") ? CPU_OP_BYTES_PER_S : CPU_SCALAR_OP_BYTES_PER_S;
    uint32_t busy = n_blocks < workers ? (uint32_t)(n_blocks ? n_blocks : 1) : workers;
    return (double)n_blocks * (double)p->n_ops * (double)T / (rate * busy);
}

static uint64_t staging_bytes(const rq_job *job, const rq_batch_plan *p, size_t T, size_t n_blocks)
{
    uint64_t want = ((uint64_t)p->n_known + p->n_wanted) * T * n_blocks;
    uint64_t room = rq_job_budget(job) > job->charged ? rq_job_budget(job) - job->charged : 0;
    want = want < room ? want : room;
    return want < STAGING_MAX ? want : STAGING_MAX;
}

static double gpu_seconds(const rq_batch_plan *p, size_t T, size_t n_blocks, uint64_t staging)
{
    double moved = (double)n_blocks * ((double)p->n_known + p->n_wanted) * (double)T;
    double columns = (double)n_blocks * (double)((T + 15) / 16);
    double rate = GPU_OP_BYTES_PER_S * (columns < GPU_FULL_THREADS ? columns / GPU_FULL_THREADS : 1.0);
    double replay = (double)n_blocks * (double)p->n_ops * (double)T / rate;
    double bus = moved / BUS_BYTES_PER_S, host = moved / STAGING_BYTES_PER_S;
    double slowest = replay > bus ? replay : bus;
    slowest = slowest > host ? slowest : host;
    return GPU_START_S + (double)staging / PIN_BYTES_PER_S + slowest;
}

static void choose_by_model(const rq_job *job, const rq_batch_plan *p, size_t T, size_t n_blocks,
                            rq_batch_choice *out)
{
#ifdef RQ_HAVE_CUDA
    const char *why;
    uint64_t free_bytes = 0, total = 0;
    if (!rq_cuda_probe(&why)) {
        snprintf(out->reason, sizeof out->reason, "%s", why);
        return;
    }
    if (!rq_cuda_memory(&free_bytes, &total) || 2ull * p->rows * ((T + 15) / 16 * 16) > free_bytes) {
        snprintf(out->reason, sizeof out->reason, "two blocks' rows do not fit the GPU's free memory");
        return;
    }
    out->staging = staging_bytes(job, p, T, n_blocks);
    out->gpu_s = gpu_seconds(p, T, n_blocks, out->staging);
    int gpu = out->gpu_s < GPU_MARGIN * out->cpu_s;
    out->device = gpu ? RQ_BATCH_CUDA : RQ_BATCH_CPU;
    snprintf(out->reason, sizeof out->reason, "cost model: GPU ~%.3g s against %u %s workers ~%.3g s",
             out->gpu_s, job->threads, job->kernels->name, out->cpu_s);
#else
    (void)job, (void)p, (void)T, (void)n_blocks;
    snprintf(out->reason, sizeof out->reason, "this build has no CUDA backend");
#endif
}

void rq_batch_choose(const rq_job *job, const rq_batch_plan *p, size_t T, size_t n_blocks, rq_batch_choice *out)
{
    *out = (rq_batch_choice){.device = RQ_BATCH_CPU};
    int64_t backend = rq_context_param(job->ctx, RQ_PARAM_BACKEND);
    out->cpu_s = cpu_seconds(job->kernels, p, T, n_blocks, job->threads);
    if (backend == RQ_BACKEND_CUDA) {
        out->device = RQ_BATCH_CUDA;
        out->forced = 1;
        out->staging = staging_bytes(job, p, T, n_blocks);
        snprintf(out->reason, sizeof out->reason, "the context's backend is cuda");
    } else if (backend != RQ_BACKEND_AUTO) {
        snprintf(out->reason, sizeof out->reason, "the context's backend is %s",
                 rq_dispatch_name((rq_backend_id)backend));
    } else {
        choose_by_model(job, p, T, n_blocks, out);
    }
}
