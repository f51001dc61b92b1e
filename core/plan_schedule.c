/*
 * Long XOR runs done piecemeal (see plan_schedule.h).
 *
 * A dense constraint row (an LDPC row sums a few hundred symbols at large K')
 * is one long run of XORs into one row, and at large K' its sources are
 * scattered over a working buffer far larger than the caches: the run reads
 * them back from memory, long after they were written. Each XOR of such a run
 * may instead be done any time after its source's last write before the run,
 * as long as nothing else names the run's row in between. So each goes to the end
 * of the block of operations in which its source was last written, while the
 * source is still in cache; there the XORs gathered into the same row are
 * sorted together, so replay still fuses them. The result is unchanged: the
 * same operations, in another order that respects every dependency.
 */
#include "core/plan_schedule.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* End of the run that starts at op k: a copy or XOR into a row, then XORs into it. */
static size_t run_end(const rq_op *ops, size_t n, size_t k)
{
    uint32_t dst = rq_op_dst(ops[k]);
    if (ops[k].src == dst || rq_op_coef(ops[k]) > 1)
        return k + 1;
    size_t e = k + 1;
    while (e < n && rq_op_dst(ops[e]) == dst && rq_op_coef(ops[e]) == 1 && ops[e].src != dst)
        e++;
    return e;
}

typedef struct schedule {
    const rq_op *ops;
    size_t n;
    uint32_t *attach;          /* op -> the original op whose place it now follows; NONE: stays */
    uint32_t *last_write, *last_ref; /* row -> last op (so far) writing / naming it */
    size_t moved;
} schedule;

/*
 * Decides where the XORs of the run [k, e) into dst go: after the end of the
 * block of its source's last write, if that write comes after the last
 * operation naming dst (before it, moving would change what dst held).
 */
static void place_run(schedule *s, size_t k, size_t e, uint32_t block)
{
    uint32_t dst = rq_op_dst(s->ops[k]), barrier = s->last_ref[dst];
    for (size_t j = k; j < e; j++) {
        uint32_t w = s->last_write[s->ops[j].src];
        if (w == NONE || (barrier != NONE && w <= barrier))
            continue;
        uint64_t at = ((uint64_t)w / block + 1) * block - 1;
        s->attach[j] = at < k ? (uint32_t)at : (uint32_t)(k - 1);
        s->moved++;
    }
}

static void note_refs(schedule *s, size_t k, size_t e)
{
    for (size_t j = k; j < e; j++) {
        uint32_t dst = rq_op_dst(s->ops[j]);
        s->last_write[dst] = s->last_ref[dst] = (uint32_t)j;
        s->last_ref[s->ops[j].src] = (uint32_t)j;
    }
}

/*
 * The moved operations' indices (into out) ordered by where they go, then by
 * row, then as they were: two stable counting sorts, through count (one entry
 * per op or row, whichever is more, and one) and by_row (one per moved op).
 */
static void order_moved(const schedule *s, uint32_t rows, uint32_t *count, uint32_t *by_row,
                        uint32_t *out)
{
    size_t n = s->n, buckets = (n > rows ? n : rows) + 1;
    memset(count, 0, buckets * sizeof *count);
    for (size_t j = 0; j < n; j++)
        if (s->attach[j] != NONE)
            count[rq_op_dst(s->ops[j]) + 1]++;
    for (size_t r = 0; r < rows; r++)
        count[r + 1] += count[r];
    for (size_t j = 0; j < n; j++)
        if (s->attach[j] != NONE)
            by_row[count[rq_op_dst(s->ops[j])]++] = (uint32_t)j;
    memset(count, 0, buckets * sizeof *count);
    for (size_t i = 0; i < s->moved; i++)
        count[s->attach[by_row[i]] + 1]++;
    for (size_t j = 0; j < n; j++)
        count[j + 1] += count[j];
    for (size_t i = 0; i < s->moved; i++)
        out[count[s->attach[by_row[i]]]++] = by_row[i];
}

/*
 * Writes the operations in their new order into out; pos[j] becomes where op
 * j went. pos may be s->attach: a moved op's entry is read again after it
 * holds its new position, which is never NONE, so it still reads as moved.
 */
