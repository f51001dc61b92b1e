/*
 * What the portable BLAKE3 (runtime/blake3.c) and its SIMD kernels share:
 * the constants of the specification, the batch kernel signature, and the
 * choice of implementation. Internal; not included by any public header.
 */
#ifndef RQ_RUNTIME_BLAKE3_IMPL_H
#define RQ_RUNTIME_BLAKE3_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/blake3.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain separation flags, the last word of the compression input. */
#define RQ_BLAKE3_CHUNK_START (1u << 0)
#define RQ_BLAKE3_CHUNK_END (1u << 1)
#define RQ_BLAKE3_PARENT (1u << 2)
#define RQ_BLAKE3_ROOT (1u << 3)

#define RQ_BLAKE3_BLOCKS_PER_CHUNK (RQ_BLAKE3_CHUNK_LEN / RQ_BLAKE3_BLOCK_LEN)

/* The SHA-256 initial hash words; BLAKE3's key in the default hash mode. */
static const uint32_t rq_blake3_iv[8] = {
    0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au, 0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u,
};

/*
 * Round r takes the message words in the order of row r: row 0 is the
 * identity and each next row applies the message permutation
 * {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8} to the previous
 * one (row[r+1][i] = row[r][perm[i]]), so the words never need moving.
 */
static const uint8_t rq_blake3_schedule[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

/*
 * For the SIMD kernels' helpers: the schedule only selects registers (not
 * memory) once the round number is a constant in the inlined code.
 */
#define RQ_BLAKE3_INLINE static inline __attribute__((always_inline))

/*
 * One batch of independent inputs of the same shape, compressed side by
 * side (one SIMD lane each) from the key to a chaining value per input:
 * input i is `blocks` 64-byte blocks at inputs[i], read as little-endian
 * words; its counter is counter + i * counter_step; every block carries
 * `flags`, the first also flags_start and the last also flags_end. A whole
 * chunk is 16 blocks with step 1 and CHUNK_START / CHUNK_END; a parent is
 * one block (its children's chaining values) with step 0 and PARENT.
 * When last_blocks is not 0, the last input (n >= 2) is only the start of
 * a chunk: just its first last_blocks (< blocks) blocks are there and
 * compressed, none with flags_end, and its output is the chaining value
 * after them; this takes the last chunk of the input, which the hasher
 * must finish itself, into a lane that would otherwise idle.
 */
typedef struct rq_blake3_batch {
    const uint8_t *const *inputs;
    size_t n; /* 1 .. the kernel's degree */
    size_t blocks;
    uint64_t counter;
    uint64_t counter_step;
    uint32_t flags, flags_start, flags_end;
    size_t last_blocks;
} rq_blake3_batch;

typedef void (*rq_blake3_batch_fn)(const rq_blake3_batch *batch, uint32_t out[][8]);

#ifdef RQ_HAVE_BLAKE3_SIMD
void rq_blake3_batch_avx2(const rq_blake3_batch *batch, uint32_t out[][8]);   /* 8 lanes, runtime/blake3_avx2.c */
void rq_blake3_batch_avx512(const rq_blake3_batch *batch, uint32_t out[][8]); /* 16 lanes, runtime/blake3_avx512.c */
#endif

typedef struct rq_blake3_impl {
    const char *name;         /* "portable", "avx2", "avx512" */
    size_t degree;            /* inputs per batch; 1 for portable, which compresses block by block */
    rq_blake3_batch_fn batch; /* NULL for portable */
} rq_blake3_impl;

/*
 * The widest implementation this build has and this CPU runs
 * (runtime/blake3_dispatch.c); a context's RQ_PARAM_BLAKE3 may name another.
 */
const rq_blake3_impl *rq_blake3_impl_best(void);
/* The implementation called name, or NULL when not built or this CPU cannot run it. */
const rq_blake3_impl *rq_blake3_impl_find(const char *name);
/* The implementation of an rq_blake3_choice (RQ_BLAKE3_AUTO: the best); NULL as above. */
const rq_blake3_impl *rq_blake3_impl_for(int64_t choice);
/* The rq_blake3_choice's name ("portable"); "auto" for RQ_BLAKE3_AUTO; NULL if none. */
const char *rq_blake3_choice_name(int64_t choice);
/* rq_blake3_update with the given implementation (tests and benchmarks compare them in one process). */
void rq_blake3_update_impl(rq_blake3 *h, const void *data, size_t len, const rq_blake3_impl *impl);

#ifdef __cplusplus
}
#endif


/*
 * One BLAKE3 round, written once for every word type: G on the four columns,
 * then on the four diagonals, fed message words m[s[0]] .. m[s[15]]. Each
 * implementation defines its own G(a, b, c, d, x, y) over its state v.
 */
#define RQ_BLAKE3_ROUND(m, s)                                                                     \
    do {                                                                                          \
        G(0, 4, 8, 12, (m)[(s)[0]], (m)[(s)[1]]);                                                 \
        G(1, 5, 9, 13, (m)[(s)[2]], (m)[(s)[3]]);                                                 \
        G(2, 6, 10, 14, (m)[(s)[4]], (m)[(s)[5]]);                                                \
        G(3, 7, 11, 15, (m)[(s)[6]], (m)[(s)[7]]);                                                \
        G(0, 5, 10, 15, (m)[(s)[8]], (m)[(s)[9]]);                                                \
        G(1, 6, 11, 12, (m)[(s)[10]], (m)[(s)[11]]);                                              \
        G(2, 7, 8, 13, (m)[(s)[12]], (m)[(s)[13]]);                                               \
        G(3, 4, 9, 14, (m)[(s)[14]], (m)[(s)[15]]);                                               \
    } while (0)

#endif
