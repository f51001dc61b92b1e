/* Plan lifetime and replay; the pool of working-row buffers. */
#define _DEFAULT_SOURCE /* madvise, MAP_ANONYMOUS */
#include "core/plan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void rq_plan_free(rq_plan *plan)
{
    if (!plan)
        return;
    free(plan->intermediate);
    free(plan->input_row);
    if (plan->ops_buf.base)
        rq_rows_put(&plan->ops_buf);
    else
        free(plan->ops);
    free(plan->dense);
    free(plan);
}

rq_status rq_plan_compact(rq_plan *plan)
{
    if (!plan->ops_buf.base)
        return RQ_OK;
    rq_op *own = malloc((plan->n_ops ? plan->n_ops : 1) * sizeof *own);
    if (!own)
        return RQ_ERR_NO_MEMORY;
    memcpy(own, plan->ops, plan->n_ops * sizeof *own);
    rq_rows_put(&plan->ops_buf);
    plan->ops = own;
    return RQ_OK;
}

rq_status rq_plan_order_inputs(rq_plan *plan)
{
    uint32_t n = plan->n_inputs, first = plan->first_input;
    uint32_t *order = malloc(((size_t)n + 1) * sizeof *order); /* input -> new position */
    if (!order)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < n; i++)
        order[i] = UINT32_MAX;
    /* One pass: an input gets its place the first time an operation names it. */
    uint32_t next = 0;
    for (size_t k = 0; k < plan->n_ops; k++) {
        rq_op op = plan->ops[k];
        uint32_t src = op.src, dst = rq_op_dst(op);
        if (src - first < n) {
            if (order[src - first] == UINT32_MAX)
                order[src - first] = next++;
            src = first + order[src - first];
        }
        if (dst - first < n) {
            if (order[dst - first] == UINT32_MAX)
                order[dst - first] = next++;
            dst = first + order[dst - first];
        }
        plan->ops[k] = rq_op_make(dst, src, rq_op_coef(op));
    }
    for (uint32_t i = 0; i < n; i++) /* inputs no operation names: after the others */
        if (order[i] == UINT32_MAX)
            order[i] = next++;
    for (uint32_t j = 0; j < plan->constants.L; j++)
        if (plan->intermediate[j] - first < n)
            plan->intermediate[j] = first + order[plan->intermediate[j] - first];
    free(plan->input_row);
    plan->input_row = order;
    return RQ_OK;
}

/*
 * Blocks at least this large are filled with stores that bypass the caches
 * (stream_rows): the rows would leave the last-level cache before the replay
 * reads them anyway (its working set is about twice the inputs), and regular
 * stores first read every line they write. Measured with a 32 MB L3: at
 * K = 50000, T = 1280 the fill went 13.7 -> 7.5 ms with the replay no slower,
 * K = 10000 (12.8 MB) decodes +9%; from 3.8 to 6.4 MB it lost up to 15% on
 * encoding, and 9-10 MB was a toss-up.
 */
#define STREAM_FILL_BYTES ((size_t)12 << 20)

void rq_plan_fill_inputs(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                         const uint8_t *known, size_t known_stride, uint32_t n_known, size_t len)
{
    if (n_known > plan->n_inputs)
        n_known = plan->n_inputs;
    if ((size_t)n_known * len >= STREAM_FILL_BYTES) {
        k->stream_rows(rows + (size_t)plan->first_input * stride, stride, plan->input_row, known,
                       known_stride, n_known, len);
        for (uint32_t i = n_known; i < plan->n_inputs; i++)
            memset(rows + (size_t)rq_plan_input_row(plan, i) * stride, 0, len);
        return;
    }
    if (!plan->input_row && stride == len && known_stride == len) { /* one block each */
        uint8_t *inputs = rows + (size_t)plan->first_input * stride;
        memcpy(inputs, known, (size_t)n_known * len);
        memset(inputs + (size_t)n_known * len, 0, (size_t)(plan->n_inputs - n_known) * len);
        return;
    }
    for (uint32_t i = 0; i < plan->n_inputs; i++) {
        uint8_t *row = rows + (size_t)rq_plan_input_row(plan, i) * stride;
        if (i < n_known)
            memcpy(row, known + (size_t)i * known_stride, len);
        else
            memset(row, 0, len);
    }
}

