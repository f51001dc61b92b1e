/*
 * Bounded-memory coding of one source block: its N sub-blocks (contiguous in
 * the object, RFC 6330 §4.4.1.2) are grouped into passes that fit the memory
 * budget, and one plan is replayed on each pass's slice [w0, w0+width) of
 * every symbol. A pass's source bytes are one contiguous range of the file;
 * its buffer holds them in file order (sub-block-major).
 */
#ifndef RQ_RUNTIME_BLOCK_PASSES_H
#define RQ_RUNTIME_BLOCK_PASSES_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"
#include "rq/rq.h"

typedef struct rq_pass {
    uint32_t first_sub, end_sub; /* sub-blocks [first_sub, end_sub) */
    size_t w0, width;            /* bytes [w0, w0+width) of every symbol */
} rq_pass;

/* Byte range of sub-block j within a symbol. */
void rq_sub_block_span(const rq_oti *oti, uint32_t j, size_t *offset, size_t *width);

/*
 * Splits a block's sub-blocks into passes of at most `budget` bytes, a pass
 * of width w costing w * bytes_per_width and the padding of strided_rows
 * rows laid out rq_row_stride(w) apart (core/plan.h) instead of w. out has
 * room for N passes. Returns
 * the number of passes, or 0 when one sub-block alone does not fit (then
 * *need is what the widest sub-block would cost).
 */
size_t rq_plan_passes(const rq_oti *oti, uint64_t bytes_per_width, uint32_t strided_rows,
                      uint64_t budget, rq_pass *out,
                      uint64_t *need);

/* One symbol's pass slice (row, pass width) -> its place for symbol i in the pass buffer. */
void rq_row_to_pass(const rq_oti *oti, const rq_pass *pass, uint32_t k, uint32_t i,
                    const uint8_t *row, uint8_t *buf);

/*
 * Bytes [from, from + len) of the pass buffer's layout (src; NULL: zeros)
 * into the rows of the symbols they belong to: symbol i's row is
 * rq_plan_input_row(plan, i), row_stride bytes apart. For a pass read piece
 * by piece, without a buffer of the whole pass.
 */
void rq_pass_range_to_rows(const rq_oti *oti, const rq_pass *pass, uint32_t k, size_t from,
                           const uint8_t *src, size_t len, uint8_t *rows, size_t row_stride,
                           const rq_plan *plan);

#endif
