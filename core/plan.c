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

void rq_plan_apply(const rq_plan *plan, const rq_kernels *k, uint8_t *rows, size_t stride,
                   size_t len)
{
    k->apply_plan(plan->ops, plan->n_ops, rows, stride, len);
}
