/*
 * The manifest of `rq batch`: one JSON object per line, each a job, e.g.
 *   {"op": "encode", "input": "a.bin", "output": "a.symbols", "redundancy": 2}
 * op is encode, decode, verify, repair or reencode; input the file (encode)
 * or the symbol directory; output the symbol directory (encode, reencode)
 * or the file (decode), absent for verify and repair; "layout" names a
 * layout outside the symbol directory; the settings symbol_size,
 * redundancy, block_size, format ("librq" or "rq-library") and overwrite
 * (true/false) apply to that job. Blank lines and lines starting with '#'
 * are skipped. Anything else is refused with its line number, before any
 * job runs.
 */
#ifndef RQ_CLI_BATCH_MANIFEST_H
#define RQ_CLI_BATCH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq_batch.h"
#include "rq/rq_file.h"

typedef struct batch_job {
    size_t line;      /* in the manifest, from 1 */
    rq_job_op op;
    char *input, *output, *layout;
    rq_job_setting settings[8];
    size_t n_settings;
    uint64_t bytes;   /* the file's size, as far as known before running: what makes a job large */
} batch_job;

typedef struct batch_manifest {
    batch_job *jobs;
    size_t n_jobs;
} batch_manifest;

/* Reads path ("-": standard input). 0, or a CLI exit code with the message printed. */
int batch_manifest_read(const char *path, batch_manifest *out);
void batch_manifest_free(batch_manifest *m);
const char *batch_op_name(rq_job_op op);

#endif
