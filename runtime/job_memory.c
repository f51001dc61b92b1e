/* Reservations and passes of file jobs (see job_memory.h). */
#include "runtime/job_memory.h"

#include <stdlib.h>
#include <string.h>

#include "core/params.h"
#include "core/plan.h"
#include "runtime/session_internal.h"
#include "runtime/topology.h"
#include "runtime/workers.h"
#include "runtime/units.h"


uint64_t rq_job_plan_bound(const rq_block_constants *c)
{
    /* ~4x the measured plan size: the solver's sparse rows, column lists,
     * bit rows of Z and the op list's growth while it is built. */
    return 1024ull * c->L + RQ_MIB;
}

uint64_t rq_job_worker_bytes(uint32_t T, uint32_t workers)
{
    return (uint64_t)workers * (2ull * T + 4u);
}

/* Rows of the working buffer of a plan for n_inputs symbols (core/plan.h). */
static uint64_t rows_bound(const rq_block_constants *c, uint32_t n_inputs)
{
    return (uint64_t)c->S + c->H + n_inputs + 1;
}

/*
 * Scratch the workers' replays take besides the working rows: each keeps up
 * to one row per intermediate symbol, one stripe wide, nor wider than the
 * worker's column share (core/plan.h: rq_plan_scratch_bound). So for passes
 * of width W the workers hold at most the smaller of L * W (their shares
 * together) and `threads` times that bound.
 */
static uint64_t replay_scratch_cap(const rq_context *ctx, const rq_block_constants *c,
                                   uint32_t threads)
{
    return threads * rq_plan_scratch_bound(ctx, c->L);
}

uint64_t rq_job_single_pass_bytes(const rq_context *ctx, const rq_block_constants *c, uint32_t T,
                                  uint32_t workers, uint32_t n_inputs)
{
    uint64_t per_byte = rows_bound(c, n_inputs) + c->K + workers;
    uint64_t scratch = replay_scratch_cap(ctx, c, workers);
    if (scratch > (uint64_t)c->L * T)
        scratch = (uint64_t)c->L * T;
    return rq_job_plan_bound(c) + rq_job_worker_bytes(T, workers) + scratch + per_byte * T +
           rows_bound(c, n_inputs) * (rq_row_stride(T) - T);
}

uint64_t rq_job_block_reservation(const rq_job *job, const rq_block_constants *c, uint32_t T,
                                  uint32_t n_inputs)
{
    uint64_t want = rq_job_single_pass_bytes(job->ctx, c, T, job->threads, n_inputs);
    uint64_t cap = rq_job_budget(job);
    return want < cap ? want : cap;
}

size_t rq_job_block_passes(const rq_job *job, const rq_oti *oti, const rq_plan *plan,
                           uint32_t K, uint64_t reserved, rq_pass *out, uint64_t *need)
{
    uint64_t fixed = rq_job_worker_bytes(oti->symbol_size, job->threads) +
                     (plan ? rq_plan_bytes(plan) : 0);
    uint64_t per_byte = (plan ? plan->rows : 0) + (uint64_t)K + job->threads;
    uint32_t rows = plan ? plan->rows : 0;
    if (!plan || !plan->scratch_rows) {
        uint64_t room = reserved > fixed ? reserved - fixed : 0;
        size_t n = rq_plan_passes(oti, per_byte, rows, room, out, need);
        if (n == 0)
            *need += fixed;
        return n;
    }
    /* The replay scratch either as its cap (wide passes) or as L bytes per
     * byte of width (narrow ones); whichever gives fewer passes. */
    const rq_block_constants *c = &plan->constants;
    uint64_t cap = replay_scratch_cap(job->ctx, c, job->threads);
    uint64_t room_a = reserved > fixed + cap ? reserved - fixed - cap : 0;
    uint64_t room_b = reserved > fixed ? reserved - fixed : 0;
    uint64_t need_a = 0, need_b = 0;
    size_t n_a = rq_plan_passes(oti, per_byte, rows, room_a, out, &need_a);
    size_t n_b = rq_plan_passes(oti, per_byte + c->L, rows, room_b, out, &need_b);
    if (n_b != 0 && (n_a == 0 || n_b < n_a))
        return n_b;
    if (n_a == 0) {
        *need = fixed + (need_b < need_a + cap ? need_b : need_a + cap);
        return 0;
    }
    return rq_plan_passes(oti, per_byte, rows, room_a, out, &need_a); /* out now holds b's: redo a */
}

static void free_buffers(rq_job_buffers *b)
{
    rq_rows_put(&b->rows_mem);
    rq_rows_put(&b->buf_mem);
    free(b->scratch);
    b->rows = b->buf = b->scratch = NULL;
    b->rows_cap = b->buf_cap = b->scratch_cap = 0;
}

