/*
 * The solver: from block constants and a set of known ISIs to a plan
 * (core/plan.h). It is an inactivation decoder in the spirit of RFC 6330
 * §5.4.2, arranged so that the symbol work stays proportional to the number
 * of ones in the sparse rows:
 *
 * Phase 1 (symbolic only) peels the binary LDPC/LT rows: repeatedly pick an
 * unchosen row with the fewest unresolved ("V") columns, make one of them its
 * pivot and inactivate the rest. The permanently inactive PI columns start
 * inactive. Plans solved with the component rule (rq_plan_build_thorough;
 * the plan cache solves encoding plans both ways and keeps the one with
 * fewer operations) pick, among rows with two V columns, one in a largest
 * connected component (pick_two): 2-4% fewer operations from K' = 1002 up,
 * but the rescans cost more solve time than a decoding plan saves. Because a chosen row's pivot is its only V column left, the
 * chosen rows, in order, form a unit lower-triangular system over their pivot
 * columns: C_V = y + Z*C_U with y = Att^-1 * D and Z = Att^-1 * Atu. Z is
 * kept as bit rows and only serves to build the dense system below.
 *
 * The symbol work (the plan) then is as follows. Every non-input row starts
 * unwritten: its first write is a copy instead of a XOR, and a row read
 * before any write is cleared first (put); operations into rows phase 2
 * leaves unused are dropped (drop_dead_ops).
 *   a. y by forward substitution over the chosen rows, into scratch rows
 *      (one per chosen row; D stays where it is);
 *   b. the right-hand sides of the unchosen binary rows (D_r + sum y);
 *   c. the right-hand sides of the HDPC rows, G_hv * y with G = MT * GAMMA:
 *      GAMMA * y is the chain g_j = alpha*g_{j-1} + y_j, built in place over
 *      the y rows (one multiply-add per pivot column), then each HDPC row
 *      XORs in the g of its MT ones, all of its sources in a row so that
 *      replay fuses them;
 *   d. the dense system on the u inactive columns -> C_U: its binary rows
 *      stay bit rows and are eliminated first (forward, one fused XOR run
 *      per row), the HDPC rows drop those pivot columns, the few columns
 *      left (at most H) are solved over GF(256) on the HDPC rows the same
 *      way (one run of multiply-adds per row, which replay fuses with
 *      fma_many), then the binary pivot rows are back-substituted (again
 *      one XOR run per row). The
 *      HDPC coefficients over C_U are summed as 8 bit planes (see
 *      hdpc_dense_rows), so no byte work grows with u^3;
 *   e. C_V in one forward pass, in place: C_t = D_t + sum of C over row t's
 *      other columns (earlier pivots and inactive columns). A decode that
 *      wants only its missing source symbols may instead get them directly
 *      from y and C_U, with no step e (see emit_wanted_v).
 * The scratch rows are needed only while a stripe is replayed (plan.c).
 * HDPC rows never take part in phase 1 (they are dense), and the binary rows
 * stay binary there, so phase 1 needs no symbol data at all.
 */
#include <stdlib.h>
#include <string.h>

#include "core/components.h"
#include "core/constraint_rows.h"
#include "core/context.h"
#include "core/gf256.h"
#include "core/plan.h"
#include "core/source_rows.h"
#include "core/tuple.h"

#define NONE UINT32_MAX

/*
 * The operations being recorded, in a pooled buffer (core/plan.h: rq_rows_get):
 * at K = 10000 they fill 1.7 MB, and fresh memory for them cost a page fault
 * per 4 KiB on every decode.
 */
typedef struct op_list {
    rq_op *v;
    size_t n, cap;
    rq_rows_buf buf;
    rq_row_pool *pool;
    int failed;
} op_list;

/* Room for n more operations, written at the pointer returned; NULL if there is no memory. */
static rq_op *reserve(op_list *l, size_t n)
{
    if (l->cap - l->n < n) {
        size_t cap = l->cap * 2 > l->n + n ? l->cap * 2 : l->n + n + 1024;
        rq_rows_buf grown;
        if (l->failed || rq_rows_get(l->pool, &grown, cap * sizeof *l->v) != RQ_OK) {
            l->failed = 1;
            return NULL;
        }
        if (l->n)
            memcpy(grown.rows, l->v, l->n * sizeof *l->v);
        rq_rows_put(&l->buf);
        l->buf = grown;
        l->v = (rq_op *)grown.rows;
        l->cap = grown.cap / sizeof *l->v;
    }
    return l->v + l->n;
}

static void emit(op_list *l, uint32_t dst, uint32_t src, uint8_t coef)
{
    rq_op *o = reserve(l, 1);
    if (o) {
        *o = rq_op_make(dst, src, coef);
        l->n++;
    }
}

typedef struct solver {
    rq_context *ctx; /* the pool and the shared source rows */
    const rq_block_constants *c;
    rq_sparse_rows sr;
    uint32_t M, first_lt;
    /* Column -> rows holding it, V columns (< W) of binary rows only. */
    uint32_t *cstart, *crows;
    /*
     * Phase 1. vcount: V columns an unchosen row still has (a chosen row's
     * starts at CHOSEN, so that it never reads as 1). Rows whose count falls
     * to 1 go on the ones stack; the others sit in buckets by count (bhead,
     * linked through bnext) lazily: a row stays in the bucket of the count it
     * had when put there, and is moved down only when that bucket is searched.
     */
    uint32_t *vcount, *bnext, *bhead, max_count;
    uint32_t *ones, n_ones;
    uint8_t *resolved; /* column -> 1 once it is a pivot or inactive (always for PI columns) */
    uint8_t *chosen;
    uint32_t *order, *chosen_pos, n_chosen;
    uint32_t *diag_row;   /* column -> the chosen row it is the pivot of */
    uint32_t *inact_idx;  /* column -> position among inactive columns */
    uint32_t *inact_cols, n_inact;
    /* The V columns' graph for the r = 2 rule (see pick_two). */
    rq_components graph;
    int component_rule; /* 0: r = 2 rows picked in bucket order */
    /* Z = Att^-1 * Atu as bit rows, one per chosen row. */
    size_t words;
    uint64_t *zbits;
    rq_rows_buf zbuf; /* where zbits live: pooled, like the operation list (3.6 MB at K = 50000) */
    uint32_t *pivot_row; /* inactive position -> working row holding C of that column */
    /* MT's two ones in column j < K'+S-1: HDPC rows mt[2j] and mt[2j+1]; from
     * the shared source rows of K' (source), or computed here (mt_own). */
    const uint32_t *mt;
    uint32_t *mt_own;
    const rq_source_rows *source;
    op_list ops;
    /* Working rows not written yet, whose content is undefined (all but the
     * inputs start so): put() turns the first write into one that needs no
     * clear first, or emits the clear where a row is read before any write. */
    uint8_t *unwritten;
    int dead_rows; /* phase 2 left rows unused: the plan has operations to drop */
    /* ISIs the caller wants rebuilt (see emit_wanted_v), and whether
     * the plan computes them directly instead of the intermediate symbols. */
    const uint32_t *wanted;
    uint32_t n_wanted;
    int direct;
    uint64_t *comb;       /* wanted m's coefficients over C_U, as bit rows */
    uint32_t *wanted_row; /* the row wanted m ends in */
} solver;

