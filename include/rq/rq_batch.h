/*
 * librq batches: many source blocks of one K and T coded on one plan, and
 * many file jobs run side by side under one budget (rq_run_file_jobs).
 *
 * Blocks that share K, T and the set of symbols they hold share the solve:
 * rq_code_batch solves once and replays the result over every block. It
 * covers encoding (the blocks hold their K source symbols and want repair
 * symbols), decoding (they hold the same surviving symbols, as after a disk
 * holding one ESI of every block died, and want the lost source symbols) and
 * repair in one step (they want lost repair symbols back).
 *
 * Where it runs: on the CPU with the session's worker threads, a block per
 * worker at a time, or on a CUDA GPU (blocks in groups sized to the GPU's
 * free memory, page-locked staging, two groups in flight so copies overlap
 * the replay). With the context's backend RQ_BACKEND_AUTO a cost model picks
 * the GPU when one is usable and the batch is large enough that the copies
 * pay; RQ_BACKEND_CUDA always uses it; any other backend keeps the batch on
 * that CPU backend. rq_batch_estimate says what the model would pick and
 * why. The output is the same bytes wherever it runs.
 *
 * A batch runs as one of the session's jobs: it takes a slot under the
 * concurrency limit, charges its working rows (and, on the GPU, its
 * staging) to the session's and the process's budget before allocating
 * them, reports progress in blocks done of all, and stops with
 * RQ_ERR_CANCELLED on rq_session_cancel or when the progress callback asks.
 */
#ifndef RQ_RQ_BATCH_H
#define RQ_RQ_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"
#include "rq/rq_file.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_batch {
    uint32_t source_symbols; /* K of every block, 1..56403 */
    size_t symbol_size;      /* T, bytes of every symbol, 1..65535 */
    size_t n_blocks;
    /*
     * The ESIs every block holds, in the order its input has them, each
     * once; NULL: the K source symbols in order (n_known must then be K).
     */
    const uint32_t *known_esis;
    uint32_t n_known;
    const uint8_t *const *inputs; /* n_blocks pointers to n_known * T bytes */
    const uint32_t *wanted_esis;  /* the ESIs to make, each once (source or repair) */
    uint32_t n_wanted;
    uint8_t *const *outputs;      /* n_blocks pointers to n_wanted * T bytes */
} rq_batch;

/* Where a batch runs, for rq_batch_result and rq_batch_estimate. */
typedef enum rq_batch_device {
    RQ_BATCH_CPU = 0,
    RQ_BATCH_CUDA = 1
} rq_batch_device;

typedef struct rq_batch_result {
    rq_batch_device device;
    char backend[16];         /* the kernels that ran it: "avx2", "cuda" */
    size_t blocks_per_group;  /* blocks coded together (per worker on the CPU: 1) */
    uint64_t plan_ops;        /* row operations per block */
    double seconds;           /* wall time of the call */
    char reason[160];         /* why this device (the cost model's words) */
} rq_batch_result;

/*
 * Codes the batch. RQ_ERR_SYMBOL_SIZE for a T out of range;
 * RQ_ERR_INVALID_ARGUMENT for NULL pointers, a K out of range, repeated or
 * out-of-range ESIs; RQ_ERR_NEED_MORE_SYMBOLS when
 * the known symbols do not determine the blocks (nothing is written);
 * RQ_ERR_MEMORY_BUDGET when one block's working rows do not fit the budget;
 * RQ_ERR_BACKEND_UNAVAILABLE when RQ_BACKEND_CUDA is set and the GPU fails;
 * RQ_ERR_CANCELLED. On an error the outputs of some blocks may be written
 * and the rest untouched. result may be NULL.
 */
RQ_API rq_status rq_code_batch(rq_session *session, const rq_batch *batch, rq_batch_result *result);

