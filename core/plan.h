/*
 * A plan: the data-independent row operations that turn a block's known
 * symbols into its L intermediate symbols (RFC 6330 §5.4), recorded once and
 * replayed by a kernel backend over any number of blocks or sub-blocks.
 *
 * Working rows of a plan, each one symbol (or stripe) wide; only the input
 * rows need filling before replay (the plan clears the others itself):
 *   0 .. S-1              LDPC constraint rows
 *   S .. S+H-1            HDPC constraint rows
 *   S+H .. S+H+n-1        the n known symbols: known symbol i (the ISIs'
 *                         order) in row rq_plan_input_row(plan, i)
 *   rows .. rows+scratch_rows-1   scratch rows (one per row the solver peels)
 * rows = S+H+n. After replay, intermediate symbol C[j] is in row
 * intermediate[j] (always < rows), or, in a plan that rebuilds wanted
 * symbols directly, wanted symbol m in row wanted_row[m]. The scratch rows are needed only while a
 * stripe is replayed, so rq_plan_apply keeps them in a stripe-wide buffer of
 * its own; rq_plan_apply_full replays over a caller's buffer that has them.
 */
#ifndef RQ_CORE_PLAN_H
#define RQ_CORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "backends/kernels.h"
#include "core/row_pool.h"
#include "rq/rq.h"

typedef struct rq_plan {
    rq_block_constants constants;
    uint32_t n_inputs;      /* known symbols (ISIs) the plan was made for */
    uint32_t rows;          /* working rows the caller provides: S + H + n_inputs */
    uint32_t scratch_rows;  /* further rows the plan uses while it runs */
    uint32_t first_input;   /* S + H */
    /*
     * Known symbol i's row is first_input + input_row[i]; NULL: first_input + i.
     * Cached encoding plans order their input rows by first use
     * (rq_plan_order_inputs), so that a replay walks them in memory order
     * (by first use before core/plan_schedule.h moved some operations up,
     * which measured faster than ordering after it).
     */
    uint32_t *input_row;
    uint32_t *intermediate; /* L entries; NULL in a plan that rebuilds wanted symbols directly */
    /* rq_plan_build_wanted's direct way: wanted symbol m ends in row wanted_row[m] (< rows). */
    uint32_t *wanted_row;
    uint32_t n_wanted;
    rq_op *ops;
    size_t n_ops;
    /* Where ops live while the plan is fresh: a pooled buffer (its pages are
     * mapped already: a decode's plan is made and dropped per block), or
     * nothing once rq_plan_compact moved them to a block of their own size. */
    rq_rows_buf ops_buf;
    uint32_t inactivated;   /* columns solved densely (statistics) */
    /*
     * Cached encoding plans of small K' only (core/plan_cache.c): L rows of
     * n_inputs bytes, row j the coefficients of C[j] over the inputs
     * (core/dense_combine.h); NULL otherwise.
     */
    uint8_t *dense;
} rq_plan;

/*
 * Solves the constraint system for block constants c and the known ISIs.
 * RQ_ERR_NEED_MORE_SYMBOLS when those ISIs do not determine C.
 */
rq_status rq_plan_build(rq_context *ctx, const rq_block_constants *c, const uint32_t *isis, uint32_t n_isis,
                        rq_plan **out);
/*
 * The same; with component_rule, phase 1 follows the RFC's r = 2 rule (see
 * solver.c: pick_two), which inactivates fewer columns and so makes a plan
 * with fewer operations, at a cost in solve time that only pays for plans
 * replayed many times (the cached encoding plans).
 */
rq_status rq_plan_build_thorough(rq_context *ctx, const rq_block_constants *c, const uint32_t *isis,
                                 uint32_t n_isis, int component_rule, rq_plan **out);
/*
 * For decoding: the same, for a caller that wants the n_wanted ISIs wanted
 * (the missing source symbols, or any others) rebuilt rather than C. When that is cheaper (few wanted,
 * few inactivated columns; see solver.c, emit_wanted_v) the plan computes
 * them directly: intermediate is NULL and wanted symbol m ends in row
 * wanted_row[m]. Otherwise it is an ordinary plan (wanted_row NULL).
 */
rq_status rq_plan_build_wanted(rq_context *ctx, const rq_block_constants *c, const uint32_t *isis,
                               uint32_t n_isis, const uint32_t *wanted, uint32_t n_wanted,
                               rq_plan **out);