/*
 * Emits dst += coef * src. A first XOR into an unwritten row becomes a copy
 * (one pass over the row instead of a clear and a read-modify-write).
 */
static void put(solver *s, uint32_t dst, uint32_t src, uint8_t coef)
{
    if (s->unwritten[src]) { /* read as zero before it was written */
        emit(&s->ops, src, src, 0);
        s->unwritten[src] = 0;
    }
    if (s->unwritten[dst]) {
        s->unwritten[dst] = 0;
        if (coef == 1) {
            emit(&s->ops, dst, src, 0);
            return;
        }
        emit(&s->ops, dst, dst, 0);
    }
    emit(&s->ops, dst, src, coef);
}

/* The scratch row that holds y (later g, step c) of chosen row t. */
static uint32_t y_row(const solver *s, uint32_t t)
{
    return s->M + s->chosen_pos[t];
}

#define CHOSEN (UINT32_MAX / 2)

static void bucket_push(solver *s, uint32_t r, uint32_t cnt)
{
    s->bnext[r] = s->bhead[cnt];
    s->bhead[cnt] = r;
}

static int is_binary_row(const solver *s, uint32_t r)
{
    return r < s->c->S || r >= s->first_lt;
}

/* Column col leaves V: every unchosen row holding it has one V column fewer. */
static void leave_v(solver *s, uint32_t col)
{
    s->resolved[col] = 1;
    for (uint32_t k = s->cstart[col]; k < s->cstart[col + 1]; k++) {
        uint32_t r = s->crows[k];
        s->ones[s->n_ones] = r;
        s->n_ones += --s->vcount[r] == 1;
    }
}

static void inactivate(solver *s, uint32_t col)
{
    s->inact_idx[col] = s->n_inact;
    s->inact_cols[s->n_inact++] = col;
    if (col < s->c->W)
        leave_v(s, col);
    else
        s->resolved[col] = 1;
}

static rq_status build_columns(solver *s)
{
    uint32_t W = s->c->W;
    s->cstart = calloc((size_t)W + 1, sizeof *s->cstart);
    if (!s->cstart)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t r = 0; r < s->M; r++)
        for (uint32_t k = s->sr.start[r]; k < s->sr.start[r + 1]; k++)
            if (s->sr.cols[k] < W)
                s->cstart[s->sr.cols[k] + 1]++;
    for (uint32_t j = 0; j < W; j++)
        s->cstart[j + 1] += s->cstart[j];
    s->crows = malloc((size_t)s->cstart[W] * sizeof *s->crows + 1);
    uint32_t *fill = malloc((size_t)W * sizeof *fill);
    if (!s->crows || !fill) {
        free(fill);
        return RQ_ERR_NO_MEMORY;
    }
    memcpy(fill, s->cstart, (size_t)W * sizeof *fill);
    for (uint32_t r = 0; r < s->M; r++)
        for (uint32_t k = s->sr.start[r]; k < s->sr.start[r + 1]; k++)
            if (s->sr.cols[k] < W)
                s->crows[fill[s->sr.cols[k]]++] = r;
    free(fill);
    return RQ_OK;
}

/* The first V column of unchosen row r. */
static uint32_t first_v(const solver *s, uint32_t r)
{
    for (uint32_t k = s->sr.start[r]; k < s->sr.start[r + 1]; k++)
        if (!s->resolved[s->sr.cols[k]])
            return s->sr.cols[k];
    return NONE;
}

/*
 * The lowest count of V columns (>= 2) an unchosen row has, and the row at
 * the head of its bucket; 0 if no row has two or more. Rows met in a higher
 * bucket than their count are moved down on the way.
 */
static uint32_t min_bucket(solver *s, uint32_t *row)
{
    for (uint32_t b = 2; b <= s->max_count;) {
        uint32_t r = s->bhead[b];
        if (r == NONE) {
            b++;
            continue;
        }
        uint32_t cnt = s->vcount[r];
        if (cnt == b) {
            *row = r;
            return b;
        }
        s->bhead[b] = s->bnext[r];
        if (cnt >= 2 && cnt < b) { /* unchosen, with fewer V columns than when put here */
            bucket_push(s, r, cnt);
            b = cnt;
        }
    }
    return 0;
}

/*
 * The RFC's r = 2 rule: the rows with two V columns are the edges of a graph
 * on the V columns; pick a row in a largest connected component. Choosing it
 * costs one inactivation, and the rows with one V column it leaves behind
 * then peel that whole component without another.
 */
static uint32_t pick_two(solver *s)
{
    rq_components *g = &s->graph;
    uint32_t best = NONE, best_size = 0, pick = NONE;
    /* The rows with two V columns: bucket 2, and rows left in higher buckets. */
    for (uint32_t b = 2; b <= s->max_count; b++) {
        for (uint32_t r = s->bhead[b]; r != NONE; r = s->bnext[r]) {
            if (s->vcount[r] != 2)
                continue;
            uint32_t ends[2], n = 0;
            for (uint32_t k = s->sr.start[r]; k < s->sr.start[r + 1] && n < 2; k++)
                if (!s->resolved[s->sr.cols[k]])
                    ends[n++] = s->sr.cols[k];
            uint32_t root = rq_components_link(g, ends[0], ends[1]);
            if (rq_components_size(g, root) > best_size) {
                best_size = rq_components_size(g, root);
                best = root;
            }
        }
    }
    for (uint32_t b = 2; b <= s->max_count && pick == NONE; b++) {
        for (uint32_t r = s->bhead[b]; r != NONE; r = s->bnext[r]) {
            if (s->vcount[r] == 2 && rq_components_find(g, first_v(s, r)) == best) {
                pick = r;
                break;
            }
        }
    }
    rq_components_reset(g);
    return pick;
}