/*
 * What rq_code_batch would do for n_blocks blocks of K source symbols of T
 * bytes holding n_known symbols and wanting n_wanted, without coding:
 * device, backend and reason (blocks_per_group, plan_ops and seconds 0).
 * The cost model counts the plan's operations: this takes the cached
 * encoding plan of K' (solving it the first time), whose count stands for a
 * decoding plan's too. RQ_ERR_INVALID_ARGUMENT for n_known < K.
 */
RQ_API rq_status rq_batch_estimate(rq_session *session, uint32_t source_symbols, size_t symbol_size,
                                   size_t n_blocks, uint32_t n_known, uint32_t n_wanted,
                                   rq_batch_result *result);

/* ------------------------------------------------------------------------ */
/* File jobs side by side (what `rq batch MANIFEST` runs)                    */
/* ------------------------------------------------------------------------ */

typedef enum rq_job_op {
    RQ_JOB_ENCODE = 0,  /* rq_encode_file(input, output) */
    RQ_JOB_DECODE = 1,  /* rq_decode_symbols(input, output, layout) */
    RQ_JOB_VERIFY = 2,  /* rq_verify_symbols(input, layout) */
    RQ_JOB_REPAIR = 3,  /* rq_repair_symbols(input, layout) */
    RQ_JOB_REENCODE = 4 /* rq_reencode_symbols(input, layout, output) */
} rq_job_op;

/* One session setting a job changes (RQ_SESSION_REDUNDANCY as a double, the rest whole numbers). */
typedef struct rq_job_setting {
    rq_session_param param;
    double value;
} rq_job_setting;

typedef struct rq_file_job {
    rq_job_op op;
    const char *input, *output, *layout; /* output and layout NULL where the op has none or the default */
    const rq_job_setting *settings;
    size_t n_settings;
    uint64_t bytes; /* the job's size: one of large_bytes or more runs alone */
} rq_file_job;

/* What became of a job. */
typedef struct rq_file_job_outcome {
    int ran;              /* 0: not started (fail_fast after a failure, or cancelled) */
    rq_status status;
    char message[1024];   /* the session's message for a failure */
    rq_file_result result; /* the job's result (free with rq_file_result_free) */
    double seconds;
} rq_file_job_outcome;

/* Called as each job ends, one call at a time, from the thread that ran it. */
typedef void (*rq_job_done_fn)(void *user, size_t index, const rq_file_job_outcome *outcome);

typedef struct rq_jobs_options {
    uint32_t concurrency; /* small jobs at once, one worker thread each; 0: the cores */
    uint64_t large_bytes; /* a job this large waits for the others and runs with every core; 0: none */
    int fail_fast;        /* start no job after one failed */
    rq_job_done_fn done;  /* may be NULL */
    void *user;
} rq_jobs_options;

/*
 * Runs the jobs in index order as slots free up, each in a session of its
 * own made in session's context with session's settings, then one worker
 * thread (every core for a large job), then the job's settings; every job
 * charges its own session's budget (session's memory_budget) and the
 * process's, so rq_process_set_memory_budget bounds them together, a job
 * waiting for memory rather than failing. A failed job does not stop the
 * others unless fail_fast. session's progress callback gets (jobs ended,
 * n_jobs) as jobs end and, while they run, now and then from any of the
 * threads: nonzero (or rq_session_cancel on session) cancels the running
 * jobs and starts no more. outcomes (n_jobs of them) are filled; free each
 * result with rq_file_result_free. Returns RQ_OK when every job ran and
 * succeeded, RQ_ERR_CANCELLED once cancelled, else the status of the first
 * job in index order that failed; RQ_ERR_INVALID_ARGUMENT for NULL pointers
 * or a job without an input (nothing runs).
 */
RQ_API rq_status rq_run_file_jobs(rq_session *session, const rq_file_job *jobs, size_t n_jobs,
                                  const rq_jobs_options *options, rq_file_job_outcome *outcomes);

#ifdef __cplusplus
}
#endif

#endif /* RQ_RQ_BATCH_H */
