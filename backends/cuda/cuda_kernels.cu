/*
 * CUDA backend. Device side: one thread owns one 16-byte column of one
 * block's rows and runs the whole op list down it, so a plan needs no
 * synchronisation at all: columns (and blocks) are independent because every
 * operation is bytewise. GF(256) products use log/exp tables in shared memory.
 *
 * Host side: the rq_kernels entry points take host memory, copy it to the
 * device with rows re-strided to a multiple of 16 bytes (so device loads are
 * aligned uint4s whatever the host layout), run, and copy the results back.
 * That pays for batches (one plan over many blocks, or a large matrix
 * product), not for single small operations, so dispatch never picks CUDA on
 * its own.
 */
#include <cuda_runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "backends/cuda/cuda_backend.h"
#include "backends/kernels.h"
#include "core/gf256.h"
}
#include "backends/cuda/cuda_device.cuh"

using namespace rq_cuda;

namespace {

/* out[i] = sum_j matrix[i*k + j] * in[j], rows of 16-byte columns. */
__global__ void matmul_kernel(const uint8_t *matrix, size_t m, size_t k, const uint8_t *in,
                              size_t in_stride, uint8_t *out, size_t out_stride, size_t cols,
                              const DeviceTables *tables)
{
    __shared__ uint8_t s_log[256];
    __shared__ uint8_t s_exp[512];
    load_tables(tables, s_log, s_exp);
    size_t col = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= cols)
        return;
    for (size_t i = 0; i < m; i++) {
        uint4 acc = make_uint4(0, 0, 0, 0);
        for (size_t j = 0; j < k; j++) {
            unsigned c = matrix[i * k + j];
            if (!c)
                continue;
            uint4 v = *(const uint4 *)(in + j * in_stride + col * 16);
            acc = xor16(acc, c == 1 ? v : mul16(v, s_log[c], s_log, s_exp));
        }
        *(uint4 *)(out + i * out_stride + col * 16) = acc;
    }
}

DeviceTables *tables_on_device;
char probe_message[160];
const char *probe_reason = "not probed";
int probe_ok;

void probe_once()
{
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
        snprintf(probe_message, sizeof probe_message, "no usable CUDA device (%s)",
                 cudaGetErrorString(err));
        probe_reason = probe_message;
        return;
    }
    if (n == 0) {
        probe_reason = "no CUDA device present";
        return;
    }
    rq_gf_init();
    DeviceTables host;
    memcpy(host.log, rq_gf_log, 256);
    memcpy(host.exp, rq_gf_exp, 510);
    host.exp[510] = host.exp[511] = 0;
    if (cudaMalloc(&tables_on_device, sizeof host) != cudaSuccess ||
        cudaMemcpy(tables_on_device, &host, sizeof host, cudaMemcpyHostToDevice) != cudaSuccess) {
        probe_reason = "could not set up the GF(256) tables on the device";
        return;
    }
    probe_ok = 1;
    probe_reason = "";
}

/*
 * Host rows (n_blocks blocks of n_rows rows) -> device, replay, -> host.
 * Returns 0 on success; on a CUDA error the host rows are left as they were.
 */
int replay_on_device(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t n_rows, size_t n_blocks,
                     size_t block_stride, size_t stride, size_t len)
{
    if (len == 0 || n_blocks == 0 || n_ops == 0)
        return 0;
    size_t dstride = padded(len), dblock = dstride * n_rows;
    uint8_t *drows = NULL;
    rq_op *dops = NULL;
    int ok = cudaMalloc(&drows, dblock * n_blocks) == cudaSuccess &&
             cudaMalloc(&dops, n_ops * sizeof *ops) == cudaSuccess &&
             cudaMemcpy(dops, ops, n_ops * sizeof *ops, cudaMemcpyHostToDevice) == cudaSuccess;
    for (size_t b = 0; ok && b < n_blocks; b++)
        ok = cudaMemcpy2D(drows + b * dblock, dstride, rows + b * block_stride, stride, len, n_rows,
                          cudaMemcpyHostToDevice) == cudaSuccess;
    if (ok) {
        size_t cols = dstride / 16;
        apply_plan_kernel<<<grid_for(n_blocks * cols), kThreads>>>(dops, n_ops, drows, n_blocks, dblock,
                                                                   dstride, cols, tables_on_device);
        ok = cudaGetLastError() == cudaSuccess && cudaDeviceSynchronize() == cudaSuccess;
    }
    for (size_t b = 0; ok && b < n_blocks; b++)
        ok = cudaMemcpy2D(rows + b * block_stride, stride, drows + b * dblock, dstride, len, n_rows,
                          cudaMemcpyDeviceToHost) == cudaSuccess;
    cudaFree(drows);
    cudaFree(dops);
    return ok ? 0 : -1;
}

