// Batches on one plan (include/rq/rq_batch.h): every block's output equals
// what a block encoder or decoder of its own makes, for encoding, decoding
// and repair, whatever the thread count; bad batches get specific errors and
// write nothing; budget, progress and cancellation behave like a file job's;
// and on a usable GPU the same batches give the same bytes (skipped, with the
// reason, where there is none).
#include "rq_test.h"
#include "splitmix64.h"

#include <rq/rq_batch.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

namespace {

struct SessionDeleter {
    void operator()(rq_session *p) const { rq_session_destroy(p); }
};
using Session = std::unique_ptr<rq_session, SessionDeleter>;

Session make_session(rq_context *ctx, uint32_t threads)
{
    rq_session *s = nullptr;
    REQUIRE(rq_session_create_in(ctx, &s) == RQ_OK);
    REQUIRE(rq_session_set(s, RQ_SESSION_THREADS, threads) == RQ_OK);
    return Session(s);
}

/* Blocks of random source symbols and their symbols for any ESI, from a block encoder each. */
struct Blocks {
    uint32_t K;
    size_t T;
    std::vector<std::vector<uint8_t>> source;
    std::vector<rqt::Encoder> encoders;

    Blocks(uint32_t k, size_t t, size_t n, uint64_t seed) : K(k), T(t)
    {
        for (size_t b = 0; b < n; b++) {
            source.emplace_back((size_t)K * T);
            rq_test_splitmix64_fill(seed + b, source.back().data(), source.back().size());
            rq_encoder *e = nullptr;
            REQUIRE(rq_encoder_create(&e, K, T, source.back().data(), source.back().size()) == RQ_OK);
            encoders.emplace_back(e);
        }
    }
    std::vector<uint8_t> symbols(size_t b, const std::vector<uint32_t> &esis) const
    {
        std::vector<uint8_t> out(esis.size() * T);
        for (size_t i = 0; i < esis.size(); i++)
            REQUIRE(rq_encoder_symbol(encoders[b].get(), esis[i], out.data() + i * T, T) == RQ_OK);
        return out;
    }
};

/* The batch's buffers: inputs from the blocks, outputs to fill. */
struct Run {
    std::vector<std::vector<uint8_t>> in, out;
    std::vector<const uint8_t *> in_ptrs;
    std::vector<uint8_t *> out_ptrs;
    rq_batch batch{};

    Run(const Blocks &blocks, const std::vector<uint32_t> *known, const std::vector<uint32_t> &wanted)
    {
        size_t n = blocks.source.size();
        for (size_t b = 0; b < n; b++) {
            in.push_back(known ? blocks.symbols(b, *known) : blocks.source[b]);
            out.emplace_back(wanted.size() * blocks.T, 0xEE);
        }
        for (size_t b = 0; b < n; b++) {
            in_ptrs.push_back(in[b].data());
            out_ptrs.push_back(out[b].data());
        }
        batch.source_symbols = blocks.K;
        batch.symbol_size = blocks.T;
        batch.n_blocks = n;
        batch.known_esis = known ? known->data() : nullptr;
        batch.n_known = known ? (uint32_t)known->size() : blocks.K;
        batch.inputs = in_ptrs.data();
        batch.wanted_esis = wanted.data();
        batch.n_wanted = (uint32_t)wanted.size();
        batch.outputs = out_ptrs.data();
    }
};

std::vector<uint32_t> range(uint32_t from, uint32_t to)
{
    std::vector<uint32_t> v(to - from);
    std::iota(v.begin(), v.end(), from);
    return v;
}

void check_outputs(const Blocks &blocks, const Run &run, const std::vector<uint32_t> &wanted)
{
    for (size_t b = 0; b < blocks.source.size(); b++) {
        INFO("block " << b);
        REQUIRE(run.out[b] == blocks.symbols(b, wanted));
    }
}

/* The survivors after losing every ESI in lost, from ESIs [0, n). */
std::vector<uint32_t> without(uint32_t n, const std::vector<uint32_t> &lost)
{
    std::vector<uint32_t> keep;
    for (uint32_t e = 0; e < n; e++)
        if (std::find(lost.begin(), lost.end(), e) == lost.end())
            keep.push_back(e);
    return keep;
}

rq_context *cpu_context()
{
    static rq_context *ctx = [] {
        rq_context *c = nullptr;
        REQUIRE(rq_context_create(&c) == RQ_OK);
        return c;
    }();
    return ctx;
}

} // namespace

TEST_CASE("batch encoding gives every block's repair and source symbols", "[batch]")
{
    auto [K, T, n] = GENERATE(std::make_tuple(10u, size_t(16), size_t(7)), std::make_tuple(101u, size_t(13), size_t(5)),
                              std::make_tuple(1000u, size_t(1280), size_t(6)));
    INFO("K " << K << " T " << T);
    Blocks blocks(K, T, n, 77);
    std::vector<uint32_t> wanted = range(K, K + K / 5 + 3);
    wanted.push_back(0);
    wanted.push_back(K - 1);
    for (uint32_t threads : {1u, 2u}) {
        Session s = make_session(cpu_context(), threads);
        Run run(blocks, nullptr, wanted);
        rq_batch_result r;
        REQUIRE(rq_code_batch(s.get(), &run.batch, &r) == RQ_OK);
        check_outputs(blocks, run, wanted);
        CHECK(r.device == RQ_BATCH_CPU);
        CHECK(r.plan_ops > 0);
        CHECK(std::string(r.reason).size() > 0);
    }
}

