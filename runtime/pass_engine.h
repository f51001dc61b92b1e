/*
 * The pass engine every file job codes a source block with. A block too
 * large for the memory budget is coded in passes of whole sub-blocks
 * (runtime/block_passes.h): each pass fills the plan's input rows with its
 * byte range of the known symbols, replays the plan on every worker's
 * column share, and takes what the job wants from the rows. Encode and
 * decode differ only in what fill and take do (an rq_pass_ops), and run
 * their steps as stages of per-item functions; the engine owns planning the
 * passes, fitting the buffers, the zero padding inputs, where each pass
 * lies in the chunk, the replay, the chunk hash's share of a pass, and the
 * progress report.
 */
#ifndef RQ_RUNTIME_PASS_ENGINE_H
#define RQ_RUNTIME_PASS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"
#include "runtime/blake3.h"
#include "runtime/block_passes.h"
#include "runtime/job_memory.h"
#include "runtime/job_stages.h"
#include "runtime/split_hash.h"

typedef struct rq_pass_engine rq_pass_engine;

/* One item of a stage on worker w; a failure stops the stage. */
typedef rq_status (*rq_pass_item_fn)(rq_pass_engine *e, uint32_t w, size_t item);

/* Reads bytes [from, from + len) of the running pass's range (chunk bytes from e->start on) into dst. */
typedef rq_status (*rq_pass_read_fn)(rq_pass_engine *e, size_t from, uint8_t *dst, size_t len);

/* The pieces rq_pass_stage_read cuts a pass into: the chunk hash's subtrees and the ends. */
typedef struct rq_pass_pieces {
    rq_pass_read_fn read;
    rq_blake3 *chunk_hash;
    rq_blake3_split split;
    uint32_t (*cvs)[8];       /* a chaining value per subtree */
} rq_pass_pieces;

typedef struct rq_pass_ops {
    rq_status (*fill)(rq_pass_engine *e); /* the pass's inputs into rows (and buf) */
    rq_status (*take)(rq_pass_engine *e); /* what the job wants, from the replayed rows */
} rq_pass_ops;

struct rq_pass_engine {
    /* Set by the job before rq_pass_engine_prepare. */
    rq_job *job;
    const rq_oti *oti;
    const rq_block_constants *c;
    const rq_plan *plan;   /* NULL: nothing to replay (every source symbol is known) */
    uint32_t n_filled;     /* inputs fill puts in; the plan's others are zero padding */
    int piecewise;         /* fill reads with rq_pass_stage_read, so buf need not hold a pass */
    uint64_t block_offset; /* of the block in its chunk */
    uint64_t chunk_size;
    uint64_t *done, total; /* progress: bytes of the file */
    void *user;
    /* Set by the engine. */
    rq_pass *passes;
    size_t n_passes;
    size_t wmax;           /* widest pass */
    size_t row_stride;     /* from one row to the next: the widest pass's rq_row_stride */
    uint8_t *rows;         /* plan->rows rows, row_stride apart, each the pass width long */
    uint8_t *buf;          /* the pass's K symbols' bytes in file order; piecewise and
                              smaller: two ends and a piece per worker (RQ_PASS_PIECE each) */
    int buf_whole;         /* buf holds a whole pass */
    uint8_t *scratch;      /* per worker, scratch_stride bytes */
    size_t scratch_stride;
    const rq_pass *pass;   /* the pass running */
    uint64_t start;        /* its first byte in the chunk */
    size_t real;           /* of its K * width bytes, those inside the chunk */
    rq_stage stage;
    rq_split_hash hash;
    rq_pass_pieces pieces;
    rq_pass_item_fn item;  /* the running stage's */
    size_t own_items;      /* the running stage's items before the chunk hash's */
};

/*
 * Cuts the block into passes within room bytes of mem's reservation and fits the buffers;
 * each worker's scratch is the widest pass plus scratch_extra bytes, at
 * least scratch_min. RQ_ERR_MEMORY_BUDGET (no message) when one sub-block
 * does not fit: *need says what it would take.
 */
rq_status rq_pass_engine_prepare(rq_pass_engine *e, rq_job_buffers *mem, uint64_t room,
                                 size_t scratch_extra, size_t scratch_min, uint64_t *need);
/*
 * A fill stage for a pass whose bytes come from a file: the workers read the
 * pass's real bytes in pieces cut at the chunk hash's subtrees, hash each
 * subtree as it arrives, and put each piece into its symbols' rows; then
 * the chunk hash takes the ends and the subtrees in order, and the padding
 * past the chunk's end is zeroed. Needs a plan (the rows) and piecewise set.
 */
rq_status rq_pass_stage_read(rq_pass_engine *e, rq_blake3 *chunk_hash, rq_pass_read_fn read);
/* rq_pass_stage_read's pieces: never longer than a BLAKE3 subtree. */
#define RQ_PASS_PIECE RQ_BLAKE3_SUBTREE_LEN

/* Runs every pass: fill, replay (with a plan), take, report. */
rq_status rq_pass_engine_run(rq_pass_engine *e, const rq_pass_ops *ops);
void rq_pass_engine_release(rq_pass_engine *e);

/* A stage of the running pass: fn over items [0, items) on every worker. */
rq_status rq_pass_stage(rq_pass_engine *e, rq_pass_item_fn fn, size_t items);
/*
 * The same while the workers also hash the chunk hash's share of the pass
 * (its real bytes of buf), in items after fn's (so that fn's first item,
 * such as the one write, starts at once).
 */
rq_status rq_pass_stage_hashing(rq_pass_engine *e, rq_blake3 *chunk_hash, rq_pass_item_fn fn,
                                size_t items);

#endif
