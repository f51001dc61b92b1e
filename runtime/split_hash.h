/*
 * One BLAKE3 update shared out among a stage's workers: the update's
 * complete 1 MiB subtrees become items any worker can hash
 * (rq_blake3_split_update); the caller's thread does the few bytes before
 * and after them. Used for the chunk hashes of encode and decode, which
 * otherwise are the one part of a pass that only one thread can do.
 */
#ifndef RQ_RUNTIME_SPLIT_HASH_H
#define RQ_RUNTIME_SPLIT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"
#include "runtime/blake3.h"

typedef struct rq_split_hash {
    rq_blake3 *h;
    const uint8_t *data;
    size_t len;
    rq_blake3_split split;
    uint32_t (*cvs)[8];
} rq_split_hash;

/* Updates h with the bytes before the first subtree. RQ_ERR_NO_MEMORY. */
rq_status rq_split_hash_begin(rq_split_hash *sh, rq_blake3 *h, const uint8_t *data, size_t len);
/* Items for the workers: one per subtree. */
size_t rq_split_hash_items(const rq_split_hash *sh);
/* Hashes subtree i (any thread, any order). */
void rq_split_hash_item(rq_split_hash *sh, size_t i);
/* After every item: pushes the subtrees and updates h with the rest. Frees sh's memory. */
void rq_split_hash_end(rq_split_hash *sh);
/* Frees sh's memory without finishing (the job failed). */
void rq_split_hash_abandon(rq_split_hash *sh);

#endif
