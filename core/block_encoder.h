/* Internal helpers shared by the block encoder and the decoders. */
#ifndef RQ_CORE_BLOCK_ENCODER_H
#define RQ_CORE_BLOCK_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "backends/kernels.h"
#include "core/plan.h"
#include "rq/rq.h"

/*
 * Enc[] of RFC 6330 §5.3.5.3: writes into out (len bytes) the XOR of the
 * intermediate symbols that ISI isi combines. Intermediate symbol j is the
 * len bytes at rows + map[j]*stride.
 */
void rq_encode_isi(const rq_block_constants *c, const rq_kernels *k, const uint8_t *rows,
                   size_t stride, const uint32_t *map, uint32_t isi, uint8_t *out, size_t len);
/* The same from the ISI's n >= 1 neighbours (rq_neighbours, or core/source_rows.h). */
void rq_encode_neighbours(const rq_kernels *k, const uint8_t *rows, size_t stride,
                          const uint32_t *map, const uint32_t *nb, uint32_t n, uint8_t *out,
                          size_t len);
/*
 * Wanted symbol m (ISI isi, len bytes) after plan's replay over rows: its own
 * row where the plan rebuilt it (plan->wanted_row), else its Enc[] over the
 * intermediate symbols, written into scratch. Returns where it is.
 */
const uint8_t *rq_plan_wanted_symbol(const rq_plan *plan, const rq_kernels *k, const uint8_t *rows,
                                     size_t stride, uint32_t m, uint32_t isi, uint8_t *scratch,
                                     size_t len);

#endif
