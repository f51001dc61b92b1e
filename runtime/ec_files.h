/*
 * `rq ec` over files: a file cut into stripes of k cells becomes k + m unit
 * files (OUT_DIR/unit_<i>: unit i's cell of every stripe, in stripe order,
 * like an HDFS internal block) and a manifest (runtime/ec_manifest.h); the
 * file comes back from any units that rebuild it, and lost or damaged units
 * are rewritten byte for byte. Stripes are coded a batch at a time by the
 * job's workers, so memory stays at batch * (k + m) * cell bytes. Outputs
 * appear under their final names only when complete (runtime/temp_file.h);
 * the manifest is written last.
 */
#ifndef RQ_RUNTIME_EC_FILES_H
#define RQ_RUNTIME_EC_FILES_H

#include <stdint.h>

#include "rq/rq_ec.h"

#define RQ_EC_DEFAULT_CELL (1u << 20)
/* What one batch of stripes may hold in memory. */
#define RQ_EC_BATCH_BYTES (256u << 20)

typedef struct rq_ec_file_opts {
    rq_context *ctx;
    uint32_t k, m;       /* encode only */
    rq_ec_scheme scheme; /* encode only */
    uint64_t cell;       /* encode only: bytes per cell */
    uint32_t threads;    /* 0 = one per core */
    int force;           /* replace existing outputs (regular files only) */
    /* Called after every batch; nonzero cancels (RQ_ERR_CANCELLED, nothing published). */
    int (*progress)(void *arg, uint64_t done_bytes, uint64_t total_bytes);
    void *progress_arg;
} rq_ec_file_opts;

/* What became of each unit. */
enum { RQ_EC_UNIT_GOOD = 0, RQ_EC_UNIT_MISSING = 1, RQ_EC_UNIT_DAMAGED = 2 };

typedef struct rq_ec_file_report {
    uint64_t file_size, stripes, cell;
    uint32_t k, m;
    rq_ec_scheme scheme;
    uint8_t *unit_state;  /* k + m: RQ_EC_UNIT_* as found (encode: all good) */
    uint8_t *rewritten;   /* k + m: 1 where repair wrote the unit */
    uint32_t good, missing, damaged, rewritten_count;
    uint64_t bytes_read, bytes_written;
    double seconds;
    char message[512]; /* why it failed, naming the file or pattern */
} rq_ec_file_report;

void rq_ec_file_report_free(rq_ec_file_report *r);

rq_status rq_ec_file_encode(const rq_ec_file_opts *o, const char *input, const char *out_dir,
                            rq_ec_file_report *r);
/* RQ_ERR_UNDECODABLE (nothing written) when the good units cannot rebuild the data. */
rq_status rq_ec_file_decode(const rq_ec_file_opts *o, const char *dir, const char *output,
                            rq_ec_file_report *r);
/* Rewrites missing and damaged units; RQ_ERR_UNDECODABLE (nothing written) if they cannot be. */
rq_status rq_ec_file_repair(const rq_ec_file_opts *o, const char *dir, rq_ec_file_report *r);

#endif
