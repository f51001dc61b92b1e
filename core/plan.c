/* Plan lifetime and replay. */
#include "core/plan.h"

#include <stdlib.h>

void rq_plan_free(rq_plan *plan)
{
    if (!plan)
        return;
    free(plan->intermediate);
    free(plan->ops);
    free(plan);
}

size_t rq_plan_bytes(const rq_plan *plan)
{
    return sizeof *plan + (size_t)plan->constants.L * sizeof *plan->intermediate +
           plan->n_ops * sizeof *plan->ops;
}

/*
 * Working set a replay stripe should fit in: all rows of one stripe stay in
 * cache while the whole op list runs over them. Set from measurements
 * (bench/bench_codec at T = 65528); override with RQ_STRIPE_BYTES.
 */
static size_t stripe_target(void)
{
    static size_t target;
    if (!target) {
        const char *env = getenv("RQ_STRIPE_BYTES");
        long v = env ? atol(env) : 0;
        target = v > 0 ? (size_t)v : (size_t)1024 * 1024;
    }
    return target;
}

void rq_plan_apply(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                   size_t len)
{
    /* Replay in column stripes: the whole plan over bytes [0, s) of every row,
     * then [s, 2s) ... Rows far beyond cache are then read once per stripe
     * instead of once per operation. */
    /* Stripes narrower than 1 KiB cost more in per-operation overhead than
     * the cache saves (measured at K = 10000, T = 1280). */
    size_t s = stripe_target() / plan->rows;
    s = s < 1024 ? 1024 : s - s % 64;
    if (s >= len) {
        k->apply_plan(plan->ops, plan->n_ops, rows, stride, len);
        return;
    }
    for (size_t off = 0; off < len; off += s)
        k->apply_plan(plan->ops, plan->n_ops, rows + off, stride, len - off < s ? len - off : s);
}
