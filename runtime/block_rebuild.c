/* Rebuilding a source block pass by pass (see block_rebuild.h). */
#include "runtime/block_rebuild.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/block_encoder.h"
#include "core/plan_cache.h"
#include "runtime/block_passes.h"
#include "runtime/fs_util.h"
#include "runtime/pass_engine.h"
#include "runtime/symbol_choice.h"
#include "runtime/units.h"


/* Reads what was checked, or marks the symbol gone (RQ_SYMBOL_GONE: the block is solved again). */
static rq_status read_slice(rq_decode_job *job, rq_held_symbol *h, size_t w0, size_t width, uint8_t *dst)
{
    const char *why = "";
    int r = rq_symbol_file_read(h->dir_fd, h->id, &h->identity, dst, width, 4u + w0, &why);
    if (r == 1) {
        h->gone = why;
        return RQ_SYMBOL_GONE;
    }
    if (r != 0)
        return rq_session_fail(job->job.s, RQ_ERR_IO, "reading symbol file %s: %s", h->id,
                               strerror(errno));
    return RQ_OK;
}

/* One source block's decode and what its passes' items share. */
typedef struct block_decode {
    rq_pass_engine e;
    rq_decode_job *job;
    const rq_layout_block *lb;
    const rq_block_choice *ch;
    const uint32_t *missing; /* source ESIs to rebuild */
    uint32_t n_missing;
    rq_blake3 *chunk_hash;
    rq_symbol_rebuild *rebuild; /* a repair's: the symbols it writes */
} block_decode;

static block_decode *decode_of(rq_pass_engine *e)
{
    return e->user;
}

/* Item k: the pass's slice of used symbol k, into its row (and the buffer if a source). */
static rq_status read_item(rq_pass_engine *e, uint32_t w, size_t k)
{
    block_decode *x = decode_of(e);
    const rq_block_choice *ch = x->ch;
    size_t W = e->pass->width;
    uint8_t *dst = e->plan ? e->rows + (size_t)rq_plan_input_row(e->plan, (uint32_t)k) * e->row_stride
                           : e->scratch + (size_t)w * e->scratch_stride;
    rq_status st = read_slice(x->job, ch->use[k], e->pass->w0, W, dst);
    if (st == RQ_OK && ch->use[k]->esi < ch->c.K)
        rq_row_to_pass(e->oti, e->pass, ch->c.K, ch->use[k]->esi, dst, e->buf);
    return st;
}

/*
 * Item m: missing source symbol missing[m], rebuilt from the intermediate
 * symbols, or already in its wanted row where the plan rebuilt it itself.
 */
static rq_status rebuild_item(rq_pass_engine *e, uint32_t w, size_t m)
{
    block_decode *x = decode_of(e);
    size_t W = e->pass->width;
    const uint8_t *symbol = rq_plan_wanted_symbol(e->plan, e->job->kernels, e->rows, e->row_stride,
                                                  (uint32_t)m, x->missing[m],
                                                  e->scratch + (size_t)w * e->scratch_stride, W);
    rq_row_to_pass(e->oti, e->pass, e->c->K, x->missing[m], symbol, e->buf);
    return RQ_OK;
}

/*
 * The one item writes the pass's bytes, all of them: writes to one file are
 * serialized by the kernel anyway, and two workers writing would only
 * contend for its lock. The chunk hash takes them meanwhile.
 */
static rq_status write_item(rq_pass_engine *e, uint32_t w, size_t item)
{
    (void)w;
    (void)item;
    block_decode *x = decode_of(e);
    if (e->real && rq_pwrite_full(x->job->out.fd, e->buf, e->real,
                                  x->lb->original_offset + e->start) != 0)
        return rq_session_fail(x->job->job.s, RQ_ERR_IO, "writing the output: %s", strerror(errno));
    return RQ_OK;
}

static rq_status fill_pass(rq_pass_engine *e)
{
    return rq_pass_stage(e, read_item, decode_of(e)->ch->n_use);
}

