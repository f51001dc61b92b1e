/*
 * Batches on the GPU: one batch plan (core/batch_plan.h) replayed over many
 * blocks. Only the known rows go to the device and only the wanted rows come
 * back; the constraint and scratch rows live and die there. Host data passes
 * through page-locked staging, because only page-locked memory copies
 * asynchronously: the calling thread gathers group g+1's inputs into its
 * staging while group g's copies and kernel run on the other stream.
 */
#include <cuda_runtime.h>

#include <algorithm>
#include <stdio.h>
#include <string.h>
#include <vector>

extern "C" {
#include "backends/cuda/cuda_backend.h"
#include "core/batch_plan.h"
}
#include "backends/cuda/cuda_device.cuh"

using namespace rq_cuda;

namespace {

/* Device memory left to other users of the GPU, and for the runtime's own needs. */
const uint64_t kDeviceReserve = 256ull << 20;
/* Groups per batch at least, so that copies and kernels overlap. */
const size_t kMinGroups = 4;

struct Slot {
    uint8_t *rows = nullptr;    /* group * block_bytes, device */
    uint8_t *pin_in = nullptr;  /* group * in_bytes, page-locked */
    uint8_t *pin_out = nullptr; /* group * out_bytes, page-locked */
    cudaStream_t stream = nullptr;
    size_t first = 0, count = 0;
    bool busy = false;
};

struct Run {
    const rq_batch_plan *p;
    size_t len, dstride, block_bytes, in_bytes, out_bytes;
    rq_op *ops = nullptr;
    Slot slot[2];
    char *why;
    size_t why_len;
};

bool failed(Run &r, const char *what, cudaError_t err)
{
    if (err == cudaSuccess)
        return false;
    snprintf(r.why, r.why_len, "%s: %s", what, cudaGetErrorString(err));
    return true;
}

void release(Run &r)
{
    for (Slot &s : r.slot) {
        if (s.stream) {
            cudaStreamSynchronize(s.stream);
            cudaStreamDestroy(s.stream);
        }
        cudaFree(s.rows);
        cudaFreeHost(s.pin_in);
        cudaFreeHost(s.pin_out);
    }
    cudaFree(r.ops);
}

/* Blocks per group: both slots fit the device's free memory and the staging allowance. */
size_t group_size(const Run &r, size_t n_blocks, uint64_t pinned_bytes, uint64_t free_bytes)
{
    uint64_t ops = r.p->n_ops * sizeof(rq_op);
    uint64_t room = free_bytes > kDeviceReserve + ops ? free_bytes - kDeviceReserve - ops : 0;
    uint64_t by_device = room / (2 * (uint64_t)r.block_bytes);
    uint64_t staged = r.in_bytes + r.out_bytes;
    uint64_t by_host = staged ? pinned_bytes / (2 * staged) : n_blocks;
    uint64_t overlap = (n_blocks + kMinGroups - 1) / kMinGroups;
    return (size_t)std::min({(uint64_t)n_blocks, by_device, by_host, overlap});
}

bool setup(Run &r, size_t group)
{
    size_t n = r.p->n_ops * sizeof(rq_op);
    if (failed(r, "copying the plan to the GPU", cudaMalloc(&r.ops, n)) ||
        failed(r, "copying the plan to the GPU", cudaMemcpy(r.ops, r.p->ops, n, cudaMemcpyHostToDevice)))
        return false;
    for (Slot &s : r.slot) {
        if (failed(r, "allocating GPU memory for a group", cudaMalloc(&s.rows, group * r.block_bytes)) ||
            failed(r, "allocating page-locked staging",
                   cudaHostAlloc(&s.pin_in, std::max<size_t>(group * r.in_bytes, 1), cudaHostAllocDefault)) ||
            failed(r, "allocating page-locked staging",
                   cudaHostAlloc(&s.pin_out, std::max<size_t>(group * r.out_bytes, 1), cudaHostAllocDefault)) ||
            failed(r, "creating a stream", cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking)))
            return false;
    }
    return true;
}

