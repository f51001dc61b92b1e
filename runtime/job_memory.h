/*
 * What a file job reserves from its budgets, and how it cuts a block into
 * passes inside that reservation.
 *
 * A job holds at most one reservation at a time and makes it in one charge
 * (runtime/budget.h): a job that held part of its memory while waiting for
 * more could wait forever on another job doing the same. So each source
 * block reserves, before it allocates anything, a bound on its plan (and the
 * solver's scratch) plus its pass buffers; the passes are then cut to fit
 * what is left of the reservation once the plan's real size is known.
 *
 * The buffers and the reservation stay with the job from block to block
 * (fresh buffers for every block would cost a page fault per 4 KiB each
 * time). When a block needs more than the job holds, the job first frees
 * its buffers and returns its reservation, then charges the larger amount.
 */
#ifndef RQ_RUNTIME_JOB_MEMORY_H
#define RQ_RUNTIME_JOB_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"
#include "core/row_pool.h"
#include "rq/rq_file.h"
#include "runtime/block_passes.h"

typedef struct rq_job rq_job; /* runtime/session_internal.h */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Upper bound on the bytes a plan for L intermediate symbols and the solver
 * building it hold at once. Measured plans take about 230 bytes per
 * intermediate symbol at K' = 56403 (test_scheduler checks the bound).
 */
uint64_t rq_job_plan_bound(const rq_block_constants *c);

/*
 * Bytes a block of constants c needs to be coded in one pass of symbols of
 * T bytes by `workers` workers, with n_inputs known symbols, in ctx (NULL:
 * with the default parameters).
 */
uint64_t rq_job_single_pass_bytes(const rq_context *ctx, const rq_block_constants *c, uint32_t T,
                                  uint32_t workers, uint32_t n_inputs);

/* Per-worker scratch a pass needs besides its rows: one symbol slice and one packet. */
uint64_t rq_job_worker_bytes(uint32_t T, uint32_t workers);

/*
 * Bytes a block of constants c, symbol size T and n_inputs known symbols
 * reserves: everything it would need to code in one pass, capped at what
 * one job may hold.
 */
uint64_t rq_job_block_reservation(const rq_job *job, const rq_block_constants *c, uint32_t T,
                                  uint32_t n_inputs);

/*
 * Cuts the block into passes that fit `reserved` once the plan (built) and
 * the per-worker scratch are counted. Returns the number of passes, 0 when
 * one sub-block does not fit (then *need is what it would take), as
 * rq_plan_passes.
 */
size_t rq_job_block_passes(const rq_job *job, const rq_oti *oti, const rq_plan *plan,
                           uint32_t K, uint64_t reserved, rq_pass *out, uint64_t *need);

/* Buffers a job reuses from block to block, and the reservation covering them. */
typedef struct rq_job_buffers {
    uint64_t reserved;
    uint8_t *rows, *buf, *scratch;
    size_t rows_cap, buf_cap, scratch_cap; /* as asked: what the reservation covers */
    rq_rows_buf rows_mem, buf_mem;         /* where rows and buf lie (huge pages when large) */
    int untouched; /* rows and buf were just allocated: no page is placed yet */
} rq_job_buffers;

/* Ensures the job holds a reservation of at least bytes (see above). */
rq_status rq_job_buffers_reserve(rq_job *job, rq_job_buffers *b, uint64_t bytes);
/*
 * Gives the buffers at least these sizes. If one is too small, all three
 * are reallocated to these sizes, so that what the job holds is never more
 * than one block's needs (which rq_job_block_passes fitted into the
 * reservation): rows and buf from 4 MiB in huge pages, whose last one is
 * resident whole (up to 2 MiB past the size each). RQ_ERR_NO_MEMORY.
 */
rq_status rq_job_buffers_fit(rq_job_buffers *b, size_t rows, size_t buf, size_t scratch);
/*
 * After a fit that allocated: the workers first touch the pages of rows and
 * buf together. A buffer in small pages: every worker writes (zeroes) its own
 * column share (rq_column_share of width) of every row (row_stride apart in
 * rows, width apart in buf), so that each page is placed on the NUMA node
 * of the worker that replays those columns.
 * A buffer mapped for huge pages: a huge page holds whole rows, so no worker
 * can have its columns to itself; on a machine of one NUMA node (or with
 * placement off) the workers take every n-th huge page instead, so that they
 * zero different pages at once; on several nodes they keep to their column
 * shares, which places small pages right when the kernel gives no huge ones.
 * Nothing when nothing was allocated.
 */
void rq_job_buffers_place(rq_job *job, rq_job_buffers *b, size_t row_stride, size_t width);
/* Frees the buffers and returns the reservation. */
void rq_job_buffers_free(rq_job *job, rq_job_buffers *b);

/* Repair symbols a decode uses beyond K when it has them (fewer failed solves). */
#define RQ_DECODE_EXTRA_SYMBOLS 8u

#ifdef __cplusplus
}
#endif

#endif
