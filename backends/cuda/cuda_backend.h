/* Host-side view of the CUDA backend (built only when CMake finds nvcc). */
#ifndef RQ_BACKENDS_CUDA_BACKEND_H
#define RQ_BACKENDS_CUDA_BACKEND_H

#include "backends/kernels.h"

/* 1 when a CUDA device is present and set up; else 0 and *reason says why. */
int rq_cuda_probe(const char **reason);
const rq_kernels *rq_kernels_cuda(void);

#endif
