/* What a k+m coder holds (the public side is include/rq/rq_ec.h). */
#ifndef RQ_CORE_EC_CODER_H
#define RQ_CORE_EC_CODER_H

#include <stdint.h>

#include "backends/kernels.h"
#include "core/ec_cache.h"
#include "rq/rq_ec.h"

struct rq_ec_coder {
    rq_context *ctx;
    const rq_kernels *kernels;
    uint32_t k, m;
    rq_ec_scheme scheme;
    uint32_t *esis;
    uint8_t *gen; /* m x k: the generator (core/ec_matrix.h) */
    rq_ec_cache cache;
};

#endif