static rq_status take_pass(rq_pass_engine *e)
{
    block_decode *x = decode_of(e);
    rq_status st = e->plan ? rq_pass_stage(e, rebuild_item, x->n_missing) : RQ_OK;
    return st == RQ_OK ? rq_pass_stage_hashing(e, x->chunk_hash, write_item, 1) : st;
}

static const rq_pass_ops decode_pass_ops = {.fill = fill_pass, .take = take_pass};

/* Runs x's passes with ops, its buffers fitted to what the reservation leaves. */
static rq_status run_passes(block_decode *x, const rq_pass_ops *ops)
{
    rq_decode_job *job = x->job;
    rq_job *rj = &job->job;
    /* Scratch as large as the next chunk's scan wants too (a packet per
     * worker), so the buffers are not reallocated chunk after chunk. */
    uint64_t need = 0;
    rq_status st = rq_pass_engine_prepare(&x->e, &job->mem, rq_decode_room(job), 0,
                                          4u + x->lb->oti.symbol_size, &need);
    if (st == RQ_ERR_MEMORY_BUDGET)
        st = rq_session_fail(rj->s, RQ_ERR_MEMORY_BUDGET,
                             "block %s: a sub-block needs %llu MiB; the memory budget is %llu MiB",
                             x->lb->block_id, (unsigned long long)(need / RQ_MIB + 1),
                             (unsigned long long)(rq_job_budget(rj) / RQ_MIB));
    if (st == RQ_OK)
        st = rq_pass_engine_run(&x->e, ops);
    rq_pass_engine_release(&x->e);
    return st;
}

static rq_pass_engine block_engine(block_decode *x, const rq_block_layout *bl, const rq_plan *plan)
{
    rq_decode_job *job = x->job;
    return (rq_pass_engine){.job = &job->job, .oti = &x->lb->oti, .c = &x->ch->c, .plan = plan,
                            .n_filled = x->ch->n_use, .block_offset = bl->offset,
                            .chunk_size = x->lb->size, .done = &job->done, .total = job->total,
                            .user = x};
}

static rq_status decode_block(rq_decode_job *job, const rq_layout_block *lb, const rq_block_layout *bl,
                              const rq_block_choice *ch, rq_blake3 *hash)
{
    uint32_t K = ch->c.K;
    uint32_t *missing = malloc((size_t)K * sizeof *missing + 1);
    if (!missing)
        return RQ_ERR_NO_MEMORY;
    block_decode x = {.job = job, .lb = lb, .ch = ch, .missing = missing, .chunk_hash = hash};
    for (uint32_t i = 0; i < K; i++)
        if (!ch->have_source[i])
            missing[x.n_missing++] = i;
    x.e = block_engine(&x, bl, ch->plan);
    rq_status st = run_passes(&x, &decode_pass_ops);
    free(missing);
    return st;
}

/*
 * Item m of a repair: symbol rebuild->esis[m]'s slice, from the intermediate
 * symbols (or the plan's wanted row for it), staged.
 */
static rq_status repair_item(rq_pass_engine *e, uint32_t w, size_t m)
{
    block_decode *x = decode_of(e);
    const rq_symbol_rebuild *rb = x->rebuild;
    size_t W = e->pass->width;
    uint32_t esi = rb->esis[m];
    uint32_t isi = esi < e->c->K ? esi : esi + (e->c->K_prime - e->c->K);
    const uint8_t *slice = rq_plan_wanted_symbol(e->plan, e->job->kernels, e->rows, e->row_stride,
                                                 (uint32_t)m, isi,
                                                 e->scratch + (size_t)w * e->scratch_stride, W);
    if (rq_symbol_rebuild_put(rb, m, slice, e->pass->w0, W) != 0)
        return rq_session_fail(x->job->job.s, RQ_ERR_IO, "writing the repair's scratch file in %s: %s",
                               x->job->symbols_dir, strerror(errno));
    return RQ_OK;
}

