/* What the file jobs (encode, decode, verify) share. */
#ifndef RQ_RUNTIME_FILE_JOBS_H
#define RQ_RUNTIME_FILE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq_file.h"
#include "runtime/layout.h"

/* Per-chunk figures a decode or verify gathers, for the result JSON. */
typedef struct rq_chunk_report {
    uint64_t good, corrupt, missing;
    uint32_t needed; /* more symbols needed; 0 when decodable */
    int decodable;
} rq_chunk_report;

/*
 * Fills result (counts and JSON) from the layout. kind: "encode", "decode"
 * or "verify"; reports: one per block for decode/verify, else NULL.
 */
rq_status rq_job_result(const rq_layout *layout, const char *kind, const char *symbols_dir,
                        const char *layout_path, double seconds, rq_file_result *result);
rq_status rq_job_result_with_reports(const rq_layout *layout, const char *kind,
                                     const char *symbols_dir, const char *layout_path,
                                     double seconds, const rq_chunk_report *reports,
                                     rq_file_result *result);

#endif
