/*
 * Where a batch runs (include/rq/rq_batch.h): the context's backend decides
 * when it names one; under RQ_BACKEND_AUTO a cost model sets the CPU's
 * replay time (the plan's row operations over every block, shared by the
 * workers) against the GPU's (page-locked staging, copies over the bus, the
 * replay on the device; copies and replay overlap, so the slower of them).
 */
#ifndef RQ_RUNTIME_BATCH_COST_H
#define RQ_RUNTIME_BATCH_COST_H

#include <stddef.h>
#include <stdint.h>

#include "core/batch_plan.h"
#include "rq/rq_batch.h"
#include "runtime/session_internal.h"

typedef struct rq_batch_choice {
    rq_batch_device device;
    int forced;       /* RQ_BACKEND_CUDA: no falling back to the CPU */
    uint64_t staging; /* page-locked bytes a GPU run may take */
    double cpu_s, gpu_s; /* the model's estimates (0 when it was not asked) */
    char reason[160];
} rq_batch_choice;

void rq_batch_choose(const rq_job *job, const rq_batch_plan *p, size_t T, size_t n_blocks, rq_batch_choice *out);

#endif