rq_status rq_job_buffers_reserve(rq_job *job, rq_job_buffers *b, uint64_t bytes)
{
    if (bytes <= b->reserved)
        return RQ_OK;
    free_buffers(b);
    rq_job_release(job, b->reserved);
    b->reserved = 0;
    rq_status st = rq_job_charge(job, bytes);
    if (st == RQ_OK)
        b->reserved = bytes;
    return st;
}

rq_status rq_job_buffers_fit(rq_job_buffers *b, size_t rows, size_t buf, size_t scratch)
{
    if (rows <= b->rows_cap && buf <= b->buf_cap && scratch <= b->scratch_cap)
        return RQ_OK;
    free_buffers(b);
    /* Not malloc: rows and buf are first touched all at once, and in 4 KiB pages that costs
     * more than the decode of a large block; rq_rows_get maps large buffers in huge pages. */
    rq_status st = rq_rows_get(NULL, &b->rows_mem, rows);
    if (st == RQ_OK)
        st = rq_rows_get(NULL, &b->buf_mem, buf);
    b->rows = b->rows_mem.rows;
    b->buf = b->buf_mem.rows;
    b->scratch = malloc(scratch ? scratch : 1);
    if (st != RQ_OK || !b->scratch) {
        free_buffers(b);
        return RQ_ERR_NO_MEMORY;
    }
    b->rows_cap = rows;
    b->buf_cap = buf;
    b->scratch_cap = scratch;
    b->untouched = 1;
    return RQ_OK;
}

typedef struct place_ctx {
    rq_job_buffers *b;
    size_t row_stride, width; /* rows are row_stride apart, buf's width apart */
    int by_huge_page; /* mapped buffers: each worker its own huge pages (else column shares) */
} place_ctx;

static void touch_share(uint8_t *area, size_t bytes, size_t step, size_t from, size_t len)
{
    for (size_t row = 0; row * step + from + len <= bytes; row++)
        memset(area + row * step + from, 0, len);
}

/*
 * Worker w of n touches huge pages w, w + n, ... of area: one byte per 4 KiB,
 * which faults a whole huge page in where the kernel gave one (and every
 * small page where it did not). Were every worker to touch its columns of
 * every row, all of them would fault the same huge pages and wait on each
 * other while one zeroes it. Only where there is one NUMA node (or placement
 * is off): where the kernel gave small pages, this places them by huge page
 * instead of by the columns each worker replays.
 */
static void touch_huge_pages(uint8_t *area, size_t bytes, uint32_t w, uint32_t n)
{
    const size_t huge = RQ_HUGE_PAGE_BYTES;
    for (size_t at = (size_t)w * huge; at < bytes; at += (size_t)n * huge) {
        size_t end = at + huge < bytes ? at + huge : bytes;
        for (size_t p = at; p < end; p += RQ_SMALL_PAGE_BYTES)
            area[p] = 0;
    }
}

/* Places one buffer: by huge pages when it was mapped for them (see above), else by column shares. */
static void place_area(const place_ctx *x, const rq_rows_buf *mem, uint8_t *area, size_t bytes,
                       size_t step, uint32_t w, uint32_t n)
{
    if (rq_rows_huge_mapped(mem) && x->by_huge_page) {
        touch_huge_pages(area, bytes, w, n);
        return;
    }
    size_t from, len;
    rq_column_share(x->width, w, n, &from, &len);
    if (len)
        touch_share(area, bytes, step, from, len);
}

static void place_worker(void *ctx, uint32_t w, uint32_t n)
{
    place_ctx *x = ctx;
    place_area(x, &x->b->rows_mem, x->b->rows, x->b->rows_cap, x->row_stride, w, n);
    place_area(x, &x->b->buf_mem, x->b->buf, x->b->buf_cap, x->width, w, n);
}

void rq_job_buffers_place(rq_job *job, rq_job_buffers *b, size_t row_stride, size_t width)
{
    if (!b->untouched || width == 0)
        return;
    b->untouched = 0;
    rq_topology_summary machine;
    rq_topology_summarize(rq_topology_system(), &machine);
    place_ctx x = {b, row_stride, width, machine.numa_nodes == 1 || job->cfg.placement == RQ_PLACEMENT_NONE};
    rq_workers_run(job->threads, job->cfg.placement, place_worker, &x);
}

void rq_job_buffers_free(rq_job *job, rq_job_buffers *b)
{
    free_buffers(b);
    rq_job_release(job, b->reserved);
    b->reserved = 0;
}
