/*
 * BLAKE3 from its specification (the BLAKE3 paper, "BLAKE3: one function,
 * fast everywhere", section 2): the input is cut into 1024-byte chunks of
 * 64-byte blocks; each chunk is hashed to a chaining value, the chaining
 * values are merged pairwise by parent nodes into a binary tree whose left
 * subtrees are complete, and the root node is compressed again with an
 * output block counter for as many output bytes as asked. The state keeps
 * the roots of the complete subtrees on a stack, so input of any length
 * needs a fixed amount of memory.
 */
#include "runtime/blake3.h"

#include <string.h>

#define CHUNK_START (1u << 0)
#define CHUNK_END (1u << 1)
#define PARENT (1u << 2)
#define ROOT (1u << 3)

#define BLOCKS_PER_CHUNK (RQ_BLAKE3_CHUNK_LEN / RQ_BLAKE3_BLOCK_LEN)

/* The SHA-256 initial hash words; BLAKE3's key in the default hash mode. */
static const uint32_t IV[8] = {
    0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au, 0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u,
};

/*
 * Round r takes the message words in the order of row r: row 0 is the
 * identity and each next row applies the message permutation
 * {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8} to the previous
 * one (row[r+1][i] = row[r][perm[i]]), so the words never need moving.
 */
static const uint8_t SCHEDULE[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

static inline uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store32(uint8_t *p, uint32_t w)
{
    p[0] = (uint8_t)w;
    p[1] = (uint8_t)(w >> 8);
    p[2] = (uint8_t)(w >> 16);
    p[3] = (uint8_t)(w >> 24);
}

static inline uint32_t rotr32(uint32_t w, unsigned c)
{
    return (w >> c) | (w << (32 - c));
}

static inline void load_block(uint32_t m[16], const uint8_t block[RQ_BLAKE3_BLOCK_LEN])
{
    for (unsigned i = 0; i < 16; i++)
        m[i] = load32(block + 4 * i);
}

#define G(a, b, c, d, x, y)                                                                                  \
    do {                                                                                                     \
        v[a] = v[a] + v[b] + (x);                                                                            \
        v[d] = rotr32(v[d] ^ v[a], 16);                                                                      \
        v[c] = v[c] + v[d];                                                                                  \
        v[b] = rotr32(v[b] ^ v[c], 12);                                                                      \
        v[a] = v[a] + v[b] + (y);                                                                            \
        v[d] = rotr32(v[d] ^ v[a], 8);                                                                       \
        v[c] = v[c] + v[d];                                                                                  \
        v[b] = rotr32(v[b] ^ v[c], 7);                                                                       \
    } while (0)

static inline void round_fn(uint32_t v[16], const uint32_t m[16], const uint8_t s[16])
{
    G(0, 4, 8, 12, m[s[0]], m[s[1]]); /* columns */
    G(1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(2, 6, 10, 14, m[s[4]], m[s[5]]);
    G(3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(0, 5, 10, 15, m[s[8]], m[s[9]]); /* diagonals */
    G(1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(2, 7, 8, 13, m[s[12]], m[s[13]]);
    G(3, 4, 9, 14, m[s[14]], m[s[15]]);
}

/*
 * The compression function: 16 output words, of which the first 8 are the
 * chaining value and all 16 are root output. block_len is the number of
 * message bytes before zero padding.
 */
static void compress(const uint32_t cv[8], const uint32_t block[16], uint32_t block_len, uint64_t counter,
                     uint32_t flags, uint32_t out[16])
{
    uint32_t v[16] = {
        cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
        IV[0], IV[1], IV[2], IV[3], (uint32_t)counter, (uint32_t)(counter >> 32), block_len, flags,
    };
    for (unsigned r = 0; r < 7; r++)
        round_fn(v, block, SCHEDULE[r]);
    for (unsigned i = 0; i < 8; i++) {
        out[i] = v[i] ^ v[i + 8];
        out[i + 8] = v[i + 8] ^ cv[i];
    }
}

/* A parent node's block is its two children's chaining values, left first. */
static void parent_cv(const uint32_t left[8], const uint32_t right[8], uint32_t out_cv[8])
{
    uint32_t block[16], out[16];
    memcpy(block, left, 8 * sizeof(uint32_t));
    memcpy(block + 8, right, 8 * sizeof(uint32_t));
    compress(IV, block, RQ_BLAKE3_BLOCK_LEN, 0, PARENT, out);
    memcpy(out_cv, out, 8 * sizeof(uint32_t));
}

/*
 * Pushes the chaining value of a finished chunk, after merging it with the
 * stack top once for every trailing zero bit of the number of chunks
 * finished: each such bit is a subtree of equal size now complete.
 */
static void push_chunk_cv(rq_blake3 *h, const uint32_t chunk_cv[8], uint64_t chunks_done)
{
    uint32_t cv[8];
    memcpy(cv, chunk_cv, sizeof cv);
    while ((chunks_done & 1) == 0) {
        h->stack_len--;
        parent_cv(h->stack[h->stack_len], cv, cv);
        chunks_done >>= 1;
    }
    memcpy(h->stack[h->stack_len], cv, sizeof cv);
    h->stack_len++;
}

static unsigned chunk_start_flag(const rq_blake3 *h)
{
    return h->blocks_compressed == 0 ? CHUNK_START : 0u;
}

/*
 * Compresses a full block that more input follows, so it is never the root;
 * when it is the chunk's last block the chunk is finished and pushed.
 */
static void absorb_block(rq_blake3 *h, const uint8_t block[RQ_BLAKE3_BLOCK_LEN])
{
    uint32_t m[16], out[16];
    load_block(m, block);
    unsigned flags = chunk_start_flag(h);
    if (h->blocks_compressed == BLOCKS_PER_CHUNK - 1)
        flags |= CHUNK_END;
    compress(h->cv, m, RQ_BLAKE3_BLOCK_LEN, h->chunk_counter, flags, out);
    memcpy(h->cv, out, sizeof h->cv);
    if (++h->blocks_compressed == BLOCKS_PER_CHUNK) {
        h->chunk_counter++;
        push_chunk_cv(h, h->cv, h->chunk_counter);
        memcpy(h->cv, IV, sizeof h->cv);
        h->blocks_compressed = 0;
    }
}

void rq_blake3_init(rq_blake3 *h)
{
    memset(h, 0, sizeof *h);
    memcpy(h->cv, IV, sizeof h->cv);
}

void rq_blake3_update(rq_blake3 *h, const void *data, size_t len)
{
    const uint8_t *in = data;
    /* A full block stays buffered until more input arrives: the last block of the input is compressed differently. */
    while (len > 0) {
        if (h->block_len == RQ_BLAKE3_BLOCK_LEN) {
            absorb_block(h, h->block);
            h->block_len = 0;
        }
        if (h->block_len == 0) {
            for (; len > RQ_BLAKE3_BLOCK_LEN; in += RQ_BLAKE3_BLOCK_LEN, len -= RQ_BLAKE3_BLOCK_LEN)
                absorb_block(h, in);
        }
        size_t take = RQ_BLAKE3_BLOCK_LEN - h->block_len;
        if (take > len)
            take = len;
        memcpy(h->block + h->block_len, in, take);
        h->block_len += (unsigned)take;
        in += take;
        len -= take;
    }
}

/* A node whose compression is still to be done: the root gets the ROOT flag and output block counters. */
typedef struct node {
    uint32_t cv[8];
    uint32_t block[16];
    uint32_t block_len;
    uint64_t counter;
    uint32_t flags;
} node;

void rq_blake3_finalize(const rq_blake3 *h, uint8_t *out, size_t out_len)
{
    /* The chunk in progress is the rightmost leaf; fold the stack into it from the top. */
    uint8_t padded[RQ_BLAKE3_BLOCK_LEN] = {0};
    memcpy(padded, h->block, h->block_len);
    node n;
    memcpy(n.cv, h->cv, sizeof n.cv);
    load_block(n.block, padded);
    n.block_len = h->block_len;
    n.counter = h->chunk_counter;
    n.flags = chunk_start_flag(h) | CHUNK_END;
    for (unsigned i = h->stack_len; i-- > 0;) {
        uint32_t words[16];
        compress(n.cv, n.block, n.block_len, n.counter, n.flags, words);
        memcpy(n.block, h->stack[i], 8 * sizeof(uint32_t));
        memcpy(n.block + 8, words, 8 * sizeof(uint32_t));
        memcpy(n.cv, IV, sizeof n.cv);
        n.block_len = RQ_BLAKE3_BLOCK_LEN;
        n.counter = 0;
        n.flags = PARENT;
    }
    for (uint64_t block_index = 0; out_len > 0; block_index++) {
        uint32_t words[16];
        uint8_t bytes[RQ_BLAKE3_BLOCK_LEN];
        compress(n.cv, n.block, n.block_len, block_index, n.flags | ROOT, words);
        for (unsigned i = 0; i < 16; i++)
            store32(bytes + 4 * i, words[i]);
        size_t take = out_len < sizeof bytes ? out_len : sizeof bytes;
        memcpy(out, bytes, take);
        out += take;
        out_len -= take;
    }
}

void rq_blake3_hash(const void *data, size_t len, uint8_t out[RQ_BLAKE3_OUT_LEN])
{
    rq_blake3 h;
    rq_blake3_init(&h);
    rq_blake3_update(&h, data, len);
    rq_blake3_finalize(&h, out, RQ_BLAKE3_OUT_LEN);
}
