/*
 * BLAKE3 from its specification (the BLAKE3 paper, "BLAKE3: one function,
 * fast everywhere", section 2): the input is cut into 1024-byte chunks of
 * 64-byte blocks; each chunk is hashed to a chaining value, the chaining
 * values are merged pairwise by parent nodes into a binary tree whose left
 * subtrees are complete, and the root node is compressed again with an
 * output block counter for as many output bytes as asked. The state keeps
 * the roots of the complete subtrees on a stack, so input of any length
 * needs a fixed amount of memory.
 *
 * This file compresses one block at a time and is the reference. Where a
 * SIMD kernel is in use (runtime/blake3_impl.h), whole chunks that more
 * input follows are instead hashed 8 or 16 at once, their parents too,
 * and the results pushed onto the same stack in the same order.
 */
#include "runtime/blake3.h"

#include <string.h>

#include "runtime/blake3_impl.h"

#define CHUNK_START RQ_BLAKE3_CHUNK_START
#define CHUNK_END RQ_BLAKE3_CHUNK_END
#define PARENT RQ_BLAKE3_PARENT
#define ROOT RQ_BLAKE3_ROOT
#define BLOCKS_PER_CHUNK RQ_BLAKE3_BLOCKS_PER_CHUNK
#define IV rq_blake3_iv

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