/* Blocks that lost the ESIs in lost out of [0, sent) get them back from the rest, in the order given. */
static void check_rebuilt(const Blocks &blocks, uint32_t sent, const std::vector<uint32_t> &lost, bool reversed)
{
    std::vector<uint32_t> known = without(sent, lost);
    if (reversed)
        std::reverse(known.begin(), known.end());
    Session s = make_session(cpu_context(), 2);
    Run run(blocks, &known, lost);
    REQUIRE(rq_code_batch(s.get(), &run.batch, nullptr) == RQ_OK);
    check_outputs(blocks, run, lost);
}

TEST_CASE("batch decoding rebuilds the same lost source symbols of every block", "[batch]")
{
    /* K + 3 survivors, repair ones among them, in any order. */
    check_rebuilt(Blocks(500, 64, 9, 5), 508, {0, 3, 77, 250, 499}, true);
}

TEST_CASE("batch repair makes lost repair symbols from the survivors", "[batch]")
{
    check_rebuilt(Blocks(40, 100, 4, 9), 55, {1, 2, 45, 47, 52}, false);
}

TEST_CASE("a bad batch gets a specific error and writes nothing", "[batch]")
{
    const uint32_t K = 20;
    Blocks blocks(K, 32, 3, 1);
    Session s = make_session(cpu_context(), 2);
    std::vector<uint32_t> wanted = {K, K + 1};
    const char *message = nullptr;
    auto untouched = [&](const Run &run) {
        for (const auto &o : run.out)
            REQUIRE(std::all_of(o.begin(), o.end(), [](uint8_t x) { return x == 0xEE; }));
    };
    SECTION("too few known symbols")
    {
        std::vector<uint32_t> known = range(1, K);
        Run run(blocks, &known, wanted);
        REQUIRE(rq_code_batch(s.get(), &run.batch, nullptr) == RQ_ERR_NEED_MORE_SYMBOLS);
        rq_session_last_error(s.get(), &message);
        CHECK(std::string(message).find("do not determine") != std::string::npos);
        untouched(run);
    }
    SECTION("a known ESI twice")
    {
        std::vector<uint32_t> known = range(0, K);
        known.push_back(5);
        Run run(blocks, &known, wanted);
        REQUIRE(rq_code_batch(s.get(), &run.batch, nullptr) == RQ_ERR_INVALID_ARGUMENT);
        untouched(run);
    }
    SECTION("an ESI past 24 bits")
    {
        std::vector<uint32_t> big = {1u << 24};
        Run run(blocks, nullptr, big);
        REQUIRE(rq_code_batch(s.get(), &run.batch, nullptr) == RQ_ERR_INVALID_ARGUMENT);
        untouched(run);
    }
    SECTION("NULL pointers, K and T out of range")
    {
        Run run(blocks, nullptr, wanted);
        REQUIRE(rq_code_batch(s.get(), nullptr, nullptr) == RQ_ERR_INVALID_ARGUMENT);
        REQUIRE(rq_code_batch(nullptr, &run.batch, nullptr) == RQ_ERR_INVALID_ARGUMENT);
        rq_batch bad = run.batch;
        bad.source_symbols = 56404;
        REQUIRE(rq_code_batch(s.get(), &bad, nullptr) == RQ_ERR_INVALID_ARGUMENT);
        bad = run.batch;
        bad.symbol_size = 0;
        REQUIRE(rq_code_batch(s.get(), &bad, nullptr) == RQ_ERR_SYMBOL_SIZE);
        bad.symbol_size = 65536;
        REQUIRE(rq_code_batch(s.get(), &bad, nullptr) == RQ_ERR_SYMBOL_SIZE);
        std::vector<const uint8_t *> holes = run.in_ptrs;
        holes[1] = nullptr;
        bad = run.batch;
        bad.inputs = holes.data();
        REQUIRE(rq_code_batch(s.get(), &bad, nullptr) == RQ_ERR_INVALID_ARGUMENT);
        untouched(run);
    }
}

TEST_CASE("a batch stays within the session's budget", "[batch]")
{
    /* One block of K = 1000, T = 65528 needs ~70 MB of rows: refused under 64 MiB. */
    Blocks blocks(1000, 65528, 1, 3);
    Session s = make_session(cpu_context(), 2);
    REQUIRE(rq_session_set(s.get(), RQ_SESSION_MEMORY_BUDGET, 64ll << 20) == RQ_OK);
    std::vector<uint32_t> wanted = {1000};
    Run run(blocks, nullptr, wanted);
    REQUIRE(rq_code_batch(s.get(), &run.batch, nullptr) == RQ_ERR_MEMORY_BUDGET);
    rq_memory_usage m;
    REQUIRE(rq_session_memory(s.get(), &m) == RQ_OK);
    CHECK(m.charged == 0);
    CHECK(m.peak <= 64ull << 20);
    REQUIRE(rq_session_set(s.get(), RQ_SESSION_MEMORY_BUDGET, 256ll << 20) == RQ_OK);
    REQUIRE(rq_code_batch(s.get(), &run.batch, nullptr) == RQ_OK);
    check_outputs(blocks, run, wanted);
}