static void emit(const schedule *s, const uint32_t *moved, rq_op *out, uint32_t *pos)
{
    size_t m = 0, q = 0;
    for (size_t j = 0; j < s->n; j++) {
        if (s->attach[j] == NONE) {
            out[m] = s->ops[j];
            pos[j] = (uint32_t)m++;
        }
        while (q < s->moved && s->attach[moved[q]] == j) {
            uint32_t i = moved[q++];
            out[m] = s->ops[i];
            pos[i] = (uint32_t)m++;
        }
    }
}

/*
 * A run that began with a copy (what its row held before is not used) must
 * still begin with one: whichever of its operations now comes first becomes
 * the copy, and the old copy an XOR.
 */
static void keep_copies_first(const rq_op *ops, size_t n, uint32_t min_run, const uint32_t *pos,
                              rq_op *out)
{
    for (size_t k = 0, e; k < n; k = e) {
        e = run_end(ops, n, k);
        if (e - k < min_run || rq_op_coef(ops[k]) != 0)
            continue;
        size_t first = k;
        for (size_t j = k + 1; j < e; j++)
            if (pos[j] < pos[first])
                first = j;
        if (first == k)
            continue;
        uint32_t dst = rq_op_dst(ops[k]);
        out[pos[k]] = rq_op_make(dst, ops[k].src, 1);
        out[pos[first]] = rq_op_make(dst, ops[first].src, 0);
    }
}

/* Where each operation goes (s->attach); s->moved counts those that move. */
static void plan_moves(schedule *s, uint32_t min_run, uint32_t block)
{
    for (size_t k = 0, e; k < s->n; k = e) {
        e = run_end(s->ops, s->n, k);
        for (size_t j = k; j < e; j++)
            s->attach[j] = NONE;
        if (e - k >= min_run)
            place_run(s, k, e, block);
        note_refs(s, k, e);
    }
}

/*
 * The working arrays, all of uint32_t, in one buffer: attach (an entry per
 * op), last_write and last_ref (per row), count (see order_moved), and two
 * lists of moved ops.
 */
static size_t work_entries(size_t n, uint32_t rows)
{
    return 3 * n + 2 * (size_t)rows + (n > rows ? n : rows) + 1;
}

rq_status rq_plan_schedule_runs(rq_plan *plan, rq_row_pool *pool, uint32_t min_run, uint32_t block)
{
    size_t n = plan->n_ops;
    uint32_t rows = plan->rows + plan->scratch_rows;
    if (n < 2 || n >= NONE || min_run < 2 || block == 0)
        return RQ_OK;
    rq_rows_buf work, ops;
    if (rq_rows_get(pool, &work, work_entries(n, rows) * sizeof(uint32_t)) != RQ_OK)
        return RQ_ERR_NO_MEMORY;
    uint32_t *w = (uint32_t *)work.rows;
    schedule s = {plan->ops, n, w, w + n, w + n + rows, 0};
    memset(s.last_write, 0xff, 2 * (size_t)rows * sizeof *s.last_write);
    plan_moves(&s, min_run, block);
    if (s.moved == 0) {
        rq_rows_put(&work);
        return RQ_OK;
    }
    if (rq_rows_get(pool, &ops, n * sizeof(rq_op)) != RQ_OK) {
        rq_rows_put(&work);
        return RQ_ERR_NO_MEMORY;
    }
    uint32_t *count = w + n + 2 * (size_t)rows, *by_row = count + (n > rows ? n : rows) + 1;
    uint32_t *moved = by_row + n;
    order_moved(&s, rows, count, by_row, moved);
    rq_op *out = (rq_op *)ops.rows;
    emit(&s, moved, out, s.attach);
    keep_copies_first(plan->ops, n, min_run, s.attach, out);
    rq_rows_put(&work);
    if (plan->ops_buf.base)
        rq_rows_put(&plan->ops_buf);
    else
        free(plan->ops);
    plan->ops = out;
    plan->ops_buf = ops;
    return RQ_OK;
}