/* Queues a group's copies in, padding zeros, the replay and its copies out. */
bool enqueue(Run &r, Slot &s)
{
    const rq_batch_plan *p = r.p;
    size_t len = r.len, ds = r.dstride;
    for (size_t b = 0; b < s.count && p->n_known; b++)
        if (failed(r, "copying symbols to the GPU",
                   cudaMemcpy2DAsync(s.rows + b * r.block_bytes + p->first_input * ds, ds,
                                     s.pin_in + b * r.in_bytes, len, len, p->n_known,
                                     cudaMemcpyHostToDevice, s.stream)))
            return false;
    uint32_t padding = p->n_inputs - p->n_known;
    if (padding && failed(r, "zeroing padding rows",
                          cudaMemset2DAsync(s.rows + (size_t)(p->first_input + p->n_known) * ds, r.block_bytes,
                                            0, padding * ds, s.count, s.stream)))
        return false;
    size_t cols = ds / 16;
    apply_plan_kernel<<<grid_for(s.count * cols), kThreads, 0, s.stream>>>(
        r.ops, p->n_ops, s.rows, s.count, r.block_bytes, ds, cols, device_tables());
    if (failed(r, "starting the replay", cudaGetLastError()))
        return false;
    for (size_t b = 0; b < s.count && p->n_wanted; b++)
        if (failed(r, "copying symbols from the GPU",
                   cudaMemcpy2DAsync(s.pin_out + b * r.out_bytes, len,
                                     s.rows + b * r.block_bytes + (size_t)p->first_output * ds, ds, len,
                                     p->n_wanted, cudaMemcpyDeviceToHost, s.stream)))
            return false;
    s.busy = true;
    return true;
}

/* Waits for a slot's group and hands its symbols out. */
bool finish(Run &r, Slot &s, uint8_t *const *out)
{
    if (!s.busy)
        return true;
    s.busy = false;
    if (failed(r, "coding a group on the GPU", cudaStreamSynchronize(s.stream)))
        return false;
    for (size_t b = 0; b < s.count; b++)
        memcpy(out[s.first + b], s.pin_out + b * r.out_bytes, r.out_bytes);
    return true;
}

int run_groups(Run &r, size_t n_blocks, size_t group, const uint8_t *const *in, uint8_t *const *out,
               rq_cuda_group_fn on_group, void *user)
{
    size_t g = 0;
    for (size_t first = 0; first < n_blocks; first += group, g++) {
        Slot &s = r.slot[g & 1];
        if (!finish(r, s, out))
            return -1;
        if (g >= 2 && on_group && on_group(user, first - group))
            return 1;
        s.first = first;
        s.count = std::min(group, n_blocks - first);
        for (size_t b = 0; b < s.count; b++)
            memcpy(s.pin_in + b * r.in_bytes, in[first + b], r.in_bytes);
        if (!enqueue(r, s))
            return -1;
    }
    /* The older group of the two in flight first. */
    Slot &older = r.slot[g & 1], &newer = r.slot[(g + 1) & 1];
    if (!finish(r, older, out) || !finish(r, newer, out))
        return -1;
    if (on_group && on_group(user, n_blocks))
        return 1;
    return 0;
}

bool start(Run &r, const rq_batch_plan *p, size_t len, char *why, size_t why_len)
{
    r.p = p;
    r.len = len;
    r.dstride = padded(len);
    r.block_bytes = r.dstride * p->rows;
    r.in_bytes = (size_t)p->n_known * len;
    r.out_bytes = (size_t)p->n_wanted * len;
    r.why = why;
    r.why_len = why_len;
    const char *reason;
    if (!rq_cuda_probe(&reason)) {
        snprintf(why, why_len, "%s", reason);
        return false;
    }
    return true;
}

} // namespace

