/*
 * The kernel table every backend fills: the byte loops RaptorQ spends its time
 * in, over GF(256) with polynomial 0x11D. Core code records row operations as
 * a plan (rq_op list) and hands it to apply_plan; nothing else touches bytes.
 */
#ifndef RQ_BACKENDS_KERNELS_H
#define RQ_BACKENDS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/*
 * One row operation of a plan, 8 bytes:
 *   src == dst:              row[dst] = coef * row[dst]        (scale)
 *   src != dst, coef == 1:   row[dst] ^= row[src]              (xor)
 *   src != dst, coef >= 2:   row[dst] ^= coef * row[src]       (fma)
 * dst_coef packs the destination row (low 24 bits) and coef (high 8 bits).
 */
typedef struct rq_op {
    uint32_t dst_coef;
    uint32_t src;
} rq_op;

#define RQ_OP_MAX_ROWS (1u << 24)

static inline rq_op rq_op_make(uint32_t dst, uint32_t src, uint8_t coef)
{
    rq_op op = {dst | (uint32_t)coef << 24, src};
    return op;
}
static inline uint32_t rq_op_dst(rq_op op) { return op.dst_coef & 0xFFFFFFu; }
static inline uint8_t rq_op_coef(rq_op op) { return (uint8_t)(op.dst_coef >> 24); }

typedef struct rq_kernels {
    const char *name;
    /* dst[i] ^= src[i] */
    void (*xor_into)(uint8_t *dst, const uint8_t *src, size_t len);
    /* dst[i] ^= c * src[i] */
    void (*fma_into)(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len);
    /* dst[i] = c * dst[i] */
    void (*scale)(uint8_t *dst, uint8_t c, size_t len);
    /*
     * Replays ops over rows: row r is the len bytes at rows + r*stride. With
     * stride > len a plan is replayed on one stripe (or sub-block) of wider rows.
     */
    void (*apply_plan)(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t stride, size_t len);
} rq_kernels;

/* The scalar reference backend (always built). */
const rq_kernels *rq_kernels_scalar(void);

/* The backend chosen by runtime dispatch; never NULL. */
const rq_kernels *rq_kernels_active(void);

#endif