/* Rows a plan touches: one more than the largest row index. */
size_t rows_of(const rq_op *ops, size_t n_ops)
{
    size_t n = 0;
    for (size_t k = 0; k < n_ops; k++) {
        size_t d = ops[k].dst_coef & 0xFFFFFFu, s = ops[k].src;
        n = d + 1 > n ? d + 1 : n;
        n = s + 1 > n ? s + 1 : n;
    }
    return n;
}

/* The single-operation entry points: a one-op plan over two rows. */
void single_op(uint8_t *dst, const uint8_t *src, uint8_t coef, size_t len, int scale)
{
    if (len == 0)
        return;
    if (scale) {
        rq_op op = rq_op_make(0, 0, coef);
        if (replay_on_device(&op, 1, dst, 1, 1, 0, len, len) != 0)
            rq_kernels_scalar()->scale(dst, coef, len);
        return;
    }
    /* rows: 0 = dst, 1 = a copy of src placed after it on the device */
    uint8_t *pair = (uint8_t *)malloc(2 * len);
    if (!pair) {
        rq_kernels_scalar()->fma_into(dst, src, coef, len);
        return;
    }
    memcpy(pair, dst, len);
    memcpy(pair + len, src, len);
    rq_op op = rq_op_make(0, 1, coef);
    if (replay_on_device(&op, 1, pair, 2, 1, 0, len, len) == 0)
        memcpy(dst, pair, len);
    else
        rq_kernels_scalar()->fma_into(dst, src, coef, len);
    free(pair);
}

void cuda_xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
    single_op(dst, src, 1, len, 0);
}

void cuda_xor_many(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    for (size_t k = 0; k < n; k++)
        single_op(dst, srcs[k], 1, len, 0);
}

