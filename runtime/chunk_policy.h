/*
 * How a file is cut into chunks and what each chunk is coded with: the OTI,
 * the repair count, and the chunk size recommended for a configuration.
 * Everything here reads a configuration (a job's own copy), never a live
 * session, so the same settings always give the same layout.
 */
#ifndef RQ_RUNTIME_CHUNK_POLICY_H
#define RQ_RUNTIME_CHUNK_POLICY_H

#include <stdint.h>

#include "rq/rq_file.h"
#include "runtime/session_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The OTI a chunk of `size` bytes is encoded with. */
rq_status rq_chunk_oti(const rq_session_settings *cfg, uint64_t size, rq_oti *oti);
/* Repair symbols for a chunk of `size` bytes of T-byte symbols (the deployments' rule). */
uint64_t rq_chunk_repair_count(const rq_session_settings *cfg, uint64_t size, uint32_t T);

/*
 * The recommended chunk size: the largest multiple of T (up to 1 GiB) whose
 * blocks are each encoded and decoded in one pass by up to
 * RQ_RECOMMEND_WORKERS workers within the budget. Independent of the thread
 * count, so the same file always gets the same layout; a job with more
 * workers may take two passes for a block.
 */
#define RQ_RECOMMEND_WORKERS 4u
uint64_t rq_chunk_recommended(const rq_session_settings *cfg);
/* The chunk size for a file of file_size bytes: the recommended one, or the file if smaller. */
uint64_t rq_chunk_size_for(const rq_session_settings *cfg, uint64_t file_size);

#ifdef __cplusplus
}
#endif

#endif
