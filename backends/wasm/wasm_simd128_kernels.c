/*
 * WebAssembly SIMD128 kernels: backends/simd16_kernels.h over v128_t, the
 * nibble product with i8x16.swizzle (indexes below 16 always, so it is the
 * same lookup as NEON's vqtbl1q_u8). Built only into modules compiled with
 * -msimd128; a module without it has the scalar backend alone.
 */
#include <wasm_simd128.h>

typedef v128_t rq_v16;

static inline rq_v16 v16_load(const uint8_t *p) { return wasm_v128_load(p); }
static inline void v16_store(uint8_t *p, rq_v16 v) { wasm_v128_store(p, v); }
static inline rq_v16 v16_xor(rq_v16 a, rq_v16 b) { return wasm_v128_xor(a, b); }

static inline rq_v16 v16_mul(rq_v16 x, rq_v16 lo, rq_v16 hi)
{
    v128_t l = wasm_v128_and(x, wasm_i8x16_splat(0x0F));
    v128_t h = wasm_u8x16_shr(x, 4);
    return wasm_v128_xor(wasm_i8x16_swizzle(lo, l), wasm_i8x16_swizzle(hi, h));
}

#include "backends/simd16_kernels.h"

static const rq_kernels WASM_SIMD128 = RQ_SIMD16_KERNEL_TABLE("wasm-simd128");

const rq_kernels *rq_kernels_wasm_simd128(void)
{
    rq_nibble_tables_init();
    return &WASM_SIMD128;
}
