/*
 * The OpenMP worker team (see workers.h). A build without OpenMP (the
 * WebAssembly modules, which have one thread) runs every team as its one
 * worker: the work queues then hand that worker every item.
 */
#include "runtime/workers.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdlib.h>

#include "runtime/topology.h"

/*
 * libgomp is not built with ThreadSanitizer, so TSan cannot see that its
 * barriers order the team's work after the caller's set-up and the caller's
 * read of results after the team's work. These annotations state exactly
 * that (and nothing more), so that a race TSan reports is a real one.
 */
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define RQ_HAPPENS_BEFORE(addr) __tsan_release(addr)
#define RQ_HAPPENS_AFTER(addr) __tsan_acquire(addr)
#else
#define RQ_HAPPENS_BEFORE(addr) ((void)(addr))
#define RQ_HAPPENS_AFTER(addr) ((void)(addr))
#endif

uint32_t rq_workers_resolve(uint32_t threads)
{
    if (threads == 0) {
        rq_topology_summary sum;
        rq_topology_summarize(rq_topology_system(), &sum);
        threads = sum.cores;
    }
    if (threads == 0)
        threads = 1;
    return threads > RQ_MAX_WORKERS ? RQ_MAX_WORKERS : threads;
}

/* The PU this thread was last bound to by us (-1: never). */
static __thread int bound_pu = -1;

static void bind_self(const rq_worker_slot *slot)
{
    if (slot->pu < 0 || slot->pu == bound_pu)
        return;
    if (rq_topology_bind_thread(rq_topology_system(), slot) == RQ_OK)
        bound_pu = slot->pu;
}

#ifndef _OPENMP
void rq_workers_run(uint32_t n, rq_placement placement, rq_worker_fn fn, void *ctx)
{
    (void)n;
    (void)placement;
    (void)bind_self;
    fn(ctx, 0, 1);
}
#else
void rq_workers_run(uint32_t n, rq_placement placement, rq_worker_fn fn, void *ctx)
{
    if (n <= 1) {
        fn(ctx, 0, 1);
        return;
    }
    rq_worker_slot *slots = NULL;
    const rq_topology *topo = rq_topology_system();
    if (placement != RQ_PLACEMENT_NONE && rq_topology_can_bind(topo)) {
        slots = malloc((size_t)n * sizeof *slots);
        if (slots && rq_topology_place(topo, placement, n, slots) != RQ_OK) {
            free(slots);
            slots = NULL;
        }
    }
    int start_token = 0, end_token = 0;
    RQ_HAPPENS_BEFORE(&start_token);
#pragma omp parallel num_threads((int)n)
    {
        RQ_HAPPENS_AFTER(&start_token);
        uint32_t w = (uint32_t)omp_get_thread_num();
        uint32_t team = (uint32_t)omp_get_num_threads();
        if (slots && w > 0)
            bind_self(&slots[w]);
        fn(ctx, w, team);
        RQ_HAPPENS_BEFORE(&end_token);
    }
    RQ_HAPPENS_AFTER(&end_token);
    free(slots);
}
#endif

void rq_work_queue_init(rq_work_queue *q, size_t end)
{
    atomic_init(&q->next, 0);
    q->end = end;
}

int rq_work_take(rq_work_queue *q, size_t *item)
{
    size_t i = atomic_fetch_add_explicit(&q->next, 1, memory_order_relaxed);
    if (i >= q->end)
        return 0;
    *item = i;
    return 1;
}