static rq_status phase1(solver *s)
{
    const rq_block_constants *c = s->c;
    uint32_t M = s->M;
    s->max_count = 0;
    for (uint32_t r = 0; r < M; r++) {
        uint32_t cnt = 0;
        if (is_binary_row(s, r))
            for (uint32_t k = s->sr.start[r]; k < s->sr.start[r + 1]; k++)
                cnt += s->sr.cols[k] < c->W;
        s->vcount[r] = cnt;
        if (cnt > s->max_count)
            s->max_count = cnt;
    }
    s->bhead = malloc(((size_t)s->max_count + 1) * sizeof *s->bhead);
    if (!s->bhead)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t k = 0; k <= s->max_count; k++)
        s->bhead[k] = NONE;
    /* Pushed in reverse so that, among equals, the lowest row is picked first. */
    for (uint32_t r = M; r-- > 0;) {
        if (s->vcount[r] == 1)
            s->ones[s->n_ones++] = r;
        else if (s->vcount[r] >= 2)
            bucket_push(s, r, s->vcount[r]);
    }
    for (uint32_t col = c->W; col < c->L; col++)
        inactivate(s, col);

    for (;;) {
        /* A row with one V column left, if any (rows on the stack may have
         * been chosen or dropped to none since); else the fewest. */
        uint32_t t = NONE;
        while (s->n_ones > 0 && t == NONE) {
            uint32_t r = s->ones[--s->n_ones];
            if (s->vcount[r] == 1)
                t = r;
        }
        if (t == NONE) {
            uint32_t cnt = min_bucket(s, &t);
            if (cnt == 0)
                break;
            if (cnt == 2 && s->component_rule)
                t = pick_two(s);
        }
        s->vcount[t] = CHOSEN;
        s->chosen[t] = 1;
        s->chosen_pos[t] = s->n_chosen;
        s->order[s->n_chosen++] = t;
        uint32_t pivot = NONE;
        for (uint32_t k = s->sr.start[t]; k < s->sr.start[t + 1]; k++) {
            uint32_t col = s->sr.cols[k];
            if (s->resolved[col])
                continue;
            if (pivot == NONE) {
                pivot = col;
                s->resolved[col] = 1; /* before its siblings are inactivated */
            } else {
                inactivate(s, col);
            }
        }
        if (pivot == NONE)
            return RQ_ERR_INTERNAL;
        s->diag_row[pivot] = t;
        leave_v(s, pivot);
    }
    /* V columns no unchosen row holds any more are left to the dense phase. */
    for (uint32_t col = 0; col < c->W; col++)
        if (!s->resolved[col])
            inactivate(s, col);
    return s->n_chosen + s->n_inact == c->L ? RQ_OK : RQ_ERR_INTERNAL;
}

static void xor_bits(uint64_t *dst, const uint64_t *src, size_t words)
{
    for (size_t w = 0; w < words; w++)
        dst[w] ^= src[w];
}

/*
 * Z rows, Z_t = (inactive ones of row t) + sum of Z of the earlier pivots it
 * holds, and step a on the same pass: y_t = D_t + sum of y over those pivots,
 * into t's y row (LDPC rows have D_t = 0). The y rows start unwritten, so
 * each one's first operation is a copy (a clear if y_t = 0); the earlier y
 * rows it reads are written by then. The hot loops of the solver write their
 * operations straight into room reserved per row.
 */
static rq_status compute_z_and_y(solver *s)
{
    s->words = ((size_t)s->n_inact + 63) / 64;
    if (rq_rows_get(&s->ctx->pool, &s->zbuf, ((size_t)s->n_chosen * s->words + 1) * sizeof *s->zbits) != RQ_OK)
        return RQ_ERR_NO_MEMORY;
    s->zbits = (uint64_t *)s->zbuf.rows;
    for (uint32_t p = 0; p < s->n_chosen; p++) {
        uint32_t t = s->order[p], dst = s->M + p;
        uint64_t *z = s->zbits + (size_t)p * s->words;
        memset(z, 0, s->words * sizeof *z);
        rq_op *o = reserve(&s->ops, (size_t)s->sr.start[t + 1] - s->sr.start[t] + 1), *first;
        if (!o)
            return RQ_ERR_NO_MEMORY;
        first = o;
        if (t >= s->c->S)
            *o++ = rq_op_make(dst, t, 0);
        for (uint32_t k = s->sr.start[t]; k < s->sr.start[t + 1]; k++) {
            uint32_t col = s->sr.cols[k];
            uint32_t d = s->diag_row[col];
            if (d == t)
                continue;
            if (d != NONE) {
                xor_bits(z, s->zbits + (size_t)s->chosen_pos[d] * s->words, s->words);
                uint8_t coef = o == first ? 0 : 1;
                *o++ = rq_op_make(dst, y_row(s, d), coef);
            } else {
                uint32_t i = s->inact_idx[col];
                z[i / 64] ^= (uint64_t)1 << (i % 64);
            }
        }
        if (o == first)
            *o++ = rq_op_make(dst, dst, 0);
        s->ops.n = (size_t)(o - s->ops.v);
        s->unwritten[dst] = 0;
    }
    return RQ_OK;
}

static void set_bit(uint64_t *bits, size_t i)
{
    bits[i / 64] ^= (uint64_t)1 << (i % 64);
}

static int get_bit(const uint64_t *bits, size_t i)
{
    return (int)(bits[i / 64] >> (i % 64)) & 1;
}

/*
 * Dense coefficients of the HDPC rows over C_U: sum_j G[h][j] * (C_j in C_U)
 * + e(K'+S+h), G = MT * GAMMA. The GAMMA chain z_j = alpha*z_{j-1} + (C_j in
 * C_U) runs on z held as 8 bit planes over the u columns, one after another
 * (plane i: bit i of each coefficient): adding a column is a XOR of its Z bit
 * row into plane 0, and z *= alpha shifts the planes up one (plane 7 comes
 * round to plane 0) and XORs the new plane 0 into planes 2, 3 and 4 (0x11D).
 * An HDPC row's sum is kept in planes too, so adding z to it is one XOR run
 * over 8 contiguous planes; the sums become bytes at the end.
 */
static void times_alpha(uint64_t *z, size_t w)
{
    for (size_t x = 0; x < w; x++) {
        uint64_t top = z[7 * w + x];
        for (size_t i = 7; i > 0; i--)
            z[i * w + x] = z[(i - 1) * w + x];
        z[x] = top;
        z[2 * w + x] ^= top;
        z[3 * w + x] ^= top;
        z[4 * w + x] ^= top;
    }
}

