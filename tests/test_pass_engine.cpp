// The file jobs' pass engine (runtime/pass_engine.h) and the memory model it
// is cut by (runtime/block_passes.h, runtime/job_memory.h): its working rows
// lie rq_row_stride apart, not at the pass width, and what that padding costs
// must be part of what a pass is charged, or a job holds more than its budget.
#include "rq_test.h"

extern "C" {
#include "core/params.h"
#include "core/plan.h"
#include "runtime/block_passes.h"
}

#include "pass_engine_probe.h"

namespace {

rq_oti oti_of(uint32_t T, uint32_t N)
{
    return rq_oti{uint64_t(T) * 1000, T, 1, N, 8};
}

// What a pass of width w costs in the model: w bytes per byte of width, and
// each strided row's padding.
uint64_t pass_cost(size_t w, uint64_t per_width, uint32_t rows)
{
    return w * per_width + uint64_t(rows) * (rq_row_stride(w) - w);
}

} // namespace

TEST_CASE("passes are charged the padding of rows laid out rq_row_stride apart")
{
    rq_pass passes[8];
    uint64_t need = 0;
    SECTION("one sub-block of wide rows: a budget one byte short of the padding fails")
    {
        const rq_oti oti = oti_of(65528, 1);
        const uint64_t cost = pass_cost(65528, 10, 100);
        CHECK(cost == 65528u * 10 + 100u * (65600 - 65528));
        CHECK(rq_plan_passes(&oti, 10, 100, cost, passes, &need) == 1);
        CHECK(passes[0].width == 65528);
        CHECK(rq_plan_passes(&oti, 10, 100, cost - 1, passes, &need) == 0);
        CHECK(need == cost);
        // Without strided rows the width alone is charged.
        CHECK(rq_plan_passes(&oti, 10, 0, 65528u * 10, passes, &need) == 1);
    }
    SECTION("short rows are not padded, so they cost their width alone")
    {
        const rq_oti oti = oti_of(1280, 1);
        CHECK(rq_plan_passes(&oti, 10, 100, 12800, passes, &need) == 1);
    }
    SECTION("sub-blocks join a pass only while the padded pass still fits")
    {
        const rq_oti oti = oti_of(65536, 4); // four sub-blocks of 16384 bytes
        const uint64_t two = pass_cost(32768, 10, 100);
        CHECK(rq_plan_passes(&oti, 10, 100, two, passes, &need) == 2);
        CHECK(passes[0].width == 32768);
        CHECK(passes[1].width == 32768);
        // A byte less and each pass holds one sub-block.
        CHECK(rq_plan_passes(&oti, 10, 100, two - 1, passes, &need) == 4);
    }
}

TEST_CASE("the pass engine lays its working rows out padded apart, within what its passes were charged")
{
    for (uint32_t T : {4096u, 6552u, 65528u, 1280u}) {
        CAPTURE(T);
        const pass_engine_probe p = probe_pass_engine(1000, T);
        REQUIRE(p.status == RQ_OK);
        CHECK(p.n_passes == 1);
        CHECK(p.row_stride == rq_row_stride(T));
        CHECK(p.rows_cap == p.plan_rows * rq_row_stride(T));
        CHECK(p.rows_cap + p.buf_cap + p.scratch_cap + p.plan_bytes <= p.room);
    }
}
