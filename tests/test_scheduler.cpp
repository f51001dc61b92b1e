// The scheduler (issue 6): memory budgets (runtime/budget.c), the worker
// team (runtime/workers.c), the reservations file jobs make
// (runtime/job_memory.c), many concurrent jobs under a small process budget,
// fail-fast and waiting admission, and cancellation. Tagged [concurrency]:
// scripts/test.sh also runs these under ThreadSanitizer.
#include "rq_test.h"

#include "cli_runner.h"
#include "test_data.h"
extern "C" {
#include "core/params.h"
#include "core/plan.h"
#include "core/plan_cache.h"
}
#include "runtime/budget.h"
#include "runtime/job_memory.h"
#include "runtime/workers.h"

#include <rq/rq_file.h>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t MiB = 1024 * 1024;

struct SessionDeleter {
    void operator()(rq_session *s) const { rq_session_destroy(s); }
};
using Session = std::unique_ptr<rq_session, SessionDeleter>;

Session make_session(uint64_t budget_mib, uint32_t concurrency, uint32_t threads, int fail_fast,
                     uint32_t symbol_size = 4096, uint64_t block_size = 0)
{
    rq_session *s = nullptr;
    REQUIRE(rq_session_create(&s) == RQ_OK);
    Session owned(s);
    REQUIRE(rq_session_set(s, RQ_SESSION_MEMORY_BUDGET, int64_t(budget_mib * MiB)) == RQ_OK);
    REQUIRE(rq_session_set(s, RQ_SESSION_CONCURRENCY_LIMIT, concurrency) == RQ_OK);
    REQUIRE(rq_session_set(s, RQ_SESSION_THREADS, threads) == RQ_OK);
    REQUIRE(rq_session_set(s, RQ_SESSION_FAIL_FAST, fail_fast) == RQ_OK);
    REQUIRE(rq_session_set(s, RQ_SESSION_SYMBOL_SIZE, symbol_size) == RQ_OK);
    REQUIRE(rq_session_set(s, RQ_SESSION_BLOCK_SIZE, int64_t(block_size)) == RQ_OK);
    REQUIRE(rq_session_set_double(s, RQ_SESSION_REDUNDANCY, 1.25) == RQ_OK);
    return owned;
}

std::string last_error(rq_session *s)
{
    const char *msg = "";
    rq_session_last_error(s, &msg);
    return msg;
}

rq_memory_usage session_memory(rq_session *s)
{
    rq_memory_usage m{};
    REQUIRE(rq_session_memory(s, &m) == RQ_OK);
    return m;
}

rq_memory_usage process_memory()
{
    rq_memory_usage m{};
    REQUIRE(rq_process_memory(&m) == RQ_OK);
    return m;
}

std::vector<uint8_t> read_all(const fs::path &p)
{
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// An encode / a decode whose result object is not wanted.
rq_status encode(rq_session *s, const fs::path &in, const fs::path &out)
{
    rq_file_result r{};
    rq_status st = rq_encode_file(s, in.c_str(), out.c_str(), &r);
    rq_file_result_free(&r);
    return st;
}

rq_status decode(rq_session *s, const fs::path &symbols, const fs::path &out)
{
    rq_file_result r{};
    rq_status st = rq_decode_symbols(s, symbols.c_str(), out.c_str(), nullptr, &r);
    rq_file_result_free(&r);
    return st;
}

// Every file under dir, recursively (directories left out).
std::vector<std::string> files_under(const fs::path &dir)
{
    std::vector<std::string> out;
    if (!fs::exists(dir))
        return out;
    for (const auto &e : fs::recursive_directory_iterator(dir))
        if (!e.is_directory())
            out.push_back(e.path().lexically_relative(dir).string());
    return out;
}

// Deletes every fifth symbol file of every block (a fifth is what 1.25 allows).
void delete_some_symbols(const fs::path &dir)
{
    std::vector<fs::path> sym;
    for (const auto &e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().filename() != RQ_LAYOUT_FILE_NAME)
            sym.push_back(e.path());
    std::sort(sym.begin(), sym.end());
    for (size_t i = 0; i < sym.size(); i += 7)
        fs::remove(sym[i]);
}

// A progress callback that, on its first call, says so and waits until released.
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool entered = false, released = false;

    static int callback(void *user, uint64_t, uint64_t)
    {
        auto *g = static_cast<Gate *>(user);
        std::unique_lock<std::mutex> lock(g->m);
        if (!g->entered) {
            g->entered = true;
            g->cv.notify_all();
        }
        g->cv.wait(lock, [g] { return g->released; });
        return 0;
    }
    void wait_entered()
    {
        std::unique_lock<std::mutex> lock(m);
        REQUIRE(cv.wait_for(lock, 60s, [this] { return entered; }));
    }
    void release()
    {
        std::lock_guard<std::mutex> lock(m);
        released = true;
        cv.notify_all();
    }
};