extern "C" int rq_cuda_memory(uint64_t *free_bytes, uint64_t *total_bytes)
{
    size_t f = 0, t = 0;
    const char *reason;
    if (!rq_cuda_probe(&reason) || cudaMemGetInfo(&f, &t) != cudaSuccess)
        return 0;
    *free_bytes = f;
    *total_bytes = t;
    return 1;
}

extern "C" int rq_cuda_run_batch(const rq_batch_plan *p, size_t len, size_t n_blocks, const uint8_t *const *in,
                                 uint8_t *const *out, uint64_t pinned_bytes, rq_cuda_group_fn on_group,
                                 void *user, size_t *group_blocks, char *why, size_t why_len)
{
    Run r;
    if (!start(r, p, len, why, why_len))
        return -1;
    *group_blocks = 0;
    if (n_blocks == 0 || len == 0)
        return 0;
    uint64_t free_bytes = 0, total = 0;
    if (!rq_cuda_memory(&free_bytes, &total)) {
        snprintf(why, why_len, "could not ask the GPU how much memory is free");
        return -1;
    }
    size_t group = group_size(r, n_blocks, pinned_bytes, free_bytes);
    if (group == 0) {
        snprintf(why, why_len,
                 "one block needs %zu bytes on the GPU twice (two groups in flight) and %zu of "
                 "page-locked staging; %llu bytes of GPU memory are free and %llu of staging allowed",
                 r.block_bytes, r.in_bytes + r.out_bytes, (unsigned long long)free_bytes,
                 (unsigned long long)pinned_bytes);
        return -1;
    }
    *group_blocks = group;
    int rc = setup(r, group) ? run_groups(r, n_blocks, group, in, out, on_group, user) : -1;
    release(r);
    return rc;
}

extern "C" int rq_cuda_time_resident(const rq_batch_plan *p, size_t len, size_t n_blocks, int reps,
                                     double *seconds, char *why, size_t why_len)
{
    Run r;
    if (!start(r, p, len, why, why_len))
        return -1;
    Slot &s = r.slot[0];
    s.count = n_blocks;
    std::vector<float> ms;
    cudaEvent_t t0 = nullptr, t1 = nullptr;
    size_t cols = r.dstride / 16;
    bool ok = !failed(r, "copying the plan to the GPU", cudaMalloc(&r.ops, p->n_ops * sizeof(rq_op))) &&
              !failed(r, "copying the plan to the GPU",
                      cudaMemcpy(r.ops, p->ops, p->n_ops * sizeof(rq_op), cudaMemcpyHostToDevice)) &&
              !failed(r, "allocating GPU memory", cudaMalloc(&s.rows, n_blocks * r.block_bytes)) &&
              !failed(r, "filling GPU memory", cudaMemset(s.rows, 0x5a, n_blocks * r.block_bytes)) &&
              !failed(r, "creating events", cudaEventCreate(&t0)) &&
              !failed(r, "creating events", cudaEventCreate(&t1));
    for (int k = 0; ok && k < reps; k++) {
        cudaEventRecord(t0);
        apply_plan_kernel<<<grid_for(n_blocks * cols), kThreads>>>(r.ops, p->n_ops, s.rows, n_blocks,
                                                                   r.block_bytes, r.dstride, cols,
                                                                   device_tables());
        cudaEventRecord(t1);
        float m = 0;
        ok = !failed(r, "running the replay", cudaEventSynchronize(t1)) &&
             !failed(r, "timing the replay", cudaEventElapsedTime(&m, t0, t1));
        ms.push_back(m);
    }
    if (t0)
        cudaEventDestroy(t0);
    if (t1)
        cudaEventDestroy(t1);
    release(r);
    if (!ok || ms.empty())
        return -1;
    std::sort(ms.begin(), ms.end());
    *seconds = ms[ms.size() / 2] / 1000.0;
    return 0;
}
