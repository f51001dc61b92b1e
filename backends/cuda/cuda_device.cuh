/*
 * Device code both CUDA sources launch (cuda_kernels.cu: the kernel table;
 * cuda_batch.cu: batches with pinned staging and streams). Each source
 * compiles its own (static) copy, so no relocatable device code is needed.
 */
#ifndef RQ_BACKENDS_CUDA_CUDA_DEVICE_CUH
#define RQ_BACKENDS_CUDA_CUDA_DEVICE_CUH

#include <stddef.h>
#include <stdint.h>

extern "C" {
#include "backends/kernels.h"
}

namespace rq_cuda {

struct DeviceTables {
    uint8_t log[256];
    uint8_t exp[512];
};

/* The GF(256) tables on the device (set up by rq_cuda_probe). */
const DeviceTables *device_tables();

const int kThreads = 256;

static __device__ __forceinline__ void load_tables(const DeviceTables *g, uint8_t *s_log, uint8_t *s_exp)
{
    for (int i = threadIdx.x; i < 256; i += blockDim.x)
        s_log[i] = g->log[i];
    for (int i = threadIdx.x; i < 510; i += blockDim.x)
        s_exp[i] = g->exp[i];
    __syncthreads();
}

/* c*x for the 16 bytes of v, with log_c = log(c), c != 0. */
static __device__ __forceinline__ uint4 mul16(uint4 v, unsigned log_c, const uint8_t *s_log,
                                       const uint8_t *s_exp)
{
    uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int k = 0; k < 4; k++) {
        uint32_t out = 0;
#pragma unroll
        for (int b = 0; b < 4; b++) {
            uint32_t x = (w[k] >> (8 * b)) & 0xFFu;
            uint32_t p = x ? s_exp[s_log[x] + log_c] : 0u;
            out |= p << (8 * b);
        }
        w[k] = out;
    }
    return make_uint4(w[0], w[1], w[2], w[3]);
}

static __device__ __forceinline__ uint4 xor16(uint4 a, uint4 b)
{
    return make_uint4(a.x ^ b.x, a.y ^ b.y, a.z ^ b.z, a.w ^ b.w);
}

/*
 * Replays ops over n_blocks blocks: block b's row r is at
 * rows + b*block_stride + r*stride; cols 16-byte columns per row.
 */
static __global__ void apply_plan_kernel(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t n_blocks,
                                  size_t block_stride, size_t stride, size_t cols,
                                  const DeviceTables *tables)
{
    __shared__ uint8_t s_log[256];
    __shared__ uint8_t s_exp[512];
    load_tables(tables, s_log, s_exp);
    size_t g = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (g >= n_blocks * cols)
        return;
    size_t b = g / cols, col = g % cols;
    uint8_t *base = rows + b * block_stride + col * 16;
    for (size_t k = 0; k < n_ops; k++) {
        rq_op op = ops[k];
        uint32_t dst = op.dst_coef & 0xFFFFFFu;
        unsigned coef = op.dst_coef >> 24;
        uint4 *d = (uint4 *)(base + (size_t)dst * stride);
        uint4 s = *(const uint4 *)(base + (size_t)op.src * stride);
        bool copy = coef == 0 && op.src != dst; /* row[dst] = row[src] */
        uint4 p = coef == 1 || copy ? s : (coef == 0 ? make_uint4(0, 0, 0, 0) : mul16(s, s_log[coef], s_log, s_exp));
        *d = op.src == dst || copy ? p : xor16(*d, p);
    }
}

inline size_t padded(size_t len)
{
    return (len + 15) / 16 * 16;
}

inline size_t grid_for(size_t threads)
{
    return (threads + kThreads - 1) / kThreads;
}

} // namespace rq_cuda

#endif