static rq_status take_repair_pass(rq_pass_engine *e)
{
    return rq_pass_stage(e, repair_item, decode_of(e)->rebuild->n);
}

static const rq_pass_ops repair_pass_ops = {.fill = fill_pass, .take = take_repair_pass};

/*
 * Rebuilds the symbols rb names from the chosen ones into rb's staging file
 * (discarded again on failure). With every source symbol held there is no
 * decode plan: the encoding plan (the context's cached one) takes the
 * sources in ESI order.
 */
static rq_status stage_repair(rq_decode_job *job, const rq_layout_block *lb, const rq_block_layout *bl,
                              rq_block_choice *ch, rq_symbol_rebuild *rb)
{
    const rq_plan *cached = NULL;
    rq_status st = RQ_OK;
    if (!ch->plan) {
        qsort(ch->use, ch->n_source, sizeof *ch->use, rq_held_by_esi);
        st = rq_plan_cache_acquire(job->job.ctx, ch->c.K_prime, &cached);
    }
    block_decode x = {.job = job, .lb = lb, .ch = ch, .rebuild = rb};
    x.e = block_engine(&x, bl, ch->plan ? ch->plan : cached);
    if (st == RQ_OK && rq_symbol_rebuild_open(rb, job->symbols_dir) != 0)
        st = rq_session_fail(job->job.s, RQ_ERR_IO, "creating the repair's scratch file in %s: %s",
                             job->symbols_dir, strerror(errno));
    if (st == RQ_OK)
        st = run_passes(&x, &repair_pass_ops);
    if (st != RQ_OK)
        rq_symbol_rebuild_discard(rb);
    if (cached)
        rq_plan_cache_release(job->job.ctx, cached);
    return st;
}

rq_status rq_block_process(rq_decode_job *job, const rq_layout_block *lb, uint32_t sbn,
                           rq_chunk_mode mode, rq_chunk_scan *scan, rq_blake3 *hash,
                           rq_symbol_rebuild *rb, int *staged, rq_chunk_report *report)
{
    int decode = mode != RQ_CHUNK_VERIFY;
    rq_block_layout bl;
    rq_oti_block_layout(&lb->oti, sbn, &bl);
    /* One reservation per block, made before the solve: the plan and,
     * when decoding, the pass buffers (runtime/job_memory.h). */
    rq_block_constants c;
    rq_params_for(bl.source_symbols, &c);
    uint64_t reserved = decode ? rq_job_block_reservation(&job->job, &c, lb->oti.symbol_size,
                                                          c.K_prime + RQ_DECODE_EXTRA_SYMBOLS)
                               : rq_job_plan_bound(&c);
    rq_status st = rq_decode_reserve(job, reserved);
    rq_blake3 hash_before = *hash;
    uint64_t done_before = job->done;
    while (st == RQ_OK) {
        rq_block_choice ch;
        rq_block_wants wants = {.missing_sources = mode == RQ_CHUNK_DECODE,
                                .esis = rb ? rb->esis : NULL, .n_esis = rb ? (uint32_t)rb->n : 0};
        st = rq_block_choose(job->job.ctx, scan, sbn, bl.source_symbols,
                             mode == RQ_CHUNK_VERIFY ? NULL : &wants, &ch);
        if (st == RQ_OK && ch.needed) {
            report->decodable = 0;
            report->needed += ch.needed;
        }
        if (st == RQ_OK && mode == RQ_CHUNK_DECODE && report->decodable)
            st = decode_block(job, lb, &bl, &ch, hash);
        if (st == RQ_OK && mode == RQ_CHUNK_REPAIR && !ch.needed) {
            st = stage_repair(job, lb, &bl, &ch, rb);
            *staged = st == RQ_OK;
        }
        rq_block_choice_free(&ch);
        if (st != RQ_SYMBOL_GONE)
            break;
        rq_chunk_scan_count_gone(scan);
        *hash = hash_before;
        job->done = done_before;
        st = RQ_OK;
    }
    return st;
}
