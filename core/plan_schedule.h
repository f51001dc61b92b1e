/*
 * Reordering a plan's operations for replays over buffers larger than the
 * caches: the XORs of a long run into one row (at least min_run of them) are
 * moved to the end of the block of `block` operations in which their source
 * was last written, while it is still in cache; what every row holds after
 * the replay does not change. Plans with no such run are left as they are.
 * Working memory and the reordered operations come from pool (NULL: buffers
 * of their own); the operations end in plan->ops_buf as a fresh plan's do
 * (see rq_plan_compact). RQ_ERR_NO_MEMORY leaves the plan unchanged.
 */
#ifndef RQ_CORE_PLAN_SCHEDULE_H
#define RQ_CORE_PLAN_SCHEDULE_H

#include "core/plan.h"

rq_status rq_plan_schedule_runs(rq_plan *plan, rq_row_pool *pool, uint32_t min_run, uint32_t block);

#endif