TEST_CASE("a batch reports progress in blocks and stops when the callback asks", "[batch]")
{
    Blocks blocks(50, 64, 40, 8);
    std::vector<uint32_t> wanted = {50, 51};
    Session s = make_session(cpu_context(), 1);
    struct Seen {
        std::vector<uint64_t> done;
        uint64_t total = 0, stop_at = 0;
    } seen;
    rq_session_set_progress(
        s.get(),
        [](void *u, uint64_t done, uint64_t total) {
            auto *p = static_cast<Seen *>(u);
            p->done.push_back(done);
            p->total = total;
            return p->stop_at && done >= p->stop_at ? 1 : 0;
        },
        &seen);
    Run run(blocks, nullptr, wanted);
    REQUIRE(rq_code_batch(s.get(), &run.batch, nullptr) == RQ_OK);
    CHECK(seen.total == 40);
    CHECK(seen.done.back() == 40);
    CHECK(std::is_sorted(seen.done.begin(), seen.done.end()));
    seen = Seen{};
    seen.stop_at = 10;
    Run again(blocks, nullptr, wanted);
    REQUIRE(rq_code_batch(s.get(), &again.batch, nullptr) == RQ_ERR_CANCELLED);
    CHECK(seen.done.back() == 10);
}

TEST_CASE("rq_batch_estimate names the device and why", "[batch]")
{
    Session s = make_session(cpu_context(), 0);
    rq_batch_result r;
    REQUIRE(rq_batch_estimate(s.get(), 1000, 1280, 1000, 1000, 100, &r) == RQ_OK);
    CHECK(std::string(r.reason).size() > 0);
    CHECK(std::string(r.backend).size() > 0);
    REQUIRE(rq_batch_estimate(s.get(), 0, 1280, 1, 1, 1, &r) == RQ_ERR_INVALID_ARGUMENT);
    REQUIRE(rq_batch_estimate(s.get(), 10, 1280, 1, 9, 1, &r) == RQ_ERR_INVALID_ARGUMENT);
    SECTION("a context on a CPU backend keeps batches on it")
    {
        rqt::Context ctx = rqt::make_context();
        REQUIRE(rq_context_set(ctx.get(), RQ_PARAM_BACKEND, RQ_BACKEND_SCALAR) == RQ_OK);
        Session scalar = make_session(ctx.get(), 1);
        REQUIRE(rq_batch_estimate(scalar.get(), 1000, 1280, 100000, 1000, 100, &r) == RQ_OK);
        CHECK(r.device == RQ_BATCH_CPU);
        CHECK(std::string(r.backend) == "scalar");
        CHECK(std::string(r.reason) == "the context's backend is scalar");
    }
}

/* A context coding with CUDA, or empty with the reason there is none. */
static rqt::Context cuda_context(std::string &why)
{
    rqt::Context ctx = rqt::make_context();
    if (rq_context_set(ctx.get(), RQ_PARAM_BACKEND, RQ_BACKEND_CUDA) == RQ_OK)
        return ctx;
    char buf[256];
    rq_context_last_error(ctx.get(), buf, sizeof buf);
    why = buf;
    return nullptr;
}

TEST_CASE("on a GPU a batch gives the CPU's bytes", "[batch][cuda]")
{
    std::string why;
    rqt::Context ctx = cuda_context(why);
    if (!ctx) {
        WARN("skipped: no usable GPU: " << why);
        return;
    }
    auto [K, T, n] = GENERATE(std::make_tuple(1000u, size_t(1280), size_t(64)), std::make_tuple(10u, size_t(13), size_t(33)),
                              std::make_tuple(200u, size_t(65528), size_t(3)));
    INFO("K " << K << " T " << T);
    Blocks blocks(K, T, n, 123);
    std::vector<uint32_t> wanted = range(K, K + K / 10 + 1);
    std::vector<uint32_t> lost = {0, K / 2, K - 1};
    std::vector<uint32_t> known = without(K + 5, lost);
    Session s = make_session(ctx.get(), 0);
    Run enc(blocks, nullptr, wanted), dec(blocks, &known, lost);
    rq_batch_result r;
    REQUIRE(rq_code_batch(s.get(), &enc.batch, &r) == RQ_OK);
    CHECK(r.device == RQ_BATCH_CUDA);
    check_outputs(blocks, enc, wanted);
    REQUIRE(rq_code_batch(s.get(), &dec.batch, &r) == RQ_OK);
    check_outputs(blocks, dec, lost);
}
