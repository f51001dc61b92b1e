/*
 * BLAKE3 (default hash mode only), written from the BLAKE3 specification:
 * symbol files are named after the hash of their content. Portable C with
 * AVX2 / AVX-512 kernels on x86-64 chosen at run time (runtime/blake3_impl.h),
 * no allocation; the state is a fixed-size struct that takes input of any
 * length in any number of pieces. Internal, not part of the public API.
 */
#ifndef RQ_RUNTIME_BLAKE3_H
#define RQ_RUNTIME_BLAKE3_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RQ_BLAKE3_OUT_LEN 32u
#define RQ_BLAKE3_BLOCK_LEN 64u
#define RQ_BLAKE3_CHUNK_LEN 1024u
/* 2^64 bytes are 2^54 chunks, so the tree is never more than 54 levels deep. */
#define RQ_BLAKE3_MAX_DEPTH 54u

typedef struct rq_blake3_impl rq_blake3_impl; /* runtime/blake3_impl.h */

typedef struct rq_blake3 {
    uint32_t cv[8];                         /* chaining value of the chunk in progress */
    uint64_t chunk_counter;                 /* index of the chunk in progress */
    uint8_t block[RQ_BLAKE3_BLOCK_LEN];     /* input of the chunk not yet compressed */
    unsigned block_len;                     /* bytes in block */
    unsigned blocks_compressed;             /* blocks of the chunk in progress already compressed */
    unsigned stack_len;                     /* chaining values on the stack */
    uint32_t stack[RQ_BLAKE3_MAX_DEPTH][8]; /* roots of complete subtrees, left to right */
    const rq_blake3_impl *impl;             /* which kernels hash whole chunks */
} rq_blake3;

/* A new state hashing with the best implementation this build and CPU have. */
void rq_blake3_init(rq_blake3 *h);
/* The same with a given implementation (a context's RQ_PARAM_BLAKE3); all give the same hash. */
void rq_blake3_init_with(rq_blake3 *h, const rq_blake3_impl *impl);
void rq_blake3_update(rq_blake3 *h, const void *data, size_t len);
/* Writes out_len bytes of extendable output (the first 32 are the hash); h is unchanged. */
void rq_blake3_finalize(const rq_blake3 *h, uint8_t *out, size_t out_len);
/* The 32-byte hash of len bytes (with impl; NULL: the best one). */
void rq_blake3_hash(const void *data, size_t len, uint8_t out[RQ_BLAKE3_OUT_LEN]);
void rq_blake3_hash_with(const rq_blake3_impl *impl, const void *data, size_t len,
                         uint8_t out[RQ_BLAKE3_OUT_LEN]);

/*
 * Hashing one long input on several threads: the tree's complete subtrees
 * are independent, so each can be hashed alone to its chaining value and
 * the values pushed, in order, onto the one state. rq_blake3_split says how
 * to cut an update of len bytes at the state's position: `prefix` bytes to
 * update first (up to a subtree boundary), then `subtrees` subtrees of
 * RQ_BLAKE3_SUBTREE_LEN bytes, then the rest (never empty after subtrees:
 * the last bytes might be the root, which only finalize can compress).
 */
#define RQ_BLAKE3_SUBTREE_CHUNKS 1024u
#define RQ_BLAKE3_SUBTREE_LEN ((size_t)RQ_BLAKE3_SUBTREE_CHUNKS * RQ_BLAKE3_CHUNK_LEN)
typedef struct rq_blake3_split {
    size_t prefix;
    size_t subtrees;
    uint64_t first_chunk; /* chunk index where the first subtree starts */
} rq_blake3_split;
void rq_blake3_split_update(const rq_blake3 *h, size_t len, rq_blake3_split *out);
/* Chaining value of subtree i of a split, whose RQ_BLAKE3_SUBTREE_LEN bytes are at data. Any thread. */
void rq_blake3_subtree(const rq_blake3_impl *impl, const void *data, const rq_blake3_split *split, size_t i, uint32_t cv[8]);
/* After the prefix was updated: pushes the subtrees' chaining values, in order. */
void rq_blake3_push_subtrees(rq_blake3 *h, const rq_blake3_split *split, const uint32_t (*cvs)[8]);

#ifdef __cplusplus
}
#endif

#endif
