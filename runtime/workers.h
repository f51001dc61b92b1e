/*
 * Worker threads for one job: an OpenMP team (GCC's libgomp) whose threads
 * are bound to the places the session's placement policy gives
 * (runtime/topology.h: node by node, or spread over nodes). The calling
 * thread is worker 0 and keeps its own binding: it belongs to the
 * application. Workers 1..n-1 are bound to slots 1..n-1.
 *
 * Work inside a run is shared out with rq_work_take, an atomic counter, so
 * a slow worker (a noisy core, a page fault) does not hold the rest back.
 */
#ifndef RQ_RUNTIME_WORKERS_H
#define RQ_RUNTIME_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq_file.h"

#include "runtime/atomic_member.h"

#ifdef __cplusplus
extern "C" {
#endif

/* threads 0 = one per core of this machine; never more than RQ_MAX_WORKERS. */
uint32_t rq_workers_resolve(uint32_t threads);
#define RQ_MAX_WORKERS 4096u

typedef void (*rq_worker_fn)(void *ctx, uint32_t worker, uint32_t n_workers);

/* Runs fn(ctx, w, n) on n workers at once and returns when every one has returned. */
void rq_workers_run(uint32_t n, rq_placement placement, rq_worker_fn fn, void *ctx);

/* Items [0, end) handed out one at a time to whichever worker asks first. */
typedef struct rq_work_queue {
    RQ_ATOMIC(size_t) next;
    size_t end;
} rq_work_queue;

void rq_work_queue_init(rq_work_queue *q, size_t end);
/* Takes the next item; 0 when none is left. */
int rq_work_take(rq_work_queue *q, size_t *item);

/*
 * Worker w's share [*from, *from + *len) of a width-byte row when n workers
 * split it: 64-byte aligned so no two workers write one cache line, and
 * empty for workers past the last 512-byte share: narrower, the fixed cost
 * of each of the plan's operations outweighs its bytes (a 1280-byte symbol
 * still splits in two).
 */
static inline void rq_column_share(size_t width, uint32_t w, uint32_t n, size_t *from, size_t *len)
{
    size_t shares = width / 512;
    if (shares > n)
        shares = n;
    if (shares == 0)
        shares = 1;
    if (w >= shares) {
        *from = width;
        *len = 0;
        return;
    }
    size_t step = (width / shares + 63) & ~(size_t)63;
    *from = step * w < width ? step * w : width;
    size_t end = w + 1 == shares || step * (w + 1) > width ? width : step * (w + 1);
    *len = end - *from;
}

#ifdef __cplusplus
}
#endif

#endif
