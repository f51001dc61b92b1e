/*
 * What the WebAssembly module adds to librq's exports: which build it is, so
 * that the JavaScript side can check it loaded the flavour it asked for.
 */
#include <emscripten.h>

/* 1 in modules built with the SIMD128 kernels, else 0. */
EMSCRIPTEN_KEEPALIVE int rq_wasm_built_with_simd(void)
{
#if defined(__wasm_simd128__)
    return 1;
#else
    return 0;
#endif
}