size_t rq_plan_bytes(const rq_plan *plan)
{
    return sizeof *plan + (size_t)plan->constants.L * sizeof *plan->intermediate +
           (plan->input_row ? (size_t)plan->n_inputs * sizeof *plan->input_row : 0) +
           plan->n_ops * sizeof *plan->ops +
           (plan->dense ? (size_t)plan->constants.L * plan->n_inputs : 0);
}

/*
 * Working set a replay stripe should fit in: all rows of one stripe stay in
 * cache while the whole op list runs over them. Set from measurements
 * (bench/bench_codec at T = 65528); override with RQ_STRIPE_BYTES.
 */
static size_t stripe_target(void)
{
    /* Atomic: replays run on several workers at once (runtime/workers.c). */
    static _Atomic size_t target;
    size_t t = atomic_load_explicit(&target, memory_order_relaxed);
    if (!t) {
        const char *env = getenv("RQ_STRIPE_BYTES");
        long v = env ? atol(env) : 0;
        t = v > 0 ? (size_t)v : (size_t)1024 * 1024;
        atomic_store_explicit(&target, t, memory_order_relaxed);
    }
    return t;
}

/*
 * Stripe width for a replay over len-byte rows: the whole plan runs over
 * bytes [0, s) of every row, then [s, 2s) ..., so rows far beyond cache are
 * read once per stripe instead of once per operation. Stripes narrower than
 * 8 KiB cost more in per-operation overhead than keeping the stripe in L2
 * saves: at K = 1000, T = 65528 (2100 rows) 1 KiB stripes (2 MiB, in L2)
 * replay at ~1060 MB/s, 8 KiB stripes (17 MiB, in L3) at ~1180. The stripes
 * of one replay are made about equal, and no narrower than that.
 */
#define STRIPE_MIN 8192
static size_t stripe_width(const rq_plan *plan, size_t len)
{
    size_t s = stripe_target() / ((size_t)plan->rows + plan->scratch_rows);
    s = s < STRIPE_MIN ? STRIPE_MIN : s;
    if (s >= len)
        return len;
    size_t n = len / s; /* stripes no narrower than s */
    s = (len + n - 1) / n;
    return (s + 63) & ~(size_t)63;
}

void rq_plan_apply_full(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                        size_t len)
{
    size_t s = stripe_width(plan, len);
    for (size_t off = 0; off < len; off += s)
        k->apply_plan(plan->ops, plan->n_ops, rows + off, stride, len - off < s ? len - off : s);
}

size_t rq_plan_work_rows(const rq_plan *plan, size_t len)
{
    return stripe_width(plan, len) >= len ? (size_t)plan->rows + plan->scratch_rows : plan->rows;
}

rq_status rq_plan_replay(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                         size_t len)
{
    if (rq_plan_work_rows(plan, len) > plan->rows) {
        rq_plan_apply_full(plan, k, rows, stride, len);
        return RQ_OK;
    }
    return rq_plan_apply(plan, k, rows, stride, len);
}

rq_status rq_plan_apply(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                        size_t len)
{
    if (!plan->scratch_rows || len == 0) {
        rq_plan_apply_full(plan, k, rows, stride, len);
        return RQ_OK;
    }
    /* The scratch rows live in a buffer one stripe wide (narrower if memory is short). */
    size_t s = stripe_width(plan, len);
    rq_rows_buf scratch;
    while (rq_rows_get(&scratch, (size_t)plan->scratch_rows * s) != RQ_OK) {
        if (s <= 64)
            return RQ_ERR_NO_MEMORY;
        s = (s / 2 + 63) & ~(size_t)63;
    }
    for (size_t off = 0; off < len; off += s) {
        size_t l = len - off < s ? len - off : s;
        if (k->apply_plan_split)
            k->apply_plan_split(plan->ops, plan->n_ops, rows + off, stride, scratch.rows, s,
                                plan->rows, l);
        else
            rq_replay_ops_split(plan->ops, plan->n_ops, rows + off, stride, scratch.rows, s,
                                plan->rows, l, k->scale, k->fma_into, k->xor_many, k->fma_many,
                                k->xor_set);
    }
    rq_rows_put(&scratch);
    return RQ_OK;
}

