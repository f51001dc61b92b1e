/* What the file jobs (encode, decode, verify) share. */
#ifndef RQ_RUNTIME_FILE_JOBS_H
#define RQ_RUNTIME_FILE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq_file.h"
#include "runtime/layout.h"

typedef struct rq_job rq_job; /* runtime/session_internal.h */

#ifdef __cplusplus
extern "C" {
#endif

/* Per-chunk figures a decode, verify or repair gathers, for the result JSON. */
typedef struct rq_chunk_report {
    uint64_t good, corrupt, missing;
    uint64_t rewritten; /* repair: symbol files written again */
    uint32_t needed; /* more symbols needed; 0 when decodable */
    int decodable;
} rq_chunk_report;

/*
 * Fills result (counts and JSON) from the layout. kind: "encode", "decode",
 * "verify" or "repair"; reports: one per block for decode/verify/repair,
 * else NULL (repair adds the symbol files it wrote).
 */
rq_status rq_job_result(const rq_layout *layout, const char *kind, const char *symbols_dir,
                        const char *layout_path, double seconds, rq_file_result *result);
rq_status rq_job_result_with_reports(const rq_layout *layout, const char *kind,
                                     const char *symbols_dir, const char *layout_path,
                                     double seconds, const rq_chunk_report *reports,
                                     rq_file_result *result);

/* One encode as the public calls and the rq-library ABI ask for it. */
typedef struct rq_encode_request {
    const char *input;       /* the file; with frame, only its name in messages */
    const char *out_dir;     /* symbol files and the layout go here; NULL: symbol IDs only */
    const char *layout_path; /* without out_dir: where the layout goes; NULL: only to layout_json */
    uint64_t block_size;     /* chunk size; 0: the job's settings decide */
    char **layout_json;      /* not NULL: receives the layout text (malloc'ed, NUL-terminated) */
    rq_layout *layout;       /* not NULL: receives the model on success (rq_layout_free) */
    /*
     * Not NULL: the encode runs inside this job's frame (its slot, settings
     * and context; what it charges it returns itself) and reads input_size
     * bytes from input_fd, calling before_chunk(user, start, end) before it
     * reads chunk [start, end) and with no buffers held, so that the caller
     * can fill that range first within the same budget (rq reencode).
     */
    const rq_job *frame;
    int input_fd;
    uint64_t input_size;
    rq_status (*before_chunk)(void *user, uint64_t start, uint64_t end);
    void *user;
    const char *kind;        /* the result's "operation"; NULL: "encode" */
} rq_encode_request;

/*
 * A layout's chunks decoded into an fd at their offsets, in order, as
 * asked: the decode half of rq reencode. It runs in a copy of frame (its
 * reports silent) and holds no reservation between calls.
 */
typedef struct rq_chunk_decoder rq_chunk_decoder;
rq_status rq_chunk_decoder_open(const rq_job *frame, const char *symbols_dir, const char *layout_path,
                                int out_fd, rq_chunk_decoder **out);
uint64_t rq_chunk_decoder_file_size(const rq_chunk_decoder *d);
/* Decodes the chunks that begin before end (those not yet decoded). */
rq_status rq_chunk_decoder_fill(rq_chunk_decoder *d, uint64_t end);
void rq_chunk_decoder_close(rq_chunk_decoder *d);

/*
 * rq_encode_file and rq_create_metadata, and what the rq-library ABI needs
 * besides: a chunk size per call and the layout handed back instead of (or
 * as well as) written. The result's layout_file_path is left out when no
 * layout file was written.
 */
rq_status rq_encode_run(rq_session *s, const rq_encode_request *req, rq_file_result *result);

#ifdef __cplusplus
}
#endif

#endif
