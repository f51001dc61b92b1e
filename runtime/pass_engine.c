/* The pass engine (see pass_engine.h). */
#include "runtime/pass_engine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/workers.h"

rq_status rq_pass_engine_prepare(rq_pass_engine *e, rq_job_buffers *mem, uint64_t room,
                                 size_t scratch_extra, size_t scratch_min, uint64_t *need)
{
    uint32_t K = e->c->K;
    e->passes = malloc((size_t)e->oti->sub_blocks * sizeof *e->passes);
    if (!e->passes)
        return RQ_ERR_NO_MEMORY;
    *need = 0;
    e->n_passes = rq_job_block_passes(e->job, e->oti, e->plan, K, room, e->passes, need);
    if (e->n_passes == 0)
        return RQ_ERR_MEMORY_BUDGET;
    e->wmax = 0;
    for (size_t i = 0; i < e->n_passes; i++)
        e->wmax = e->passes[i].width > e->wmax ? e->passes[i].width : e->wmax;
    e->scratch_stride = e->wmax + scratch_extra > scratch_min ? e->wmax + scratch_extra : scratch_min;
    e->row_stride = rq_row_stride(e->wmax);
    size_t rows = e->plan ? (size_t)e->plan->rows * e->row_stride : 0;
    size_t whole = (size_t)K * e->wmax, pieces = (2 + (size_t)e->job->threads) * RQ_PASS_PIECE;
    e->buf_whole = !e->piecewise || whole <= pieces;
    rq_status st = rq_job_buffers_fit(mem, rows, e->buf_whole ? whole : pieces,
                                      e->scratch_stride * e->job->threads);
    if (st != RQ_OK)
        return st;
    rq_job_buffers_place(e->job, mem, e->row_stride, e->wmax);
    e->rows = mem->rows;
    e->buf = mem->buf;
    e->scratch = mem->scratch;
    return RQ_OK;
}

void rq_pass_engine_release(rq_pass_engine *e)
{
    free(e->passes);
    e->passes = NULL;
    e->n_passes = 0;
}

/* Items from own_items on hash the chunk hash's subtrees. */
static void item_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    rq_pass_engine *e = ctx;
    size_t item;
    while (rq_stage_take(&e->stage, &item)) {
        rq_status st = RQ_OK;
        if (item >= e->own_items)
            rq_split_hash_item(&e->hash, item - e->own_items);
        else
            st = e->item(e, w, item);
        if (st != RQ_OK)
            rq_stage_fail(&e->stage, st);
    }
}

rq_status rq_pass_stage(rq_pass_engine *e, rq_pass_item_fn fn, size_t items)
{
    e->item = fn;
    e->own_items = items;
    return rq_stage_run(&e->stage, e->job, item_worker, e, items);
}

rq_status rq_pass_stage_hashing(rq_pass_engine *e, rq_blake3 *chunk_hash, rq_pass_item_fn fn,
                                size_t items)
{
    rq_status st = rq_split_hash_begin(&e->hash, chunk_hash, e->buf, e->real);
    if (st != RQ_OK)
        return st;
    e->item = fn;
    e->own_items = items;
    st = rq_stage_run(&e->stage, e->job, item_worker, e, items + rq_split_hash_items(&e->hash));
    if (st != RQ_OK) {
        rq_split_hash_abandon(&e->hash);
        return st;
    }
    rq_split_hash_end(&e->hash);
    return RQ_OK;
}

/* Where the subtrees of the pass's split end: the rest runs from there to e->real. */
static size_t pieces_body(const rq_pass_pieces *pc)
{
    return pc->split.prefix + pc->split.subtrees * RQ_BLAKE3_SUBTREE_LEN;
}

/* Piece p's bytes [*from, *from + *len) of the pass; *subtree: its subtree, or SIZE_MAX for an end. */
static void piece_span(const rq_pass_engine *e, size_t p, size_t *from, size_t *len, size_t *subtree)
{
    const rq_blake3_split *sp = &e->pieces.split;
    size_t q = sp->prefix ? p - 1 : p, body = pieces_body(&e->pieces);
    *subtree = SIZE_MAX;
    if (sp->prefix && p == 0) {
        *from = 0;
        *len = sp->prefix;
    } else if (q < sp->subtrees) {
        *from = sp->prefix + q * RQ_BLAKE3_SUBTREE_LEN;
        *len = RQ_BLAKE3_SUBTREE_LEN;
        *subtree = q;
    } else {
        *from = body;
        *len = e->real - body;
    }
}