static rq_status hdpc_dense_rows(const solver *s, uint8_t *hd)
{
    const rq_block_constants *c = s->c;
    size_t u = s->n_inact, w = s->words, pw = 8 * w;
    uint32_t ks = c->K_prime + c->S;
    uint64_t *z = calloc(pw * (1 + c->H) + 1, sizeof *z);
    if (!z)
        return RQ_ERR_NO_MEMORY;
    uint64_t *acc = z + pw; /* HDPC row h's 8 planes at acc + h * pw */
    for (uint32_t j = 0; j < ks; j++) {
        times_alpha(z, w);
        uint32_t d = s->diag_row[j];
        if (d != NONE)
            xor_bits(z, s->zbits + (size_t)s->chosen_pos[d] * w, w);
        else
            set_bit(z, s->inact_idx[j]);
        if (j + 1 < ks) {
            xor_bits(acc + s->mt[2 * j] * pw, z, pw);
            xor_bits(acc + s->mt[2 * j + 1] * pw, z, pw);
        } else { /* the last column: alpha^h * z into row h */
            for (uint32_t h = 0; h < c->H; h++) {
                xor_bits(acc + h * pw, z, pw);
                times_alpha(z, w);
            }
        }
    }
    for (uint32_t h = 0; h < c->H; h++) {
        const uint64_t *planes = acc + h * pw;
        for (size_t x = 0; x < u; x++) {
            uint8_t v = 0;
            for (unsigned i = 0; i < 8; i++)
                v |= (uint8_t)(((planes[i * w + x / 64] >> (x % 64)) & 1) << i);
            hd[h * u + x] = v;
        }
        hd[h * u + s->inact_idx[ks + h]] ^= 1;
    }
    free(z);
    return RQ_OK;
}

/*
 * Step c: HDPC right-hand sides G_hv * y with G = MT * GAMMA. GAMMA * y is
 * the chain g_j = alpha * g_{j-1} + y_j, built in place over the y rows in
 * column order (one multiply-add per pivot column; a column without a pivot
 * contributes alpha^k times the last pivot's g). Each HDPC row adds the g of
 * its MT ones. Both go a block of HDPC_BLOCK columns at a time: the chain
 * over the block, then each HDPC row's additions from it, all together so
 * that replay fuses them. The block's g rows are then still in cache; the
 * whole chain first read every g row back from memory twice at large K
 * (K = 50000, T = 1280: 64 MB of y rows; encode and decode +7% there, with
 * blocks of 32 to 1024 columns all within 3% of each other).
 */
#define HDPC_BLOCK 128u

static rq_status emit_hdpc_rhs(solver *s)
{
    const rq_block_constants *c = s->c;
    uint32_t ks = c->K_prime + c->S;
    /* last[j - b0]: the latest pivot column <= j (NONE before the first). */
    uint32_t last[HDPC_BLOCK], by_h[2 * HDPC_BLOCK];
    uint32_t *count = malloc(((size_t)c->H + 1) * sizeof *count);
    if (!count)
        return RQ_ERR_NO_MEMORY;
    uint32_t prev = NONE;
    for (uint32_t b0 = 0; b0 < ks; b0 += HDPC_BLOCK) {
        uint32_t b1 = ks - b0 < HDPC_BLOCK ? ks : b0 + HDPC_BLOCK;
        for (uint32_t j = b0; j < b1; j++) {
            uint32_t d = s->diag_row[j];
            if (d != NONE) {
                if (prev != NONE)
                    put(s, y_row(s, d), y_row(s, s->diag_row[prev]), rq_gf_alpha_pow(j - prev));
                prev = j;
            }
            last[j - b0] = prev;
        }
        /* The block's contributions by HDPC row (counting sort); MT's last
         * column is not one of them (it is alpha^h, below). */
        uint32_t mt_end = b1 < ks ? b1 : ks - 1;
        for (uint32_t h = 0; h <= c->H; h++)
            count[h] = 0;
        for (uint32_t j = b0; j < mt_end; j++) {
            if (last[j - b0] == NONE)
                continue;
            count[s->mt[2 * j] + 1]++;
            count[s->mt[2 * j + 1] + 1]++;
        }
        for (uint32_t h = 0; h < c->H; h++)
            count[h + 1] += count[h];
        for (uint32_t j = b0; j < mt_end; j++) {
            if (last[j - b0] == NONE)
                continue;
            by_h[count[s->mt[2 * j]]++] = j;
            by_h[count[s->mt[2 * j + 1]]++] = j;
        }
        /* count[h] is now where bucket h ends. XORs (a pivot's own g) first,
         * then the multiply-adds, so that the XORs into one row stay consecutive. */
        for (uint32_t h = 0, from = 0; h < c->H; from = count[h++]) {
            for (int pass = 0; pass < 2; pass++) {
                for (uint32_t k = from; k < count[h]; k++) {
                    uint32_t j = by_h[k], l = last[j - b0];
                    if ((l == j) == (pass == 0))
                        put(s, c->S + h, y_row(s, s->diag_row[l]), rq_gf_alpha_pow(j - l));
                }
            }
        }
    }
    if (prev != NONE) /* MT's last column: alpha^h in row h */
        for (uint32_t h = 0; h < c->H; h++)
            put(s, c->S + h, y_row(s, s->diag_row[prev]), rq_gf_alpha_pow(h + ks - 1 - prev));
    free(count);
    return RQ_OK;
}

/*
 * The dense system phase 2 solves over the u inactive columns: the binary
 * rows not chosen in phase 1 as bit rows (with Z folded in), the HDPC rows
 * in GF(256), and what elimination finds in them.
 */
typedef struct dense_system {
    size_t u, w;          /* inactive columns; 64-bit words per bit row */
    uint32_t nb;          /* binary rows */
    uint64_t *bm;         /* nb bit rows of w words */
    uint32_t *brow;       /* bit row -> its row of A */
    uint8_t *hd;          /* H x u: the HDPC rows over the inactive columns */
    uint32_t *pcol, *pbm; /* binary pivot i -> its column, its bit row */
    uint32_t m;           /* binary pivots found */
    uint32_t *xcol;       /* X: the columns no binary row pivoted on */
    uint32_t nx;
    uint8_t *hx;          /* H x nx: the HDPC rows over X */
    uint32_t *hpc, *hpr;  /* HDPC pivot i -> its position in X, its HDPC row */
    uint32_t mh;          /* HDPC pivots found */
} dense_system;

static void dense_free(dense_system *d)
{
    free(d->bm);
    free(d->brow);
    free(d->hd);
    free(d->pcol);
    free(d->pbm);
    free(d->xcol);
    free(d->hpc);
    free(d->hpr);
    free(d->hx);
}

