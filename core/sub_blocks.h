/*
 * Where a source block's bytes go (RFC 6330 §4.4.1.2). A block of K symbols
 * is cut into N contiguous sub-blocks; source symbol i is the concatenation,
 * in sub-block order, of the i-th sub-symbol of every sub-block. Coding is
 * bytewise, so a block coded as K whole symbols in that interleaved order
 * gives exactly the concatenation of its sub-blocks coded one by one.
 */
#ifndef RQ_CORE_SUB_BLOCKS_H
#define RQ_CORE_SUB_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"

/* Object bytes of block (layout from rq_oti_block_layout) -> K symbols of T bytes, zero-padded. */
void rq_block_gather(const rq_oti *oti, const rq_block_layout *block, const uint8_t *object,
                     uint8_t *symbols);
/* The inverse: K symbols -> the block's bytes in the object (padding dropped). */
void rq_block_scatter(const rq_oti *oti, const rq_block_layout *block, const uint8_t *symbols,
                      uint8_t *object);

#endif
