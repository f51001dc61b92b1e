/* The pass engine's buffers for one block, seen from C (its job and session
 * types use C atomics, which C++ cannot include). */
#ifndef RQ_TESTS_PASS_ENGINE_PROBE_H
#define RQ_TESTS_PASS_ENGINE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pass_engine_probe {
    int status;                  /* rq_status of the first step that failed, else RQ_OK */
    uint64_t room;               /* rq_job_single_pass_bytes for the block */
    size_t n_passes, row_stride; /* what the engine chose */
    size_t plan_rows, plan_bytes;
    size_t rows_cap, buf_cap, scratch_cap; /* the buffers it fitted */
} pass_engine_probe;

/* Prepares the engine for an encoding plan of K source symbols of T bytes (one
 * sub-block) on a two-worker job, within the block's single-pass bytes. */
pass_engine_probe probe_pass_engine(uint32_t K, uint32_t T);

#ifdef __cplusplus
}
#endif

#endif