/* Sizes the system (and the solver's pivot rows); fewer rows than columns cannot solve. */
static rq_status dense_alloc(solver *s, dense_system *d)
{
    const rq_block_constants *c = s->c;
    memset(d, 0, sizeof *d);
    d->u = s->n_inact;
    d->w = s->words;
    for (uint32_t r = 0; r < s->M; r++)
        d->nb += is_binary_row(s, r) && !s->chosen[r];
    if (d->nb + c->H < d->u)
        return RQ_ERR_NEED_MORE_SYMBOLS;
    size_t u = d->u;
    d->bm = calloc((size_t)d->nb * d->w + 1, sizeof *d->bm);
    d->brow = malloc((size_t)d->nb * sizeof *d->brow + 1);
    d->hd = calloc((size_t)c->H * u + 1, 1);
    d->pcol = malloc(u * sizeof *d->pcol + 1);
    d->pbm = malloc(u * sizeof *d->pbm + 1);
    d->xcol = malloc(u * sizeof *d->xcol + 1);
    d->hpc = malloc((size_t)c->H * sizeof *d->hpc + 1);
    d->hpr = malloc((size_t)c->H * sizeof *d->hpr + 1);
    d->hx = malloc((size_t)c->H * u + 1);
    s->pivot_row = malloc(u * sizeof *s->pivot_row + 1);
    if (!d->bm || !d->brow || !d->hd || !d->pcol || !d->pbm || !d->xcol || !d->hpc || !d->hpr ||
        !d->hx || !s->pivot_row)
        return RQ_ERR_NO_MEMORY;
    return RQ_OK;
}

/* Each unchosen binary row over the inactive columns, Z folded in (step b's XORs). */
static void gather_binary_rows(solver *s, dense_system *d)
{
    size_t w = d->w;
    uint32_t n = 0;
    for (uint32_t r = 0; r < s->M; r++) {
        if (!is_binary_row(s, r) || s->chosen[r])
            continue;
        uint64_t *bits = d->bm + (size_t)n * w;
        for (uint32_t k = s->sr.start[r]; k < s->sr.start[r + 1]; k++) {
            uint32_t col = s->sr.cols[k];
            uint32_t dr = s->diag_row[col];
            if (dr != NONE) {
                xor_bits(bits, s->zbits + (size_t)s->chosen_pos[dr] * w, w);
                put(s, r, y_row(s, dr), 1); /* step b */
            } else {
                set_bit(bits, s->inact_idx[col]);
            }
        }
        d->brow[n++] = r;
    }
}

/* Binary rows: forward elimination, one row at a time, each on its lowest remaining column. */
static void eliminate_binary(solver *s, dense_system *d)
{
    size_t w = d->w;
    for (uint32_t q = 0; q < d->nb; q++) {
        uint64_t *qb = d->bm + (size_t)q * w;
        for (uint32_t i = 0; i < d->m; i++) {
            if (get_bit(qb, d->pcol[i])) {
                xor_bits(qb, d->bm + (size_t)d->pbm[i] * w, w);
                put(s, d->brow[q], d->brow[d->pbm[i]], 1);
            }
        }
        for (size_t x = 0; x < w; x++) {
            if (qb[x]) {
                d->pcol[d->m] = (uint32_t)(x * 64 + (size_t)__builtin_ctzll(qb[x]));
                d->pbm[d->m++] = q;
                break;
            }
        }
        if (d->m == d->u)
            break;
    }
}

/* X: the columns left to the HDPC rows; more of them than HDPC rows cannot solve. */
static rq_status choose_x(solver *s, dense_system *d)
{
    for (size_t k = 0; k < d->u; k++)
        s->pivot_row[k] = NONE;
    for (uint32_t i = 0; i < d->m; i++)
        s->pivot_row[d->pcol[i]] = d->brow[d->pbm[i]];
    for (size_t k = 0; k < d->u; k++)
        if (s->pivot_row[k] == NONE)
            d->xcol[d->nx++] = (uint32_t)k;
    return d->nx > s->c->H ? RQ_ERR_NEED_MORE_SYMBOLS : RQ_OK;
}

/* The HDPC rows drop the binary pivot columns (pivot i has no earlier pivot column). */
static void hdpc_drop_pivots(solver *s, dense_system *d)
{
    const rq_block_constants *c = s->c;
    for (uint32_t h = 0; h < c->H; h++) {
        uint8_t *row = d->hd + (size_t)h * d->u;
        for (uint32_t i = 0; i < d->m; i++) {
            uint8_t coef = row[d->pcol[i]];
            if (!coef)
                continue;
            const uint64_t *pb = d->bm + (size_t)d->pbm[i] * d->w;
            for (size_t x = 0; x < d->w; x++) {
                for (uint64_t v = pb[x]; v; v &= v - 1)
                    row[x * 64 + (size_t)__builtin_ctzll(v)] ^= coef;
            }
            put(s, c->S + h, d->brow[d->pbm[i]], coef);
        }
        for (uint32_t k = 0; k < d->nx; k++)
            d->hx[(size_t)h * d->nx + k] = row[d->xcol[k]];
    }
}

/*
 * The HDPC rows over X, eliminated like the binary rows: one row at a time
 * (a run of multiply-adds of the earlier pivots into it, which replay
 * fuses), its pivot scaled to 1. Fewer pivots than columns of X cannot solve.
 */
static rq_status eliminate_hdpc(solver *s, dense_system *d)
{
    const rq_block_constants *c = s->c;
    uint32_t nx = d->nx;
    for (uint32_t h = 0; h < c->H && d->mh < nx; h++) {
        uint8_t *row = d->hx + (size_t)h * nx;
        for (uint32_t i = 0; i < d->mh; i++) {
            uint8_t coef = row[d->hpc[i]];
            if (!coef)
                continue;
            const uint8_t *mul = rq_gf_mul_table[coef], *pr = d->hx + (size_t)d->hpr[i] * nx;
            for (uint32_t x = 0; x < nx; x++)
                row[x] ^= mul[pr[x]];
            put(s, c->S + h, c->S + d->hpr[i], coef);
        }
        uint32_t x = 0;
        while (x < nx && !row[x])
            x++;
        if (x == nx)
            continue;
        if (row[x] != 1) {
            uint8_t inv = rq_gf_inv(row[x]);
            for (uint32_t y = 0; y < nx; y++)
                row[y] = rq_gf_mul(row[y], inv);
            put(s, c->S + h, c->S + h, inv);
        }
        d->hpc[d->mh] = x;
        d->hpr[d->mh++] = h;
    }
    return d->mh < nx ? RQ_ERR_NEED_MORE_SYMBOLS : RQ_OK;
}

