/*
 * What the jobs that read a symbol directory share (decode, verify, repair,
 * and the chunk decoder under rq reencode): the job itself, the symbol
 * files found good, the modes a chunk is processed in, and its memory
 * reservation besides the parsed layout. The steps: runtime/chunk_scan.h
 * (check every file), runtime/symbol_choice.h (choose and solve),
 * runtime/block_rebuild.h (rebuild pass by pass), runtime/chunk_repair.h
 * (write lost files again); runtime/file_decode.c runs them.
 */
#ifndef RQ_RUNTIME_DECODE_JOB_H
#define RQ_RUNTIME_DECODE_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/job_memory.h"
#include "runtime/layout.h"
#include "runtime/session_internal.h"
#include "runtime/symbol_files.h"
#include "runtime/temp_file.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A good symbol file: where it is, and what it was when checked. */
typedef struct rq_held_symbol {
    uint32_t sbn, esi;
    size_t index;             /* in the layout's list */
    int dir_fd;               /* one of the chunk scan's folders */
    const char *id;           /* the layout's */
    rq_file_identity identity;
    const char *gone;         /* why it can no longer be used (vanished, changed), or NULL */
} rq_held_symbol;

typedef struct rq_decode_job {
    rq_job job;
    const char *symbols_dir;
    int sym_fd;              /* the symbols dir: nothing inside it is reached through a link */
    rq_temp_file out;
    uint64_t layout_bytes;   /* what the parsed layout holds, charged with every reservation */
    uint64_t done, total;
    rq_job_buffers mem;
} rq_decode_job;

/* A used symbol could not be read as checked: the block is chosen and solved again without it. */
#define RQ_SYMBOL_GONE ((rq_status)-1000)

/* What a chunk's processing does besides counting its symbols. */
typedef enum rq_chunk_mode {
    RQ_CHUNK_VERIFY = 0, /* nothing */
    RQ_CHUNK_DECODE = 1, /* its bytes into the output */
    RQ_CHUNK_REPAIR = 2  /* its missing and damaged symbol files written again */
} rq_chunk_mode;

/* A reservation of bytes besides what the parsed layout holds (capped at the job's budget). */
static inline rq_status rq_decode_reserve(rq_decode_job *job, uint64_t bytes)
{
    uint64_t want = bytes + job->layout_bytes, cap = rq_job_budget(&job->job);
    return rq_job_buffers_reserve(&job->job, &job->mem, want < cap ? want : cap);
}

/* What the reservation leaves for a block's passes once the layout is counted. */
static inline uint64_t rq_decode_room(const rq_decode_job *job)
{
    return job->mem.reserved > job->layout_bytes ? job->mem.reserved - job->layout_bytes : 0;
}

/* How messages name a chunk: an unchunked layout's only one has no id. */
static inline const char *rq_chunk_name(const rq_layout_block *lb)
{
    return lb->block_id[0] ? lb->block_id : "(file)";
}

#ifdef __cplusplus
}
#endif

#endif