void rq_plan_free(rq_plan *plan);

/* The working row of known symbol i (< plan->n_inputs). */
static inline uint32_t rq_plan_input_row(const rq_plan *plan, uint32_t i)
{
    return plan->first_input + (plan->input_row ? plan->input_row[i] : i);
}

/*
 * Renumbers the input rows in the order the plan first uses them (operations
 * and intermediate[] follow; input_row says where each known symbol goes).
 * Large blocks replay several percent faster: step a reads the known symbols
 * and step e writes their rows in about that order, which the hardware
 * prefetcher can follow (K = 50000, T = 1280: copy + replay 86 -> 81 ms).
 * One pass over the operations.
 */
rq_status rq_plan_order_inputs(rq_plan *plan);

/*
 * Puts known symbol i (len bytes at known + i * known_stride, i < n_known)
 * into its working row of rows (stride apart), and zeros in the rows of
 * inputs n_known.. (padding symbols). From stream_from bytes of known
 * symbols on, they go in through k->stream_rows.
 */
void rq_plan_fill_inputs(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                         const uint8_t *known, size_t known_stride, uint32_t n_known, size_t len,
                         size_t stream_from);
/* RQ_PARAM_STREAM_FILL_BYTES, or when 0 rq_stream_fill_for_cache of the context's machine. */
size_t rq_stream_fill_bytes(const rq_context *ctx);
/* The default of RQ_PARAM_STREAM_FILL_BYTES with a last-level cache of llc_bytes (0: unknown). */
size_t rq_stream_fill_for_cache(uint64_t llc_bytes);
/*
 * Distance between working rows of len bytes. From 4 KiB: len in whole
 * cache lines, one line more where that is a multiple of 1 KiB, so that row
 * r + 1 does not start where row r does in the cache's sets (a 65528-byte
 * row replayed at stride 65528 would put most rows of a stripe in the same
 * few sets, and start 7 of every 8 rows inside a line). Shorter rows: len.
 */
size_t rq_row_stride(size_t len);
/* Moves the operations out of the pooled buffer into one of their own size (for plans kept long). */
rq_status rq_plan_compact(rq_plan *plan);
size_t rq_plan_bytes(const rq_plan *plan);

/*
 * Replays the plan over a working buffer of plan->rows rows of len bytes at
 * distance stride (input rows filled; what the other rows hold does not
 * matter). RQ_ERR_NO_MEMORY if not even a narrow scratch stripe could be had.
 */
rq_status rq_plan_apply(rq_context *ctx, const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                        size_t len);
/* The same over plan->rows + plan->scratch_rows rows: no scratch buffer of its own. */
void rq_plan_apply_full(const rq_context *ctx, const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                        size_t len);
/*
 * The faster of the two for len-byte rows. A replay in one stripe runs over
 * the caller's buffer with the scratch rows in it (rq_plan_apply_full: one
 * region, ~3% faster at T = 1280); one in several stripes keeps the scratch
 * rows in a stripe-wide buffer (rq_plan_apply), because full-width scratch
 * rows would go back to memory although nothing reads them after the replay
 * (T = 65528, K = 1000: ~1240 -> ~1550 MB/s encoding). rq_plan_work_rows
 * says how many rows the caller's buffer needs for it: plan->rows +
 * plan->scratch_rows, or plan->rows.
 */
size_t rq_plan_work_rows(const rq_context *ctx, const rq_plan *plan, size_t len);
/*
 * Bytes of the scratch stripe buffer rq_plan_apply takes for a plan of
 * rows + scratch rows (scratch <= rows): at most one row per scratch row,
 * one stripe wide. ctx NULL: with the default RQ_PARAM_STRIPE_BYTES.
 */
/*
 * Width of the stripes a replay over rows rows of len bytes runs in, so one
 * stripe's rows stay in cache (RQ_PARAM_STRIPE_BYTES): len when it fits,
 * else a multiple of 64.
 */
size_t rq_stripe_width(const rq_context *ctx, size_t rows, size_t len);
/* The width of n stripes of about equal width over len bytes: a multiple of 64 (the last may be narrower). */
size_t rq_equal_stripe(size_t len, size_t n);
uint64_t rq_plan_scratch_bound(const rq_context *ctx, uint64_t rows);
rq_status rq_plan_replay(rq_context *ctx, const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                         size_t len);

#endif