/* Buffers of at least this size are mapped with transparent huge pages. */
#define HUGE_FROM ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)
#define POOL_LIMIT ((size_t)64 << 20)
#define POOL_SLOTS 16

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static rq_rows_buf pool[POOL_SLOTS]; /* idle buffers, oldest first */
static size_t pool_n, pool_bytes;

static void release(rq_rows_buf *b)
{
    if (b->size)
        munmap(b->base, b->size);
    else
        free(b->base);
    b->rows = NULL;
    b->base = NULL;
    b->cap = b->size = 0;
}

static rq_status allocate(rq_rows_buf *b, size_t bytes)
{
    b->cap = (bytes + 63) & ~(size_t)63;
    if (b->cap < bytes)
        return RQ_ERR_NO_MEMORY;
    if (b->cap >= HUGE_FROM) {
        /* An eighth more, in whole huge pages: the next block's request is a few
         * rows larger as often as not (its plan peels a different number of
         * rows), and a buffer that misses the pool costs a fault and a zeroed
         * 2 MiB page per 2 MiB. Pages past what is used are never touched, so
         * the slack costs address space only. */
        size_t slack = (b->cap + b->cap / 8 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        if (slack > b->cap)
            b->cap = slack;
        size_t size = b->cap + HUGE_PAGE;
        void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base != MAP_FAILED) {
            uintptr_t at = ((uintptr_t)base + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
            madvise((void *)at, b->cap, MADV_HUGEPAGE); /* a hint: fine if refused */
            b->base = base;
            b->size = size;
            b->rows = (uint8_t *)at;
            return RQ_OK;
        }
    }
    b->base = aligned_alloc(64, b->cap ? b->cap : 64);
    b->size = 0;
    b->rows = b->base;
    return b->base ? RQ_OK : RQ_ERR_NO_MEMORY;
}

rq_status rq_rows_get(rq_rows_buf *buf, size_t bytes)
{
    pthread_mutex_lock(&pool_lock);
    /* The smallest idle buffer that fits and is not more than twice as large. */
    size_t best = pool_n;
    for (size_t i = 0; i < pool_n; i++)
        if (pool[i].cap >= bytes && pool[i].cap / 2 <= bytes &&
            (best == pool_n || pool[i].cap < pool[best].cap))
            best = i;
    if (best < pool_n) {
        *buf = pool[best];
        pool_bytes -= buf->cap;
        for (size_t i = best; i + 1 < pool_n; i++)
            pool[i] = pool[i + 1];
        pool_n--;
        pthread_mutex_unlock(&pool_lock);
        return RQ_OK;
    }
    pthread_mutex_unlock(&pool_lock);
    return allocate(buf, bytes);
}

void rq_rows_put(rq_rows_buf *buf)
{
    if (!buf->base)
        return;
    rq_rows_buf idle = *buf;
    buf->rows = NULL;
    buf->base = NULL;
    buf->cap = buf->size = 0;
    if (idle.cap > POOL_LIMIT) {
        release(&idle);
        return;
    }
    rq_rows_buf evicted[POOL_SLOTS];
    size_t n_evicted = 0;
    pthread_mutex_lock(&pool_lock);
    while (pool_n > 0 && (pool_n == POOL_SLOTS || pool_bytes + idle.cap > POOL_LIMIT)) {
        evicted[n_evicted++] = pool[0];
        pool_bytes -= pool[0].cap;
        for (size_t i = 0; i + 1 < pool_n; i++)
            pool[i] = pool[i + 1];
        pool_n--;
    }
    pool[pool_n++] = idle;
    pool_bytes += idle.cap;
    pthread_mutex_unlock(&pool_lock);
    for (size_t i = 0; i < n_evicted; i++)
        release(&evicted[i]);
}