/* Back substitution in the HDPC pivots, latest first; they become X's pivot rows. */
static void back_substitute_hdpc(solver *s, dense_system *d)
{
    const rq_block_constants *c = s->c;
    for (uint32_t i = d->mh; i-- > 0;) {
        const uint8_t *row = d->hx + (size_t)d->hpr[i] * d->nx;
        for (uint32_t j = i + 1; j < d->mh; j++)
            if (row[d->hpc[j]])
                put(s, c->S + d->hpr[i], c->S + d->hpr[j], row[d->hpc[j]]);
        s->pivot_row[d->xcol[d->hpc[i]]] = c->S + d->hpr[i];
    }
}

/* Back substitution: binary pivot rows, latest first, take in their other columns. */
static void back_substitute_binary(solver *s, dense_system *d)
{
    for (uint32_t i = d->m; i-- > 0;) {
        const uint64_t *pb = d->bm + (size_t)d->pbm[i] * d->w;
        for (size_t x = 0; x < d->w; x++) {
            for (uint64_t v = pb[x]; v; v &= v - 1) {
                size_t col = x * 64 + (size_t)__builtin_ctzll(v);
                if (col != d->pcol[i])
                    put(s, d->brow[d->pbm[i]], s->pivot_row[col], 1);
            }
        }
    }
}

/*
 * Steps b-d: the dense system over the u inactive columns. Its binary rows
 * (the unchosen LDPC/LT rows over C_U) stay bit rows and are eliminated among
 * themselves first, one row at a time: each row takes in the earlier pivot
 * rows whose columns it holds (one fused run of XORs per row) and, if
 * anything is left, pivots on its lowest remaining column. The HDPC rows
 * (GF(256)) then drop the pivot columns the same way, which leaves them over
 * the few columns X no binary row pivoted on; that small GF(256) block is
 * solved row by row too (forward, scale, back substitution: one run of
 * multiply-adds per row). Last, back substitution: each binary pivot row,
 * latest first, XORs in the solved rows of its other columns (again one run
 * per row).
 */
static rq_status phase2(solver *s)
{
    dense_system d;
    rq_status st = dense_alloc(s, &d);
    if (st == RQ_OK) {
        gather_binary_rows(s, &d);
        if ((st = hdpc_dense_rows(s, d.hd)) == RQ_OK)
            st = emit_hdpc_rhs(s);
    }
    if (st == RQ_OK) {
        eliminate_binary(s, &d);
        st = choose_x(s, &d);
    }
    if (st == RQ_OK) {
        hdpc_drop_pivots(s, &d);
        st = eliminate_hdpc(s, &d);
    }
    if (st == RQ_OK) {
        s->dead_rows = d.m < d.nb || d.mh < s->c->H;
        back_substitute_hdpc(s, &d);
        back_substitute_binary(s, &d);
    }
    dense_free(&d);
    return st;
}

/*
 * Step e: C_t = D_t + sum of C over row t's other columns, in pivot order, in
 * place. Only the chosen LDPC rows (D_t = 0) are unwritten here: their first
 * operation is a copy. Every row read is written by then (the inactive
 * columns' rows are cleared first if phase 2 never wrote them).
 */
static rq_status emit_solve_v(solver *s)
{
    for (uint32_t i = 0; i < s->n_inact; i++) {
        uint32_t r = s->pivot_row[i];
        if (s->unwritten[r]) {
            emit(&s->ops, r, r, 0);
            s->unwritten[r] = 0;
        }
    }
    for (uint32_t p = 0; p < s->n_chosen; p++) {
        uint32_t t = s->order[p];
        rq_op *o = reserve(&s->ops, (size_t)s->sr.start[t + 1] - s->sr.start[t]);
        if (!o)
            return RQ_ERR_NO_MEMORY;
        int unwritten = s->unwritten[t];
        for (uint32_t k = s->sr.start[t]; k < s->sr.start[t + 1]; k++) {
            uint32_t col = s->sr.cols[k];
            uint32_t d = s->diag_row[col];
            if (d == t)
                continue;
            *o++ = rq_op_make(t, d != NONE ? d : s->pivot_row[s->inact_idx[col]], !unwritten);
            unwritten = 0;
        }
        if (unwritten)
            *o++ = rq_op_make(t, t, 0);
        s->ops.n = (size_t)(o - s->ops.v);
        s->unwritten[t] = 0;
    }
    return RQ_OK;
}

/*
 * Rebuilding wanted symbols directly, for decoding and repair: with
 * C_V = y + Z*C_U, the symbol of ISI x (the XOR of C over its neighbours) is
 * the XOR of the y rows of its pivot neighbours plus C_U times its combined bits (the
 * Z rows of those pivots and its own inactive neighbours). Computed so, a
 * decode needs neither step e (C_V for every chosen row) nor an Enc[] per
 * missing symbol afterwards, which pays when few symbols are missing and u
 * is small: about u/2 + d operations per wanted symbol, against every
 * chosen row's neighbours once more. The chosen rows are free once step a
 * has read them, so wanted m is built in chosen row order[m]: its y part
 * right after step a (before step c turns the y rows into GAMMA's chain),
 * its C_U part after phase 2.
 */
static const uint32_t *wanted_cols(const solver *s, uint32_t isi, uint32_t *buf, uint32_t *n)
{
    if (s->source && isi < s->source->k_prime) {
        *n = s->source->start[isi + 1] - s->source->start[isi];
        return s->source->cols + s->source->start[isi];
    }
    *n = rq_neighbours(s->c, isi, buf);
    return buf;
}

/*
 * What a kernel call costs beyond its sources, in operations, in the choice
 * below: fitted to where forcing either way measured even (K = 20000,
 * T = 1280; bench/RESULTS.md, "Rebuilding the missing symbols directly").
 */
#define CALL_OPS 12u

/* What step e and an Enc[] per wanted symbol cost, in operations. */
static uint64_t solve_v_cost(const solver *s, uint32_t *buf)
{
    uint64_t cost = 0;
    for (uint32_t p = 0; p < s->n_chosen; p++) {
        uint32_t t = s->order[p];
        cost += s->sr.start[t + 1] - s->sr.start[t] - 1 + CALL_OPS;
    }
    for (uint32_t m = 0; m < s->n_wanted; m++) {
        uint32_t n;
        wanted_cols(s, s->wanted[m], buf, &n);
        cost += n + CALL_OPS;
    }
    return cost;
}

