/*
 * Which held symbols a source block is decoded from: every source symbol
 * held, then repairs in ESI order (each ESI once), K + RQ_DECODE_EXTRA_SYMBOLS
 * of them and, if those are dependent, everything held; and the solved plan.
 */
#ifndef RQ_RUNTIME_SYMBOL_CHOICE_H
#define RQ_RUNTIME_SYMBOL_CHOICE_H

#include "core/params.h"
#include "core/plan.h"
#include "runtime/chunk_scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The symbols of one source block chosen for decoding, and the plan for them. */
typedef struct rq_block_choice {
    rq_block_constants c;
    rq_held_symbol **use;       /* sources first, then repairs */
    uint32_t n_use, n_source;
    uint8_t *have_source;    /* K flags */
    rq_plan *plan;           /* NULL when every source symbol is held */
    uint32_t needed;         /* > 0: cannot decode, this many more needed at least */
} rq_block_choice;

/*
 * What a block's plan is for (rq_plan_build_wanted): the source symbols not
 * held, in ESI order, and/or the given ESIs after them. A plan may then leave
 * those symbols in its wanted rows instead of giving C.
 */
typedef struct rq_block_wants {
    int missing_sources;
    const uint32_t *esis;
    uint32_t n_esis;
} rq_block_wants;

/*
 * Chooses the symbols of source block sbn (K source symbols) among those
 * scan holds and not gone, and solves for them (for wants, if not NULL).
 * ch->needed > 0 when they cannot decode it (at least that many more are
 * needed).
 */
rq_status rq_block_choose(rq_context *ctx, rq_chunk_scan *scan, uint32_t sbn, uint32_t K,
                         const rq_block_wants *wants, rq_block_choice *ch);
void rq_block_choice_free(rq_block_choice *ch);
/* qsort order of rq_held_symbol pointers by ESI. */
int rq_held_by_esi(const void *a, const void *b);

#ifdef __cplusplus
}
#endif

#endif