/* Where a piece is read to: its place in a whole-pass buffer, else the ends' or worker w's room. */
static uint8_t *piece_home(const rq_pass_engine *e, uint32_t w, size_t from, size_t subtree)
{
    if (e->buf_whole)
        return e->buf + from;
    if (subtree != SIZE_MAX)
        return e->buf + (2 + (size_t)w) * RQ_PASS_PIECE;
    return e->buf + (from == 0 ? 0 : RQ_PASS_PIECE);
}

static void read_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    rq_pass_engine *e = ctx;
    size_t p, from, len, subtree;
    while (rq_stage_take(&e->stage, &p)) {
        piece_span(e, p, &from, &len, &subtree);
        uint8_t *dst = piece_home(e, w, from, subtree);
        rq_status st = e->pieces.read(e, from, dst, len);
        if (st != RQ_OK) {
            rq_stage_fail(&e->stage, st);
            continue;
        }
        if (subtree != SIZE_MAX)
            rq_blake3_subtree(e->pieces.chunk_hash->impl, dst, &e->pieces.split, subtree,
                              e->pieces.cvs[subtree]);
        rq_pass_range_to_rows(e->oti, e->pass, e->c->K, from, dst, len, e->rows, e->row_stride,
                              e->plan);
    }
}

/* The chunk hash after every piece: the prefix, the subtrees in order, the rest. */
static void hash_pieces(rq_pass_engine *e)
{
    rq_pass_pieces *pc = &e->pieces;
    size_t body = pieces_body(pc);
    rq_blake3_update(pc->chunk_hash, piece_home(e, 0, 0, SIZE_MAX), pc->split.prefix);
    rq_blake3_push_subtrees(pc->chunk_hash, &pc->split, (const uint32_t(*)[8])pc->cvs);
    rq_blake3_update(pc->chunk_hash, piece_home(e, 0, body, SIZE_MAX), e->real - body);
}

rq_status rq_pass_stage_read(rq_pass_engine *e, rq_blake3 *chunk_hash, rq_pass_read_fn read)
{
    rq_pass_pieces *pc = &e->pieces;
    pc->read = read;
    pc->chunk_hash = chunk_hash;
    rq_blake3_split_update(chunk_hash, e->real, &pc->split);
    size_t n = (pc->split.prefix != 0) + pc->split.subtrees + (e->real > pieces_body(pc));
    pc->cvs = malloc((pc->split.subtrees + 1) * sizeof *pc->cvs);
    if (!pc->cvs)
        return RQ_ERR_NO_MEMORY;
    rq_status st = rq_stage_run(&e->stage, e->job, read_worker, e, n);
    if (st == RQ_OK) {
        hash_pieces(e);
        size_t all = (size_t)e->c->K * e->pass->width;
        rq_pass_range_to_rows(e->oti, e->pass, e->c->K, e->real, NULL, all - e->real, e->rows,
                              e->row_stride, e->plan);
    }
    free(pc->cvs);
    pc->cvs = NULL;
    return st;
}

/* Each worker replays the plan over its column share of the pass's rows. */
static void replay_worker(void *ctx, uint32_t w, uint32_t n)
{
    rq_pass_engine *e = ctx;
    size_t from, len;
    rq_column_share(e->pass->width, w, n, &from, &len);
    if (len && rq_plan_apply(e->job->ctx, e->plan, e->job->kernels, e->rows + from,
                             e->row_stride, len) != RQ_OK)
        rq_stage_fail(&e->stage, RQ_ERR_NO_MEMORY);
}

/* Where the pass lies in the chunk; the padding inputs' rows zeroed. */
static void begin_pass(rq_pass_engine *e, const rq_pass *p)
{
    uint32_t K = e->c->K;
    size_t W = p->width, want = (size_t)K * W;
    e->pass = p;
    e->start = e->block_offset + (uint64_t)K * p->w0;
    e->real = e->start >= e->chunk_size ? 0
              : (size_t)(e->chunk_size - e->start < want ? e->chunk_size - e->start : want);
    if (e->plan)
        for (uint32_t i = e->n_filled; i < e->plan->n_inputs; i++)
            memset(e->rows + (size_t)rq_plan_input_row(e->plan, i) * e->row_stride, 0, W);
}

rq_status rq_pass_engine_run(rq_pass_engine *e, const rq_pass_ops *ops)
{
    rq_status st = RQ_OK;
    for (size_t i = 0; st == RQ_OK && i < e->n_passes; i++) {
        begin_pass(e, &e->passes[i]);
        st = ops->fill(e);
        if (st == RQ_OK && e->plan)
            st = rq_stage_run(&e->stage, e->job, replay_worker, e, e->job->threads);
        if (st == RQ_OK)
            st = ops->take(e);
        if (st == RQ_OK) {
            *e->done += e->real;
            st = rq_job_report(e->job, *e->done, e->total);
        }
    }
    return st;
}