/*
 * Each wanted symbol's combined bits, and whether the direct way costs fewer
 * operations; the count stops as soon as it does not.
 */
static rq_status combine_wanted(solver *s, uint32_t *buf)
{
    size_t w = s->words;
    if (s->n_wanted > s->n_chosen) /* not enough free rows for them */
        return RQ_OK;
    s->comb = calloc((size_t)s->n_wanted * w + 1, sizeof *s->comb);
    if (!s->comb)
        return RQ_ERR_NO_MEMORY;
    uint64_t limit = solve_v_cost(s, buf), cost = 2ull * CALL_OPS * s->n_wanted;
    for (uint32_t m = 0; m < s->n_wanted && cost < limit; m++) {
        uint32_t n;
        const uint32_t *cols = wanted_cols(s, s->wanted[m], buf, &n);
        uint64_t *z = s->comb + (size_t)m * w;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t d = s->diag_row[cols[k]];
            if (d != NONE) {
                xor_bits(z, s->zbits + (size_t)s->chosen_pos[d] * w, w);
                cost++;
            } else {
                set_bit(z, s->inact_idx[cols[k]]);
            }
        }
        for (size_t x = 0; x < w; x++)
            cost += (uint64_t)__builtin_popcountll(z[x]);
    }
    s->direct = cost < limit;
    return RQ_OK;
}

/* The y part of each wanted symbol, into its chosen row (see above). */
static rq_status emit_wanted_v(solver *s, uint32_t *buf)
{
    s->wanted_row = malloc((size_t)s->n_wanted * sizeof *s->wanted_row + 1);
    if (!s->wanted_row)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t m = 0; m < s->n_wanted; m++) {
        uint32_t t = s->order[m], n, first = 1;
        const uint32_t *cols = wanted_cols(s, s->wanted[m], buf, &n);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t d = s->diag_row[cols[k]];
            if (d != NONE) {
                emit(&s->ops, t, y_row(s, d), first ? 0 : 1);
                first = 0;
            }
        }
        if (first)
            emit(&s->ops, t, t, 0);
        s->unwritten[t] = 0;
        s->wanted_row[m] = t;
    }
    return RQ_OK;
}

/* The C_U part of each wanted symbol, once phase 2 has solved C_U. */
static void emit_wanted_u(solver *s)
{
    size_t w = s->words;
    for (uint32_t m = 0; m < s->n_wanted; m++) {
        const uint64_t *z = s->comb + (size_t)m * w;
        for (size_t x = 0; x < w; x++)
            for (uint64_t v = z[x]; v; v &= v - 1)
                put(s, s->wanted_row[m], s->pivot_row[x * 64 + (size_t)__builtin_ctzll(v)], 1);
    }
}

/* Between step a and phase 2: the choice, and the wanted symbols' y parts if direct. */
static rq_status plan_wanted(solver *s)
{
    if (!s->n_wanted)
        return RQ_OK;
    uint32_t *buf = malloc(((size_t)s->c->W + RQ_MAX_NEIGHBOURS_EXTRA) * sizeof *buf);
    rq_status st = buf ? combine_wanted(s, buf) : RQ_ERR_NO_MEMORY;
    if (st == RQ_OK && s->direct)
        st = emit_wanted_v(s, buf);
    free(buf);
    return st;
}

/*
 * Drops operations whose result no later operation or output reads. On the
 * same backward pass, a row clear whose row is next touched by a XOR into it
 * (nothing reading the row in between) goes, and that XOR becomes a copy
 * (kernels.h): one pass over the row instead of a clear and then a
 * read-modify-write.
 */
static rq_status drop_dead_ops(op_list *ops, const uint32_t *outputs, uint32_t n_outputs,
                               uint32_t rows)
{
    const size_t none = SIZE_MAX;
    uint8_t *live = calloc(rows, 1);
    size_t *next_xor = malloc((size_t)rows * sizeof *next_xor + 1); /* row -> that XOR */
    if (!live || !next_xor) {
        free(live);
        free(next_xor);
        return RQ_ERR_NO_MEMORY;
    }
    for (uint32_t r = 0; r < rows; r++)
        next_xor[r] = none;
    for (uint32_t j = 0; j < n_outputs; j++)
        live[outputs[j]] = 1;
    size_t kept = ops->n;
    for (size_t k = ops->n; k-- > 0;) {
        rq_op op = ops->v[k];
        uint32_t dst = rq_op_dst(op);
        if (!live[dst])
            continue;
        if (op.src == dst) {
            size_t x = next_xor[dst];
            next_xor[dst] = none;
            if (rq_op_coef(op) == 0 && x != none) {
                ops->v[x] = rq_op_make(dst, ops->v[x].src, 0);
                continue;
            }
        } else {
            live[op.src] = 1;
            next_xor[op.src] = none;
            next_xor[dst] = rq_op_coef(op) == 1 ? kept - 1 : none;
        }
        ops->v[--kept] = op;
    }
    memmove(ops->v, ops->v + kept, (ops->n - kept) * sizeof *ops->v);
    ops->n -= kept;
    free(live);
    free(next_xor);
    return RQ_OK;
}

static void solver_free(solver *s)
{
    rq_sparse_rows_free(&s->sr);
    free(s->cstart);
    free(s->crows);
    free(s->vcount);
    free(s->bnext);
    free(s->bhead);
    free(s->ones);
    free(s->resolved);
    free(s->chosen);
    free(s->order);
    free(s->chosen_pos);
    free(s->diag_row);
    free(s->inact_idx);
    free(s->inact_cols);
    rq_components_free(&s->graph);
    rq_rows_put(&s->zbuf);
    free(s->comb);
    free(s->wanted_row);
    free(s->pivot_row);
    free(s->mt_own);
    rq_source_rows_release(&s->ctx->source_rows, s->source);
    free(s->unwritten);
    rq_rows_put(&s->ops.buf);
}

static uint32_t *filled_u32(size_t n, uint32_t value)
{
    uint32_t *v = malloc(n * sizeof *v + 1);
    if (v)
        for (size_t k = 0; k < n; k++)
            v[k] = value;
    return v;
}

