/*
 * AArch64 NEON kernels: backends/simd16_kernels.h over NEON's 16-byte
 * vectors, the nibble product with vqtbl1q_u8 (as vpshufb in the AVX2
 * backend).
 */
#include <arm_neon.h>

typedef uint8x16_t rq_v16;

static inline rq_v16 v16_load(const uint8_t *p) { return vld1q_u8(p); }
static inline void v16_store(uint8_t *p, rq_v16 v) { vst1q_u8(p, v); }
static inline rq_v16 v16_xor(rq_v16 a, rq_v16 b) { return veorq_u8(a, b); }

static inline rq_v16 v16_mul(rq_v16 x, rq_v16 lo, rq_v16 hi)
{
    uint8x16_t l = vandq_u8(x, vdupq_n_u8(0x0F));
    uint8x16_t h = vshrq_n_u8(x, 4);
    return veorq_u8(vqtbl1q_u8(lo, l), vqtbl1q_u8(hi, h));
}

#include "backends/simd16_kernels.h"

static const rq_kernels NEON = RQ_SIMD16_KERNEL_TABLE("neon");

const rq_kernels *rq_kernels_neon(void)
{
    rq_nibble_tables_init();
    return &NEON;
}
