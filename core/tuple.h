/* Rand, Deg and Tuple of RFC 6330 §5.3.5, and the neighbour list of one ISI. */
#ifndef RQ_CORE_TUPLE_H
#define RQ_CORE_TUPLE_H

#include <stdint.h>

#include "rq/rq.h"

uint32_t rq_rand(uint32_t y, uint32_t i, uint32_t m);

typedef struct rq_tuple {
    uint32_t d, a, b, d1, a1, b1;
} rq_tuple;

rq_tuple rq_tuple_of(const rq_block_constants *c, uint32_t isi);

/* Most intermediate symbols one encoding symbol can touch: d <= W-2 LT plus d1 <= 3 PI. */
#define RQ_MAX_NEIGHBOURS_EXTRA 3u

/*
 * Intermediate-symbol indices that Enc[K', C, Tuple[K', isi]] XORs together,
 * in the order Enc visits them: d LT neighbours (< W), then d1 PI
 * neighbours (>= W). Writes at most W-2+3 entries; returns the count.
 */
uint32_t rq_neighbours(const rq_block_constants *c, uint32_t isi, uint32_t *out);

#endif
