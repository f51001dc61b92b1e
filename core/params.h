/* Per-block constants (RFC 6330 §5.3.3.3) and the Partition function (§4.4.1.2). */
#ifndef RQ_CORE_PARAMS_H
#define RQ_CORE_PARAMS_H

#include <stdint.h>

#include "rq/rq.h"

/* Fills every field of rq_block_constants for K source symbols (1..56403). */
rq_status rq_params_for(uint32_t source_symbols, rq_block_constants *out);

/* Smallest Table 2 entry K' >= k, or 0 when k > 56403. */
uint32_t rq_params_k_prime(uint32_t k);

/* Largest Table 2 entry K' <= k, or 0 when k < 10. */
uint32_t rq_params_k_prime_at_most(uint64_t k);

/* Partition[I, J] of RFC 6330 §4.4.1.2: I items into J parts, J >= 1. */
typedef struct rq_partition {
    uint64_t il, is, jl, js;
} rq_partition;
rq_partition rq_partition_of(uint64_t items, uint64_t parts);

#endif
