/*
 * A plan: the data-independent row operations that turn a block's known
 * symbols into its L intermediate symbols (RFC 6330 §5.4), recorded once and
 * replayed by a kernel backend over any number of blocks or sub-blocks.
 *
 * Working rows of a plan, each one symbol (or stripe) wide:
 *   0 .. S-1              LDPC constraint rows   (start as zero)
 *   S .. S+H-1            HDPC constraint rows   (start as zero)
 *   S+H .. S+H+n-1        the n known symbols, in the order of the ISIs given
 *   S+H+n                 one scratch row        (starts as zero)
 * After replay, intermediate symbol C[j] is in row intermediate[j].
 */
#ifndef RQ_CORE_PLAN_H
#define RQ_CORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "backends/kernels.h"
#include "rq/rq.h"

typedef struct rq_plan {
    rq_block_constants constants;
    uint32_t n_inputs;      /* known symbols (ISIs) the plan was made for */
    uint32_t rows;          /* working rows, scratch included */
    uint32_t first_input;   /* S + H */
    uint32_t *intermediate; /* L entries */
    rq_op *ops;
    size_t n_ops;
    uint32_t inactivated;   /* columns solved densely (statistics) */
} rq_plan;

/*
 * Solves the constraint system for block constants c and the known ISIs.
 * RQ_ERR_NEED_MORE_SYMBOLS when those ISIs do not determine C.
 */
rq_status rq_plan_build(const rq_block_constants *c, const uint32_t *isis, uint32_t n_isis,
                        rq_plan **out);
void rq_plan_free(rq_plan *plan);
size_t rq_plan_bytes(const rq_plan *plan);

/*
 * Replays the plan over a working buffer of plan->rows rows of len bytes at
 * distance stride (input rows filled, all other rows zero).
 */
void rq_plan_apply(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                   size_t len);

/* Encoding plans (ISIs 0..K'-1) shared per K', thread-safe, bounded in memory. */
rq_status rq_plan_cache_acquire(uint32_t k_prime, const rq_plan **out);
void rq_plan_cache_release(const rq_plan *plan);
/* Upper bound (bytes) on plans kept while unused; default 64 MiB. */
void rq_plan_cache_set_limit(size_t bytes);

#endif