static rq_status solve(solver *s, const uint32_t *isis, uint32_t n_isis, int component_rule)
{
    const rq_block_constants *c = s->c;
    /* Without the shared rows (no memory for them) everything is computed here. */
    if (rq_source_rows_acquire(&s->ctx->source_rows, c, &s->source) != RQ_OK)
        s->source = NULL;
    rq_status st = rq_sparse_rows_build(c, isis, n_isis, s->source, &s->sr);
    if (st != RQ_OK)
        return st;
    s->M = s->sr.rows;
    s->first_lt = c->S + c->H;
    s->vcount = malloc((size_t)s->M * sizeof *s->vcount + 1);
    s->bnext = malloc((size_t)s->M * sizeof *s->bnext + 1);
    /* A row goes on the ones stack at most once per V column it has, plus once at the start. */
    s->ones = malloc(((size_t)s->sr.start[s->M] + s->M) * sizeof *s->ones + 1);
    s->resolved = calloc(c->L, 1);
    s->chosen = calloc(s->M, 1);
    s->order = malloc((size_t)s->M * sizeof *s->order + 1);
    s->chosen_pos = filled_u32(s->M, NONE);
    s->diag_row = filled_u32(c->L, NONE);
    s->inact_idx = filled_u32(c->L, NONE);
    s->inact_cols = malloc((size_t)c->L * sizeof *s->inact_cols);
    s->component_rule = component_rule;
    if (component_rule && rq_components_init(&s->graph, c->W) != RQ_OK)
        return RQ_ERR_NO_MEMORY;
    if (!s->vcount || !s->bnext || !s->ones || !s->resolved || !s->chosen || !s->order || !s->chosen_pos ||
        !s->diag_row || !s->inact_idx || !s->inact_cols)
        return RQ_ERR_NO_MEMORY;
    if (s->source) {
        s->mt = s->source->mt;
    } else {
        uint32_t ks = c->K_prime + c->S;
        s->mt_own = malloc((size_t)2 * ks * sizeof *s->mt_own);
        if (!s->mt_own)
            return RQ_ERR_NO_MEMORY;
        for (uint32_t j = 0; j + 1 < ks; j++)
            rq_hdpc_mt_rows(c, j, &s->mt_own[2 * j], &s->mt_own[2 * j + 1]);
        s->mt = s->mt_own;
    }
    /* Room for the usual plan (about 2.5 operations per nonzero) without regrowing. */
    if (!reserve(&s->ops, (size_t)s->sr.start[s->M] * 3 + 4 * (size_t)c->L + 1024))
        return RQ_ERR_NO_MEMORY;
    if ((st = build_columns(s)) != RQ_OK || (st = phase1(s)) != RQ_OK)
        return st;
    /* Every working row but the inputs starts as zero, whatever the buffer held. */
    s->unwritten = calloc((size_t)s->M + s->n_chosen, 1);
    if (!s->unwritten)
        return RQ_ERR_NO_MEMORY;
    memset(s->unwritten, 1, s->first_lt);
    memset(s->unwritten + s->M, 1, s->n_chosen);
    if ((st = compute_z_and_y(s)) != RQ_OK || (st = plan_wanted(s)) != RQ_OK ||
        (st = phase2(s)) != RQ_OK)
        return st;
    if (s->direct)
        emit_wanted_u(s);
    else if ((st = emit_solve_v(s)) != RQ_OK)
        return st;
    return s->ops.failed ? RQ_ERR_NO_MEMORY : RQ_OK;
}

/* The plan of a solved system: where C (or the wanted symbols) ends, and the live operations. */
static rq_status plan_of(solver *s, uint32_t n_isis, rq_plan **out)
{
    const rq_block_constants *c = s->c;
    rq_plan *plan = calloc(1, sizeof *plan);
    uint32_t *inter = s->direct ? NULL : malloc((size_t)c->L * sizeof *inter);
    if (!plan || (!s->direct && !inter)) {
        free(plan);
        free(inter);
        return RQ_ERR_NO_MEMORY;
    }
    for (uint32_t col = 0; inter && col < c->L; col++)
        inter[col] = s->diag_row[col] != NONE ? s->diag_row[col] : s->pivot_row[s->inact_idx[col]];
    plan->constants = *c;
    plan->n_inputs = n_isis;
    plan->rows = s->M;
    plan->scratch_rows = s->n_chosen;
    plan->first_input = c->S + c->H;
    plan->intermediate = inter;
    if (s->direct) {
        plan->wanted_row = s->wanted_row;
        plan->n_wanted = s->n_wanted;
        s->wanted_row = NULL;
    }
    plan->inactivated = s->n_inact;
    rq_status st = RQ_OK;
    if (s->dead_rows)
        st = inter ? drop_dead_ops(&s->ops, inter, c->L, plan->rows + plan->scratch_rows)
                   : drop_dead_ops(&s->ops, plan->wanted_row, plan->n_wanted,
                                   plan->rows + plan->scratch_rows);
    plan->ops = s->ops.v;
    plan->n_ops = s->ops.n;
    plan->ops_buf = s->ops.buf;
    s->ops.buf = (rq_rows_buf){0};
    if (st != RQ_OK) {
        rq_plan_free(plan);
        return st;
    }
    *out = plan;
    return RQ_OK;
}

static rq_status build(rq_context *ctx, const rq_block_constants *c, const uint32_t *isis,
                       uint32_t n_isis, int component_rule, const uint32_t *wanted,
                       uint32_t n_wanted, rq_plan **out)
{
    if (!ctx || !c || !isis || !out || (n_wanted && !wanted))
        return RQ_ERR_INVALID_ARGUMENT;
    if ((uint64_t)c->S + c->H + n_isis + c->L > RQ_OP_MAX_ROWS)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_gf_init();
    solver s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.ops.pool = &ctx->pool;
    s.c = c;
    s.wanted = wanted;
    s.n_wanted = n_wanted;
    rq_status st = solve(&s, isis, n_isis, component_rule);
    if (st == RQ_OK)
        st = plan_of(&s, n_isis, out);
    solver_free(&s);
    return st;
}

rq_status rq_plan_build(rq_context *ctx, const rq_block_constants *c, const uint32_t *isis,
                        uint32_t n_isis, rq_plan **out)
{
    return build(ctx, c, isis, n_isis, 0, NULL, 0, out);
}

rq_status rq_plan_build_thorough(rq_context *ctx, const rq_block_constants *c,
                                 const uint32_t *isis, uint32_t n_isis, int component_rule,
                                 rq_plan **out)
{
    return build(ctx, c, isis, n_isis, component_rule, NULL, 0, out);
}

rq_status rq_plan_build_wanted(rq_context *ctx, const rq_block_constants *c, const uint32_t *isis,
                               uint32_t n_isis, const uint32_t *wanted, uint32_t n_wanted,
                               rq_plan **out)
{
    return build(ctx, c, isis, n_isis, 0, wanted, n_wanted, out);
}