// Restores the process budget's default when a test ends, however it ends.
struct ProcessBudget {
    explicit ProcessBudget(uint64_t bytes) { REQUIRE(rq_process_set_memory_budget(bytes) == RQ_OK); }
    ~ProcessBudget() { rq_process_set_memory_budget(0); }
};

} // namespace

TEST_CASE("a budget admits charges up to its limit, keeps the peak, fails fast or waits",
          "[concurrency]")
{
    rq_budget b;
    rq_budget_init(&b, 100);
    CHECK(rq_budget_charge(&b, 60, 1, nullptr, nullptr) == RQ_OK);
    CHECK(rq_budget_charge(&b, 50, 1, nullptr, nullptr) == RQ_ERR_MEMORY_BUDGET);
    // More than the whole limit fails at once even when asked to wait.
    CHECK(rq_budget_charge(&b, 101, 0, nullptr, nullptr) == RQ_ERR_MEMORY_BUDGET);

    std::atomic<bool> done{false};
    std::thread waiter([&] {
        CHECK(rq_budget_charge(&b, 50, 0, nullptr, nullptr) == RQ_OK);
        done = true;
    });
    std::this_thread::sleep_for(100ms);
    CHECK_FALSE(done.load());
    rq_budget_release(&b, 60);
    waiter.join();
    CHECK(done.load());
    uint64_t limit, charged, peak;
    rq_budget_read(&b, &limit, &charged, &peak);
    CHECK(limit == 100);
    CHECK(charged == 50);
    CHECK(peak == 60);

    // A waiting charge gives up when its job is cancelled.
    std::atomic<int> cancel{0};
    std::thread canceller([&] {
        std::this_thread::sleep_for(50ms);
        cancel = 1;
    });
    auto cancelled = [](void *p) { return static_cast<std::atomic<int> *>(p)->load(); };
    CHECK(rq_budget_charge(&b, 60, 0, cancelled, &cancel) == RQ_ERR_CANCELLED);
    canceller.join();

    // A raised limit lets a waiter in.
    std::thread raiser([&] {
        std::this_thread::sleep_for(50ms);
        rq_budget_set_limit(&b, 200);
    });
    CHECK(rq_budget_charge(&b, 100, 0, nullptr, nullptr) == RQ_OK);
    raiser.join();
    rq_budget_read(&b, nullptr, &charged, nullptr);
    CHECK(charged == 150);
    rq_budget_destroy(&b);
}