void cuda_fma_into(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
{
    if (c)
        single_op(dst, src, c, len, 0);
}

void cuda_scale(uint8_t *dst, uint8_t c, size_t len)
{
    single_op(dst, NULL, c, len, 1);
}

void cuda_apply_plan_batch(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t n_blocks,
                           size_t block_stride, size_t stride, size_t len)
{
    if (replay_on_device(ops, n_ops, rows, rows_of(ops, n_ops), n_blocks, block_stride, stride, len) != 0)
        rq_kernels_scalar()->apply_plan_batch(ops, n_ops, rows, n_blocks, block_stride, stride, len);
}

void cuda_apply_plan(const rq_op *ops, size_t n_ops, uint8_t *rows, size_t stride, size_t len)
{
    cuda_apply_plan_batch(ops, n_ops, rows, 1, 0, stride, len);
}

void cuda_gf_matmul(const uint8_t *matrix, size_t m, size_t k, const uint8_t *in, size_t in_stride,
                    uint8_t *out, size_t out_stride, size_t len)
{
    if (len == 0 || m == 0)
        return;
    size_t dstride = padded(len);
    uint8_t *dmat = NULL, *din = NULL, *dout = NULL;
    int ok = cudaMalloc(&dmat, m * k + 1) == cudaSuccess && cudaMalloc(&din, dstride * k + 16) == cudaSuccess &&
             cudaMalloc(&dout, dstride * m) == cudaSuccess &&
             cudaMemcpy(dmat, matrix, m * k, cudaMemcpyHostToDevice) == cudaSuccess &&
             (k == 0 || cudaMemcpy2D(din, dstride, in, in_stride, len, k, cudaMemcpyHostToDevice) == cudaSuccess);
    if (ok) {
        size_t cols = dstride / 16;
        matmul_kernel<<<grid_for(cols), kThreads>>>(dmat, m, k, din, dstride, dout, dstride, cols,
                                                    tables_on_device);
        ok = cudaGetLastError() == cudaSuccess && cudaDeviceSynchronize() == cudaSuccess &&
             cudaMemcpy2D(out, out_stride, dout, dstride, len, m, cudaMemcpyDeviceToHost) == cudaSuccess;
    }
    cudaFree(dmat);
    cudaFree(din);
    cudaFree(dout);
    if (!ok)
        rq_kernels_scalar()->gf_matmul(matrix, m, k, in, in_stride, out, out_stride, len);
}

/* gf_matmul over rows anywhere: the rows go to the device one by one, then as gf_matmul. */
void cuda_gf_matmul_ptrs(const uint8_t *matrix, size_t m, size_t k, const uint8_t *const *in,
                         uint8_t *const *out, size_t len)
{
    if (len == 0 || m == 0)
        return;
    size_t dstride = padded(len);
    uint8_t *dmat = NULL, *din = NULL, *dout = NULL;
    int ok = cudaMalloc(&dmat, m * k + 1) == cudaSuccess && cudaMalloc(&din, dstride * k + 16) == cudaSuccess &&
             cudaMalloc(&dout, dstride * m) == cudaSuccess &&
             cudaMemcpy(dmat, matrix, m * k, cudaMemcpyHostToDevice) == cudaSuccess;
    for (size_t j = 0; ok && j < k; j++)
        ok = cudaMemcpy(din + j * dstride, in[j], len, cudaMemcpyHostToDevice) == cudaSuccess;
    if (ok) {
        size_t cols = dstride / 16;
        matmul_kernel<<<grid_for(cols), kThreads>>>(dmat, m, k, din, dstride, dout, dstride, cols,
                                                    tables_on_device);
        ok = cudaGetLastError() == cudaSuccess && cudaDeviceSynchronize() == cudaSuccess;
    }
    for (size_t i = 0; ok && i < m; i++)
        ok = cudaMemcpy(out[i], dout + i * dstride, len, cudaMemcpyDeviceToHost) == cudaSuccess;
    cudaFree(dmat);
    cudaFree(din);
    cudaFree(dout);
    if (!ok)
        rq_kernels_scalar()->gf_matmul_ptrs(matrix, m, k, in, out, len);
}

void cuda_xor_set(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
{
    memcpy(dst, srcs[0], len);
    cuda_xor_many(dst, srcs + 1, n - 1, len);
}

void cuda_fma_many(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs, size_t n, size_t len)
{
    rq_fma_many_each(dst, srcs, coefs, n, len, cuda_fma_into);
}

const rq_kernels CUDA_KERNELS = {
    "cuda", cuda_xor_into, cuda_xor_many, cuda_fma_into, cuda_scale, cuda_apply_plan, cuda_apply_plan_batch,
    cuda_gf_matmul, cuda_fma_many, cuda_xor_set,
    nullptr, /* apply_plan_split: core/plan.c replays split rows with the kernels above */
    rq_stream_rows_memcpy, /* host memory */
    cuda_gf_matmul_ptrs,
};

} // namespace

const DeviceTables *rq_cuda::device_tables()
{
    return tables_on_device;
}

extern "C" int rq_cuda_probe(const char **reason)
{
    static int done;
    /* Probed once, from dispatch's pthread_once, so no lock is needed here. */
    if (!done) {
        probe_once();
        done = 1;
    }
    if (reason)
        *reason = probe_reason;
    return probe_ok;
}

extern "C" const rq_kernels *rq_kernels_cuda(void)
{
    return &CUDA_KERNELS;
}
