/* Host-side view of the CUDA backend (built only when CMake finds nvcc). */
#ifndef RQ_BACKENDS_CUDA_CUDA_BACKEND_H
#define RQ_BACKENDS_CUDA_CUDA_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "backends/kernels.h"
#include "core/batch_plan.h"

/* 1 when a CUDA device is present and set up; else 0 and *reason says why. */
int rq_cuda_probe(const char **reason);
const rq_kernels *rq_kernels_cuda(void);

/* The device's free and total memory in bytes; 0 when it cannot be asked. */
int rq_cuda_memory(uint64_t *free_bytes, uint64_t *total_bytes);

/* Called after each group of blocks is back in the caller's buffers; nonzero stops the run. */
typedef int (*rq_cuda_group_fn)(void *user, size_t blocks_done);

/*
 * Codes n_blocks blocks through batch plan p on the GPU: block b's known
 * symbols (p->n_known rows of len bytes) are read from in[b], its wanted
 * ones written to out[b]. The blocks go in groups that fit the GPU's free
 * memory and pinned_bytes of page-locked host staging, two groups in flight
 * on two streams (one group's copies overlap the other's kernel).
 * *group_blocks says how many blocks a group held. Returns 0; -1 with why
 * set (the outputs of finished groups are written, the rest untouched); 1
 * when on_group asked to stop.
 */
int rq_cuda_run_batch(const rq_batch_plan *p, size_t len, size_t n_blocks, const uint8_t *const *in,
                      uint8_t *const *out, uint64_t pinned_bytes, rq_cuda_group_fn on_group, void *user,
                      size_t *group_blocks, char *why, size_t why_len);

/*
 * Seconds per replay of p over n_blocks blocks already on the device (the
 * kernel alone, median of reps), for the benchmark. 0; -1 with why set.
 */
int rq_cuda_time_resident(const rq_batch_plan *p, size_t len, size_t n_blocks, int reps, double *seconds,
                          char *why, size_t why_len);

#endif