TEST_CASE("the process budget is settable and rejects a limit below the minimum", "[concurrency]")
{
    CHECK(rq_process_set_memory_budget(RQ_MIN_MEMORY_BUDGET - 1) == RQ_ERR_CONFIG);
    ProcessBudget pb(64 * MiB);
    CHECK(process_memory().limit == 64 * MiB);
    REQUIRE(rq_process_set_memory_budget(0) == RQ_OK);
    CHECK(process_memory().limit > 64 * MiB); // half the RAM of any machine this runs on
    CHECK(rq_process_memory(nullptr) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("workers take every item exactly once", "[concurrency]")
{
    for (uint32_t n : {1u, 2u, 3u, 8u}) {
        for (rq_placement p : {RQ_PLACEMENT_COMPACT, RQ_PLACEMENT_SPREAD, RQ_PLACEMENT_NONE}) {
            CAPTURE(n, p);
            struct Ctx {
                rq_work_queue q;
                std::vector<std::atomic<int>> taken;
                std::atomic<uint32_t> team{0}, calls{0}, bad_index{0};
                explicit Ctx(size_t items) : taken(items) { rq_work_queue_init(&q, items); }
            } ctx(1000);
            rq_workers_run(n, p, [](void *c, uint32_t w, uint32_t team) {
                auto *x = static_cast<Ctx *>(c); // no Catch macros off the main thread
                if (w >= team)
                    x->bad_index++;
                x->team = team;
                x->calls++;
                size_t item;
                while (rq_work_take(&x->q, &item))
                    x->taken[item]++;
            }, &ctx);
            CHECK(ctx.bad_index.load() == 0);
            CHECK(ctx.calls.load() == ctx.team.load());
            CHECK(ctx.team.load() == n);
            for (auto &t : ctx.taken)
                REQUIRE(t.load() == 1);
        }
    }
    CHECK(rq_workers_resolve(0) >= 1);
    CHECK(rq_workers_resolve(3) == 3);
    CHECK(rq_workers_resolve(1u << 30) == RQ_MAX_WORKERS);
}

TEST_CASE("column shares cover a row exactly, 64-byte aligned", "[concurrency]")
{
    for (size_t width : {size_t(1), size_t(640), size_t(4095), size_t(4096), size_t(8200),
                         size_t(65528), size_t(1) << 20}) {
        for (uint32_t n = 1; n <= 5; n++) {
            CAPTURE(width, n);
            size_t next = 0;
            for (uint32_t w = 0; w < n; w++) {
                size_t from, len;
                rq_column_share(width, w, n, &from, &len);
                if (len == 0)
                    continue;
                CHECK(from == next);
                CHECK(from % 64 == 0);
                next = from + len;
            }
            CHECK(next == width);
        }
    }
}

TEST_CASE("the plan memory bound covers measured plans with room for the solver",
          "[concurrency]")
{
    for (uint32_t K : {1u, 10u, 100u, 1000u, 10000u}) {
        rq_block_constants c;
        REQUIRE(rq_params_for(K, &c) == RQ_OK);
        const rq_plan *plan = nullptr;
        REQUIRE(rq_plan_cache_acquire(rqt::default_context(), c.K_prime, &plan) == RQ_OK);
        CAPTURE(K, rq_plan_bytes(plan), rq_job_plan_bound(&c));
        CHECK(2 * rq_plan_bytes(plan) <= rq_job_plan_bound(&c));
        rq_plan_cache_release(rqt::default_context(), plan);
    }
}

TEST_CASE("concurrent encodes and decodes stay within the process and session budgets",
          "[concurrency]")
{
    rqt::TempDir dir;
    ProcessBudget pb(24 * MiB);
    Session sessions[2] = {make_session(12, 3, 2, 0), make_session(16, 2, 2, 0)};
    const int jobs = 6;
    std::vector<std::vector<uint8_t>> inputs;
    for (int t = 0; t < jobs; t++) { // written here: Catch's macros are for the main thread only
        inputs.push_back(rqt::splitmix_bytes(100 + t, 700000u * (t + 1) + 13u * t));
        rqt::write_bytes(dir / ("in" + std::to_string(t)), inputs.back());
    }
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < jobs; t++) {
        threads.emplace_back([&, t] {
            rq_session *s = sessions[t % 2].get();
            const fs::path in = dir / ("in" + std::to_string(t));
            const fs::path out = dir / ("sym" + std::to_string(t));
            const fs::path back = dir / ("back" + std::to_string(t));
            const std::vector<uint8_t> &data = inputs[t];
            rq_status st = encode(s, in, out);
            if (st != RQ_OK) {
                failures++;
                std::fprintf(stderr, "encode %d: %s: %s\n", t, rq_status_name(st), last_error(s).c_str());
                return;
            }
            delete_some_symbols(out);
            st = decode(s, out, back);
            if (st != RQ_OK)
                std::fprintf(stderr, "decode %d: %s: %s\n", t, rq_status_name(st), last_error(s).c_str());
            if (st != RQ_OK || read_all(back) != data)
                failures++;
        });
    }
    for (auto &th : threads)
        th.join();
    CHECK(failures.load() == 0);
    rq_memory_usage p = process_memory();
    CHECK(p.charged == 0);
    CHECK(p.peak > 0);
    CHECK(p.peak <= 24 * MiB);
    for (auto &s : sessions) {
        rq_memory_usage m = session_memory(s.get());
        CHECK(m.charged == 0);
        CHECK(m.peak > 0);
        CHECK(m.peak <= m.limit);
    }
}

TEST_CASE("fail_fast: a job finding the slot or the budget taken fails at once",
          "[concurrency]")
{
    rqt::TempDir dir;
    // 4 MiB chunks of 4 KiB symbols want more than 8 MiB: job A holds the whole budget.
    std::vector<uint8_t> data = rqt::splitmix_bytes(7, 5u * MiB);
    rqt::write_bytes(dir / "in", data);
    for (uint32_t concurrency : {1u, 2u}) {
        CAPTURE(concurrency);
        Session s = make_session(8, concurrency, 1, 1, 4096, 4 * MiB);
        Gate gate;
        REQUIRE(rq_session_set_progress(s.get(), Gate::callback, &gate) == RQ_OK);
        rq_status a_status = RQ_ERR_INTERNAL;
        const fs::path a_out = dir / ("a" + std::to_string(concurrency));
        std::thread a([&] {
            a_status = encode(s.get(), dir / "in", a_out);
        });
        gate.wait_entered();
        const fs::path b_out = dir / ("b" + std::to_string(concurrency));
        rq_status b = encode(s.get(), dir / "in", b_out);
        CHECK(b == (concurrency == 1 ? RQ_ERR_BUSY : RQ_ERR_MEMORY_BUDGET));
        CHECK_FALSE(last_error(s.get()).empty());
        CHECK(files_under(b_out).empty());
        gate.release();
        a.join();
        CHECK(a_status == RQ_OK);
        CHECK(session_memory(s.get()).charged == 0);
    }
}

TEST_CASE("without fail_fast a job waits for the slot and then runs", "[concurrency]")
{
    rqt::TempDir dir;
    std::vector<uint8_t> data = rqt::splitmix_bytes(8, 3u * MiB);
    rqt::write_bytes(dir / "in", data);
    Session s = make_session(8, 1, 2, 0, 4096, 1 * MiB);
    Gate gate;
    REQUIRE(rq_session_set_progress(s.get(), Gate::callback, &gate) == RQ_OK);
    rq_status a_status = RQ_ERR_INTERNAL, b_status = RQ_ERR_INTERNAL;
    std::atomic<bool> b_done{false};
    std::thread a([&] {
        a_status = encode(s.get(), dir / "in", dir / "a");
    });
    gate.wait_entered();
    std::thread b([&] {
        b_status = encode(s.get(), dir / "in", dir / "b");
        b_done = true;
    });
    std::this_thread::sleep_for(200ms);
    CHECK_FALSE(b_done.load());
    gate.release();
    a.join();
    b.join();
    CHECK(a_status == RQ_OK);
    CHECK(b_status == RQ_OK);
    CHECK(session_memory(s.get()).charged == 0);
}

TEST_CASE("rq_session_cancel stops an encode and a decode, leaving nothing under a final name",
          "[concurrency]")
{
    rqt::TempDir dir;
    std::vector<uint8_t> data = rqt::splitmix_bytes(9, 6u * MiB);
    rqt::write_bytes(dir / "in", data);
    // 1 MiB chunks: the job reports progress, and so looks at the cancel flag, often.
    Session s = make_session(8, 2, 2, 0, 4096, 1 * MiB);
    Gate gate;
    REQUIRE(rq_session_set_progress(s.get(), Gate::callback, &gate) == RQ_OK);

    SECTION("encode")
    {
        rq_status st = RQ_OK;
        std::thread job([&] {
            st = encode(s.get(), dir / "in", dir / "sym");
        });
        gate.wait_entered();
        REQUIRE(rq_session_cancel(s.get()) == RQ_OK);
        auto t0 = std::chrono::steady_clock::now();
        gate.release();
        job.join();
        CHECK(std::chrono::steady_clock::now() - t0 < 5s);
        CHECK(st == RQ_ERR_CANCELLED);
        CHECK(last_error(s.get()).find("cancel") != std::string::npos);
        CHECK(files_under(dir / "sym").empty()); // no symbol, layout or temporary file
    }
    SECTION("decode")
    {
        REQUIRE(rq_session_set_progress(s.get(), nullptr, nullptr) == RQ_OK);
        REQUIRE(encode(s.get(), dir / "in", dir / "sym") == RQ_OK);
        delete_some_symbols(dir / "sym");
        REQUIRE(rq_session_set_progress(s.get(), Gate::callback, &gate) == RQ_OK);
        fs::create_directories(dir / "outdir");
        rq_status st = RQ_OK;
        std::thread job([&] {
            st = decode(s.get(), dir / "sym", dir / "outdir" / "back");
        });
        gate.wait_entered();
        REQUIRE(rq_session_cancel(s.get()) == RQ_OK);
        gate.release();
        job.join();
        CHECK(st == RQ_ERR_CANCELLED);
        CHECK(files_under(dir / "outdir").empty());
    }
    CHECK(session_memory(s.get()).charged == 0);

    // The session works again for jobs started after the cancel.
    REQUIRE(rq_session_set_progress(s.get(), nullptr, nullptr) == RQ_OK);
    fs::remove_all(dir / "sym");
    REQUIRE(encode(s.get(), dir / "in", dir / "sym") == RQ_OK);
    REQUIRE(decode(s.get(), dir / "sym", dir / "back") == RQ_OK);
    CHECK(read_all(dir / "back") == data);
}

TEST_CASE("placement and fail_fast are validated session settings", "[concurrency]")
{
    Session s = make_session(64, 1, 1, 0);
    int64_t v = -1;
    double def = -1;
    REQUIRE(rq_session_param_bounds(RQ_SESSION_PLACEMENT, nullptr, nullptr, &def) == RQ_OK);
    CHECK(def == RQ_PLACEMENT_COMPACT);
    REQUIRE(rq_session_get(s.get(), RQ_SESSION_FAIL_FAST, &v) == RQ_OK);
    CHECK(v == 0);
    CHECK(rq_session_set(s.get(), RQ_SESSION_PLACEMENT, 7) == RQ_ERR_CONFIG);
    CHECK(last_error(s.get()).find("placement") != std::string::npos);
    REQUIRE(rq_session_get(s.get(), RQ_SESSION_PLACEMENT, &v) == RQ_OK);
    CHECK(v == RQ_PLACEMENT_COMPACT); // the old value stays
    REQUIRE(rq_session_set(s.get(), RQ_SESSION_PLACEMENT, RQ_PLACEMENT_SPREAD) == RQ_OK);
    CHECK(rq_session_set(s.get(), RQ_SESSION_FAIL_FAST, 2) == RQ_ERR_CONFIG);
    CHECK(last_error(s.get()).find("fail_fast") != std::string::npos);
    CHECK(rq_session_set(s.get(), RQ_SESSION_FAIL_FAST, 1) == RQ_OK);
    REQUIRE(rq_session_get(s.get(), RQ_SESSION_FAIL_FAST, &v) == RQ_OK);
    CHECK(v == 1);
}

TEST_CASE("session settings: wrong type, unknown setting and out of range are refused by name",
          "[concurrency]")
{
    Session s = make_session(64, 1, 1, 0);
    CHECK(rq_session_set(s.get(), RQ_SESSION_REDUNDANCY, 2) == RQ_ERR_CONFIG);
    CHECK(last_error(s.get()).find("redundancy takes a double") != std::string::npos);
    CHECK(rq_session_set_double(s.get(), RQ_SESSION_THREADS, 2.0) == RQ_ERR_CONFIG);
    CHECK(last_error(s.get()).find("threads takes a whole number") != std::string::npos);
    CHECK(rq_session_set(s.get(), static_cast<rq_session_param>(42), 1) == RQ_ERR_CONFIG);
    CHECK(last_error(s.get()).find("42") != std::string::npos);
    CHECK(rq_session_set_double(s.get(), RQ_SESSION_REDUNDANCY, 0.5) == RQ_ERR_CONFIG);
    CHECK(last_error(s.get()).find("redundancy") != std::string::npos);
    double r = 0;
    REQUIRE(rq_session_get_double(s.get(), RQ_SESSION_REDUNDANCY, &r) == RQ_OK);
    CHECK(r == 1.25);
    CHECK(rq_session_set(s.get(), RQ_SESSION_MEMORY_BUDGET, 1024) == RQ_ERR_CONFIG);
    rq_memory_usage use{};
    REQUIRE(rq_session_memory(s.get(), &use) == RQ_OK);
    CHECK(use.limit == 64 * MiB);
    REQUIRE(rq_session_set(s.get(), RQ_SESSION_MEMORY_BUDGET, int64_t(32 * MiB)) == RQ_OK);
    REQUIRE(rq_session_memory(s.get(), &use) == RQ_OK);
    CHECK(use.limit == 32 * MiB); // the budget follows the setting
    const char *name = nullptr;
    REQUIRE(rq_session_param_name(RQ_SESSION_CONCURRENCY_LIMIT, &name) == RQ_OK);
    CHECK(std::string(name) == "concurrency_limit");
    int64_t v = 0;
    CHECK(rq_session_get(s.get(), RQ_SESSION_REDUNDANCY, &v) == RQ_ERR_CONFIG);
    double lo = 0, hi = 0;
    REQUIRE(rq_session_param_bounds(RQ_SESSION_SYMBOL_SIZE, &lo, &hi, nullptr) == RQ_OK);
    CHECK(lo == 1);
    CHECK(hi == 65535);
}

TEST_CASE("a session codes in the context it was created in", "[concurrency]")
{
    rqt::Context ctx = rqt::make_context();
    REQUIRE(rq_context_set(ctx.get(), RQ_PARAM_BACKEND, RQ_BACKEND_SCALAR) == RQ_OK);
    rq_session *raw = nullptr;
    REQUIRE(rq_session_create_in(ctx.get(), &raw) == RQ_OK);
    Session s(raw);
    CHECK(rq_context_destroy(ctx.get()) == RQ_ERR_BUSY); // the session holds it
    rq_memory_usage before{}, after{};
    REQUIRE(rq_context_memory(ctx.get(), &before) == RQ_OK);
    rqt::TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(5, 300000);
    rqt::write_bytes(dir / "in", data);
    REQUIRE(encode(s.get(), dir / "in", dir / "sym") == RQ_OK);
    REQUIRE(decode(s.get(), dir / "sym", dir / "back") == RQ_OK);
    CHECK(read_all(dir / "back") == data);
    REQUIRE(rq_context_memory(ctx.get(), &after) == RQ_OK);
    CHECK(after.peak > before.peak); // its plans were cached in this context
    s.reset();
}
