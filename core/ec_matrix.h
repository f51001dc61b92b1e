/*
 * The matrices of the k+m coders (include/rq/rq_ec.h): the generator, whose
 * row j holds the coefficients of the data units in the repair symbol with
 * ESI esis[j], and the decode matrix of an erasure pattern, solved from it.
 */
#ifndef RQ_CORE_EC_MATRIX_H
#define RQ_CORE_EC_MATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"

/*
 * gen[j * k + i] = coefficient of source symbol i (of a block of K = k) in
 * the encoding symbol with ESI esis[j], for j < n: found by encoding the
 * identity a slice of columns at a time, so memory stays near 16 MiB.
 */
rq_status rq_ec_generator(rq_context *ctx, uint32_t k, const uint32_t *esis, uint32_t n,
                          uint8_t *gen);

/* An erasure pattern over k + m units: which units may be read, which are asked for. */
typedef struct rq_ec_pattern {
    uint32_t k, m;
    const uint8_t *readable; /* k + m flags; asked units are never readable */
    const uint32_t *asked;
    uint32_t n_asked;
} rq_ec_pattern;

/*
 * The decode matrix: asked unit a = sum over r < n_inputs of
 * coefs[a * n_inputs + r] * unit inputs[r]. inputs has room for k units and
 * coefs for n_asked * k; n_inputs <= k. RQ_ERR_UNDECODABLE if some asked
 * unit is not a combination of the readable ones: *rank is then the rank of
 * the readable parities over the unreadable data units and *unknown their
 * number.
 */
rq_status rq_ec_solve(const uint8_t *gen, const rq_ec_pattern *p, uint8_t *coefs,
                      uint32_t *inputs, uint32_t *n_inputs, uint32_t *rank, uint32_t *unknown);

/* Whether the readable units determine every data unit (rank of the readable parities over the rest). */
int rq_ec_data_recoverable(const uint8_t *gen, uint32_t k, uint32_t m, const uint8_t *readable);

#endif