RQ_BLAKE3_INLINE void round_fn(uint32_t v[16], const uint32_t m[16], const uint8_t s[16])
{
    RQ_BLAKE3_ROUND(m, s);
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
    /* Unrolled: with constant rows the message words are fixed offsets. */
    round_fn(v, block, rq_blake3_schedule[0]);
    round_fn(v, block, rq_blake3_schedule[1]);
    round_fn(v, block, rq_blake3_schedule[2]);
    round_fn(v, block, rq_blake3_schedule[3]);
    round_fn(v, block, rq_blake3_schedule[4]);
    round_fn(v, block, rq_blake3_schedule[5]);
    round_fn(v, block, rq_blake3_schedule[6]);
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
 * Pushes the chaining value of a finished complete subtree (a chunk, or
 * 2^k chunks hashed as a batch), after merging it with the stack top once
 * for every trailing zero bit of the number of such subtrees finished:
 * each such bit is a subtree of equal size now complete.
 */
static void push_cv(rq_blake3 *h, const uint32_t subtree_cv[8], uint64_t subtrees_done)
{
    uint32_t cv[8];
    memcpy(cv, subtree_cv, sizeof cv);
    while ((subtrees_done & 1) == 0) {
        h->stack_len--;
        parent_cv(h->stack[h->stack_len], cv, cv);
        subtrees_done >>= 1;
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
        push_cv(h, h->cv, h->chunk_counter);
        memcpy(h->cv, IV, sizeof h->cv);
        h->blocks_compressed = 0;
    }
}

void rq_blake3_init_with(rq_blake3 *h, const rq_blake3_impl *impl)
{
    memset(h, 0, sizeof *h);
    memcpy(h->cv, IV, sizeof h->cv);
    h->impl = impl ? impl : rq_blake3_impl_best();
}

void rq_blake3_init(rq_blake3 *h)
{
    rq_blake3_init_with(h, NULL);
}

/*
 * Chunks for a SIMD kernel go a window at a time, windows aligned to their
 * size so that each is one complete subtree when the input is long: its
 * chunks are hashed side by side, its parents level by level, and only its
 * root meets the stack.
 */
#define WINDOW_CHUNKS 64u
#define WINDOW_LEVELS 7u /* log2(WINDOW_CHUNKS) + 1 */

/* Runs batch over its n inputs, as many at a time as the kernel takes (an unfinished last one goes with the last). */
static void run_batches(const rq_blake3_impl *impl, const rq_blake3_batch *batch, uint32_t out[][8])
{
    for (size_t i = 0; i < batch->n; i += impl->degree) {
        rq_blake3_batch part = *batch;
        part.inputs = batch->inputs + i;
        part.n = batch->n - i < impl->degree ? batch->n - i : impl->degree;
        part.counter = batch->counter + i * batch->counter_step;
        part.last_blocks = i + part.n == batch->n ? batch->last_blocks : 0;
        impl->batch(&part, out + i);
    }
}

/* The complete subtrees of a window, left to right: where their nodes are in the window's array, how many, how high. */
typedef struct subtrees {
    size_t n;
    size_t first[2 * WINDOW_LEVELS];
    size_t count[2 * WINDOW_LEVELS];
    unsigned level[2 * WINDOW_LEVELS];
} subtrees;

/*
 * Cuts the chunks [counter, counter + n) into the complete subtrees the
 * tree has there: each as large as the alignment of its first chunk and
 * the chunks left allow (sizes rise to the alignment, then fall).
 */
static void cut_subtrees(uint64_t counter, size_t n, subtrees *t)
{
    t->n = 0;
    for (size_t i = 0; i < n;) {
        unsigned level = WINDOW_LEVELS - 1;
        while (((size_t)1 << level) > n - i || (counter & (((uint64_t)1 << level) - 1)) != 0)
            level--;
        t->first[t->n] = i;
        t->count[t->n] = (size_t)1 << level;
        t->level[t->n] = level;
        t->n++;
        i += (size_t)1 << level;
        counter += (uint64_t)1 << level;
    }
}

/* Merges sibling pairs of every subtree at once, one level per pass, until each is its root. */
static void reduce_subtrees(const rq_blake3_impl *impl, subtrees *t, uint32_t cvs[][8])
{
    const uint8_t *pairs[WINDOW_CHUNKS / 2];
    uint32_t parents[WINDOW_CHUNKS / 2][8];
    rq_blake3_batch batch = {.inputs = pairs, .blocks = 1, .flags = PARENT};
    for (;;) {
        batch.n = 0;
        for (size_t s = 0; s < t->n; s++)
            for (size_t j = 0; 2 * j + 1 < t->count[s]; j++)
                pairs[batch.n++] = (const uint8_t *)cvs[t->first[s] + 2 * j]; /* left then right child: one block */
        if (batch.n == 0)
            return;
        if (batch.n == 1) /* a whole kernel call costs more than one scalar compression */
            parent_cv((const uint32_t *)pairs[0], (const uint32_t *)pairs[0] + 8, parents[0]);
        else
            run_batches(impl, &batch, parents);
        size_t n = 0;
        for (size_t s = 0; s < t->n; s++) {
            if (t->count[s] == 1)
                continue;
            t->count[s] /= 2;
            memcpy(cvs[t->first[s]], parents[n], t->count[s] * sizeof parents[0]);
            n += t->count[s];
        }
    }
}

/*
 * Hashes n (at most WINDOW_CHUNKS) whole chunks that more input follows
 * and pushes them; with start_blocks, the first start_blocks blocks of the
 * next chunk too, when a lane is free for them. Returns the blocks of that
 * chunk compressed (0 or start_blocks).
 */
static size_t absorb_window(rq_blake3 *h, const uint8_t *in, size_t n, size_t start_blocks,
                            const rq_blake3_impl *impl)
{
    const uint8_t *chunks[WINDOW_CHUNKS + 1];
    uint32_t cvs[WINDOW_CHUNKS + 1][8];
    if (n % impl->degree == 0)
        start_blocks = 0;
    for (size_t i = 0; i < n + (start_blocks > 0); i++)
        chunks[i] = in + i * RQ_BLAKE3_CHUNK_LEN;
    const rq_blake3_batch batch = {
        .inputs = chunks,
        .n = n + (start_blocks > 0),
        .blocks = BLOCKS_PER_CHUNK,
        .counter = h->chunk_counter,
        .counter_step = 1,
        .flags_start = CHUNK_START,
        .flags_end = CHUNK_END,
        .last_blocks = start_blocks,
    };
    run_batches(impl, &batch, cvs);
    subtrees t;
    cut_subtrees(h->chunk_counter, n, &t);
    reduce_subtrees(impl, &t, cvs);
    for (size_t s = 0; s < t.n; s++) {
        h->chunk_counter += (uint64_t)1 << t.level[s];
        push_cv(h, cvs[t.first[s]], h->chunk_counter >> t.level[s]);
    }
    if (start_blocks > 0) {
        memcpy(h->cv, cvs[n], sizeof h->cv);
        h->blocks_compressed = (unsigned)start_blocks;
    }
    return start_blocks;
}

/*
 * At a chunk boundary: hashes with the kernel every whole chunk of in that
 * more input follows (the last chunk of the input may be the root, so it
 * is finished by the per-block path, though its blocks but the last may
 * ride along in the kernel). Returns the bytes consumed.
 */
static size_t absorb_chunks(rq_blake3 *h, const uint8_t *in, size_t len, const rq_blake3_impl *impl)
{
    const size_t chunks = (len - 1) / RQ_BLAKE3_CHUNK_LEN;
    const size_t last_chunk_blocks = (len - chunks * RQ_BLAKE3_CHUNK_LEN - 1) / RQ_BLAKE3_BLOCK_LEN;
    size_t done = 0, started = 0;
    while (done < chunks) {
        size_t n = WINDOW_CHUNKS - (size_t)(h->chunk_counter % WINDOW_CHUNKS);
        if (n > chunks - done)
            n = chunks - done;
        started = absorb_window(h, in + done * RQ_BLAKE3_CHUNK_LEN, n, done + n == chunks ? last_chunk_blocks : 0,
                                impl);
        done += n;
    }
    return done * RQ_BLAKE3_CHUNK_LEN + started * RQ_BLAKE3_BLOCK_LEN;
}

void rq_blake3_update_impl(rq_blake3 *h, const void *data, size_t len, const rq_blake3_impl *impl)
{
    const uint8_t *in = data;
    /* A full block stays buffered until more input arrives: the last block of the input is compressed differently. */
    while (len > 0) {
        if (h->block_len == RQ_BLAKE3_BLOCK_LEN) {
            absorb_block(h, h->block);
            h->block_len = 0;
        }
        if (h->block_len == 0) {
            if (impl->batch && h->blocks_compressed == 0 && len > RQ_BLAKE3_CHUNK_LEN) {
                size_t used = absorb_chunks(h, in, len, impl);
                in += used;
                len -= used;
            }
            /* Whole blocks from the input, up to the chunk's end (where a batch may start again). */
            size_t blocks = (len - 1) / RQ_BLAKE3_BLOCK_LEN;
            if (blocks > BLOCKS_PER_CHUNK - h->blocks_compressed)
                blocks = BLOCKS_PER_CHUNK - h->blocks_compressed;
            for (size_t i = 0; i < blocks; i++, in += RQ_BLAKE3_BLOCK_LEN, len -= RQ_BLAKE3_BLOCK_LEN)
                absorb_block(h, in);
            if (blocks > 0)
                continue;
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

/* The chaining value of one chunk, one block at a time. */
static void chunk_cv(const uint8_t *in, uint64_t counter, uint32_t cv[8])
{
    uint32_t m[16], out[16];
    memcpy(cv, IV, 8 * sizeof(uint32_t));
    for (unsigned b = 0; b < BLOCKS_PER_CHUNK; b++) {
        load_block(m, in + (size_t)b * RQ_BLAKE3_BLOCK_LEN);
        unsigned flags = (b == 0 ? CHUNK_START : 0u) | (b + 1 == BLOCKS_PER_CHUNK ? CHUNK_END : 0u);
        compress(cv, m, RQ_BLAKE3_BLOCK_LEN, counter, flags, out);
        memcpy(cv, out, 8 * sizeof(uint32_t));
    }
}

/* The root chaining value of n (a power of two, <= WINDOW_CHUNKS) chunks starting at chunk counter (a multiple of n). */
static void window_cv(const rq_blake3_impl *impl, const uint8_t *in, uint64_t counter, size_t n,
                      uint32_t cv[8])
{
    uint32_t cvs[WINDOW_CHUNKS][8];
    if (impl->batch) {
        const uint8_t *chunks[WINDOW_CHUNKS];
        for (size_t i = 0; i < n; i++)
            chunks[i] = in + i * RQ_BLAKE3_CHUNK_LEN;
        const rq_blake3_batch batch = {
            .inputs = chunks,
            .n = n,
            .blocks = BLOCKS_PER_CHUNK,
            .counter = counter,
            .counter_step = 1,
            .flags_start = CHUNK_START,
            .flags_end = CHUNK_END,
        };
        run_batches(impl, &batch, cvs);
        subtrees t;
        cut_subtrees(counter, n, &t); /* aligned: one subtree */
        reduce_subtrees(impl, &t, cvs);
    } else {
        for (size_t i = 0; i < n; i++)
            chunk_cv(in + i * RQ_BLAKE3_CHUNK_LEN, counter + i, cvs[i]);
        for (size_t width = n; width > 1; width /= 2)
            for (size_t j = 0; j < width / 2; j++)
                parent_cv(cvs[2 * j], cvs[2 * j + 1], cvs[j]);
    }
    memcpy(cv, cvs[0], 8 * sizeof(uint32_t));
}

void rq_blake3_split_update(const rq_blake3 *h, size_t len, rq_blake3_split *out)
{
    uint64_t pos = h->chunk_counter * RQ_BLAKE3_CHUNK_LEN +
                   (uint64_t)h->blocks_compressed * RQ_BLAKE3_BLOCK_LEN + h->block_len;
    uint64_t to_boundary = (RQ_BLAKE3_SUBTREE_LEN - pos % RQ_BLAKE3_SUBTREE_LEN) % RQ_BLAKE3_SUBTREE_LEN;
    out->prefix = to_boundary < len ? (size_t)to_boundary : len;
    size_t rest = len - out->prefix;
    out->subtrees = rest / RQ_BLAKE3_SUBTREE_LEN;
    if (out->subtrees && out->subtrees * RQ_BLAKE3_SUBTREE_LEN == rest)
        out->subtrees--; /* the last bytes stay with update/finalize */
    out->first_chunk = (pos + out->prefix) / RQ_BLAKE3_CHUNK_LEN;
}

void rq_blake3_subtree(const rq_blake3_impl *impl, const void *data, const rq_blake3_split *split,
                       size_t i, uint32_t cv[8])
{
    impl = impl ? impl : rq_blake3_impl_best();
    const uint8_t *in = data;
    uint64_t counter = split->first_chunk + (uint64_t)i * RQ_BLAKE3_SUBTREE_CHUNKS;
    /* Windows of WINDOW_CHUNKS, merged on a small stack as the whole state does. */
    uint32_t stack[16][8];
    unsigned depth = 0;
    for (size_t w = 0; w < RQ_BLAKE3_SUBTREE_CHUNKS / WINDOW_CHUNKS; w++) {
        uint32_t c[8];
        window_cv(impl, in + w * WINDOW_CHUNKS * RQ_BLAKE3_CHUNK_LEN, counter + w * WINDOW_CHUNKS,
                  WINDOW_CHUNKS, c);
        for (size_t done = w + 1; (done & 1) == 0; done >>= 1)
            parent_cv(stack[--depth], c, c);
        memcpy(stack[depth++], c, sizeof c);
    }
    memcpy(cv, stack[0], 8 * sizeof(uint32_t));
}

void rq_blake3_push_subtrees(rq_blake3 *h, const rq_blake3_split *split, const uint32_t (*cvs)[8])
{
    if (!split->subtrees)
        return;
    /* The prefix ended on a chunk boundary with its last block kept back (it
     * might have been the root); more input follows, so it is finished now. */
    if (h->block_len == RQ_BLAKE3_BLOCK_LEN) {
        absorb_block(h, h->block);
        h->block_len = 0;
    }
    unsigned level = (unsigned)__builtin_ctz(RQ_BLAKE3_SUBTREE_CHUNKS);
    for (size_t i = 0; i < split->subtrees; i++) {
        h->chunk_counter += RQ_BLAKE3_SUBTREE_CHUNKS;
        push_cv(h, cvs[i], h->chunk_counter >> level);
    }
}

void rq_blake3_update(rq_blake3 *h, const void *data, size_t len)
{
    rq_blake3_update_impl(h, data, len, h->impl);
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
    rq_blake3_hash_with(NULL, data, len, out);
}

void rq_blake3_hash_with(const rq_blake3_impl *impl, const void *data, size_t len,
                         uint8_t out[RQ_BLAKE3_OUT_LEN])
{
    rq_blake3 h;
    rq_blake3_init_with(&h, impl);
    rq_blake3_update(&h, data, len);
    rq_blake3_finalize(&h, out, RQ_BLAKE3_OUT_LEN);
}
