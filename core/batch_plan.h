/*
 * One op list for a whole batch: many blocks of one K' share their known
 * ESIs and the ESIs they want, so one solve serves them all. The list is the
 * block's plan (known symbols -> intermediate symbols) followed by one
 * encoding step per wanted ESI (intermediate symbols -> that symbol), over
 * one working buffer per block:
 *   rows [0, first_input)                       constraint rows (the ops clear them)
 *   rows [first_input, first_input + n_known)   the known symbols, in the caller's order
 *   the next n_inputs - n_known rows            padding symbols: zeros before each replay
 *   rows up to first_output                     the plan's scratch rows
 *   rows [first_output, first_output + n_wanted) the wanted symbols after the replay
 * Only the known rows need filling and only the wanted rows reading, so a
 * device copies just those (backends/cuda); a CPU replays the list with
 * apply_plan over each block's buffer.
 */
#ifndef RQ_CORE_BATCH_PLAN_H
#define RQ_CORE_BATCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "backends/kernels.h"
#include "rq/rq.h"

typedef struct rq_batch_plan {
    rq_op *ops;
    size_t n_ops;
    size_t plan_ops;       /* of which the solve's replay (the rest make the wanted symbols) */
    uint32_t rows;         /* working rows per block */
    uint32_t first_input;
    uint32_t n_known;      /* rows the caller fills */
    uint32_t n_inputs;     /* n_known + the padding rows */
    uint32_t first_output;
    uint32_t n_wanted;
} rq_batch_plan;

/*
 * The batch plan for blocks of constants c holding the symbols of known_esis
 * (NULL: the K source symbols, the cached encoding plan) and wanting those
 * of wanted_esis. ESIs must be distinct within each list and below 2^24 - K' + K
 * (RQ_ERR_INVALID_ARGUMENT); RQ_ERR_NEED_MORE_SYMBOLS when the known ones do
 * not determine the block.
 */
rq_status rq_batch_plan_build(rq_context *ctx, const rq_block_constants *c, const uint32_t *known_esis,
                              uint32_t n_known, const uint32_t *wanted_esis, uint32_t n_wanted,
                              rq_batch_plan *out);
void rq_batch_plan_free(rq_batch_plan *p);

/* Puts block inputs (n_known rows of len bytes, in order) and padding zeros into rows. */
void rq_batch_plan_fill(const rq_batch_plan *p, uint8_t *rows, size_t stride, const uint8_t *known, size_t len);

/* Replays the list over one block's rows (p->rows rows of len bytes, stride len), stripe by stripe. */
void rq_batch_plan_replay(const rq_context *ctx, const rq_batch_plan *p, const rq_kernels *k, uint8_t *rows,
                          size_t len);

#endif
