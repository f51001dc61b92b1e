// The file jobs' pass engine (runtime/pass_engine.h) and the memory model it
// is cut by (runtime/block_passes.h, runtime/job_memory.h): its working rows
// lie rq_row_stride apart, not at the pass width, and what that padding costs
// must be part of what a pass is charged, or a job holds more than its budget.
#include "rq_test.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

extern "C" {
#include "core/params.h"
#include "core/plan.h"
#include "runtime/block_passes.h"
#include "runtime/job_memory.h"
#include "runtime/pass_engine.h"
#include "runtime/session_internal.h"
}

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

// A two-worker file job, as rq_encode_run begins one.
struct two_worker_job {
    rq_session *s = nullptr;
    rq_job job{};
    bool begun = false;
    two_worker_job()
    {
        REQUIRE(rq_session_create(&s) == RQ_OK);
        REQUIRE(rq_session_set(s, RQ_SESSION_THREADS, 2) == RQ_OK);
        REQUIRE(rq_job_begin(s, &job) == RQ_OK);
        begun = true;
    }
    ~two_worker_job()
    {
        if (begun)
            rq_job_end(&job);
        rq_session_destroy(s);
    }
};

// The encoding plan of a block of K source symbols (every ISI in order).
rq_plan *encoding_plan(rq_context *ctx, const rq_block_constants &c)
{
    std::vector<uint32_t> isis(c.K_prime);
    std::iota(isis.begin(), isis.end(), 0u);
    rq_plan *plan = nullptr;
    REQUIRE(rq_plan_build(ctx, &c, isis.data(), c.K_prime, &plan) == RQ_OK);
    return plan;
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
    two_worker_job j;
    for (uint32_t T : {4096u, 6552u, 65528u, 1280u}) {
        CAPTURE(T);
        rq_block_constants c;
        REQUIRE(rq_params_for(1000, &c) == RQ_OK);
        rq_plan *plan = encoding_plan(j.job.ctx, c);
        rq_oti oti = {uint64_t(T) * c.K, T, 1, 1, 8};
        rq_job_buffers mem{};
        rq_pass_engine e{};
        e.job = &j.job;
        e.oti = &oti;
        e.c = &c;
        e.plan = plan;
        e.n_filled = c.K;
        const uint64_t room = rq_job_single_pass_bytes(j.job.ctx, &c, T, j.job.threads, c.K_prime);
        uint64_t need = 0;
        CHECK(rq_pass_engine_prepare(&e, &mem, room, 0, 4u + T, &need) == RQ_OK);
        CHECK(e.n_passes == 1);
        CHECK(e.row_stride == rq_row_stride(T));
        CHECK(mem.rows_cap == plan->rows * rq_row_stride(T));
        CHECK(mem.rows_cap + mem.buf_cap + mem.scratch_cap + rq_plan_bytes(plan) <= room);
        rq_pass_engine_release(&e);
        rq_job_buffers_free(&j.job, &mem);
        rq_plan_free(plan);
    }
}

TEST_CASE("a pass put into its rows piece by piece lands where the whole-pass copy puts it")
{
    // Three sub-blocks of unequal width (T / Al = 1001 sub-symbols over 3),
    // symbols in the rows in a shuffled order, as a cached plan numbers them.
    const uint32_t K = 37, T = 4004;
    const rq_oti oti = {uint64_t(T) * K, T, 1, 3, 4};
    std::vector<uint32_t> order(K);
    std::iota(order.begin(), order.end(), 0u);
    std::mt19937 rng(7);
    std::shuffle(order.begin(), order.end(), rng);
    rq_plan plan{};
    plan.first_input = 5;
    plan.n_inputs = K;
    plan.input_row = order.data();
    const size_t stride = rq_row_stride(T);
    for (const rq_pass pass : {rq_pass{0, 3, 0, 0}, rq_pass{1, 3, 0, 0}, rq_pass{2, 3, 0, 0}}) {
        rq_pass p = pass;
        size_t off, w;
        rq_sub_block_span(&oti, p.first_sub, &off, &w);
        p.w0 = off;
        p.width = T - off;
        CAPTURE(p.first_sub);
        std::vector<uint8_t> buf(size_t(K) * p.width);
        for (uint8_t &b : buf)
            b = uint8_t(rng());
        std::vector<uint8_t> got((plan.first_input + K) * stride, 0xee);
        // What the rows hold, read back into the pass layout with the gather decode uses.
        const auto gathered = [&] {
            std::vector<uint8_t> back(buf.size());
            for (uint32_t i = 0; i < K; i++)
                rq_row_to_pass(&oti, &p, K, i, got.data() + rq_plan_input_row(&plan, i) * stride,
                               back.data());
            return back;
        };
        // Pieces of every length from 1 byte to several symbols, cut anywhere.
        for (size_t at = 0; at < buf.size();) {
            size_t len = std::min<size_t>(1 + rng() % (3 * T), buf.size() - at);
            rq_pass_range_to_rows(&oti, &p, K, at, buf.data() + at, len, got.data(), stride, &plan);
            at += len;
        }
        CHECK((gathered() == buf));
        // The rows before the inputs are not touched.
        CHECK(std::all_of(got.begin(), got.begin() + plan.first_input * stride,
                          [](uint8_t v) { return v == 0xee; }));
        // No source: the range's bytes become zeros, and nothing else changes.
        const size_t from = buf.size() / 3, len = buf.size() / 4;
        std::fill(buf.begin() + from, buf.begin() + from + len, 0);
        rq_pass_range_to_rows(&oti, &p, K, from, nullptr, len, got.data(), stride, &plan);
        CHECK((gathered() == buf));
    }
}
