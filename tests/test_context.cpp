// Contexts (rq.h): several at once with different backends, the one checked
// setter and its error channel, the caches' budget, and the rules for
// destroying one.
#include "rq_test.h"
#include "test_data.h"

extern "C" {
#include "core/row_pool.h"
}

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

// Encodes a K-symbol block in ctx, drops a third of the source, decodes from
// the rest and repairs; returns the repair symbols and checks the decode.
std::vector<uint8_t> round_trip(rq_context *ctx, uint32_t K, size_t T, uint64_t seed, bool *ok)
{
    const std::vector<uint8_t> source = rqt::splitmix_bytes(seed, size_t(K) * T);
    rq_encoder *enc = nullptr;
    rq_decoder *dec = nullptr;
    std::vector<uint8_t> repairs, symbol(T), decoded(source.size());
    *ok = rq_encoder_create_in(ctx, &enc, K, T, source.data(), source.size()) == RQ_OK &&
          rq_decoder_create_in(ctx, &dec, K, T) == RQ_OK;
    for (uint32_t esi = 0; *ok && esi < K + K / 3 + 2; esi++) {
        *ok = rq_encoder_symbol(enc, esi, symbol.data(), T) == RQ_OK;
        if (esi >= K)
            repairs.insert(repairs.end(), symbol.begin(), symbol.end());
        if (*ok && (esi >= K || esi % 3 != 1)) // a third of the source lost
            *ok = rq_decoder_add_symbol(dec, esi, symbol.data(), T) == RQ_OK;
    }
    *ok = *ok && rq_decoder_decode(dec) == RQ_OK &&
          rq_decoder_source(dec, decoded.data(), decoded.size()) == RQ_OK && decoded == source;
    rq_decoder_destroy(dec);
    rq_encoder_destroy(enc);
    return repairs;
}

std::string last_error(const rq_context *ctx)
{
    char buf[256];
    REQUIRE(rq_context_last_error(ctx, buf, sizeof buf) == RQ_OK);
    return buf;
}

int64_t get(const rq_context *ctx, rq_param p)
{
    int64_t v = -1;
    REQUIRE(rq_context_get(ctx, p, &v) == RQ_OK);
    return v;
}

} // namespace

TEST_CASE("two contexts on different backends code on two threads at once, to the same bytes",
          "[concurrency]")
{
    rqt::Context scalar = rqt::make_context(), best = rqt::make_context();
    REQUIRE(rq_context_set(scalar.get(), RQ_PARAM_BACKEND, RQ_BACKEND_SCALAR) == RQ_OK);
    const char *a = nullptr, *b = nullptr;
    REQUIRE(rq_context_backend(scalar.get(), &a) == RQ_OK);
    REQUIRE(rq_context_backend(best.get(), &b) == RQ_OK);
    CHECK(std::string(a) == "scalar");
    INFO("best backend here: " << b);
    const uint32_t Ks[] = {10, 101, 1000};
    std::vector<std::vector<uint8_t>> out[2];
    bool ok[2] = {true, true};
    std::thread threads[2];
    rq_context *ctxs[2] = {scalar.get(), best.get()};
    for (int t = 0; t < 2; t++) {
        threads[t] = std::thread([&, t] {
            for (int round = 0; round < 3; round++) {
                for (uint32_t K : Ks) {
                    bool fine = false;
                    out[t].push_back(round_trip(ctxs[t], K, 256 + 64 * round, K + round, &fine));
                    ok[t] = ok[t] && fine;
                }
            }
        });
    }
    for (std::thread &th : threads)
        th.join();
    CHECK(ok[0]);
    CHECK(ok[1]);
    REQUIRE(out[0].size() == out[1].size());
    for (size_t i = 0; i < out[0].size(); i++)
        CHECK(out[0][i] == out[1][i]);
}

TEST_CASE("a bad parameter value is refused with a message naming it, and the old value stays")
{
    rqt::Context ctx = rqt::make_context();
    rq_context *c = ctx.get();
    REQUIRE(rq_context_set(c, RQ_PARAM_STRIPE_BYTES, 65536) == RQ_OK);
    CHECK(rq_context_set(c, RQ_PARAM_STRIPE_BYTES, 1) == RQ_ERR_CONFIG);
    CHECK(last_error(c).find("RQ_PARAM_STRIPE_BYTES") != std::string::npos);
    CHECK(get(c, RQ_PARAM_STRIPE_BYTES) == 65536);

    CHECK(rq_context_set(c, RQ_PARAM_DENSE, 3) == RQ_ERR_CONFIG);
    CHECK(last_error(c).find("RQ_PARAM_DENSE") != std::string::npos);
    CHECK(get(c, RQ_PARAM_DENSE) == RQ_DENSE_BY_COST);

    CHECK(rq_context_set(c, RQ_PARAM_CACHE_BYTES, -1) == RQ_ERR_CONFIG);
    CHECK(get(c, RQ_PARAM_CACHE_BYTES) == int64_t(128) << 20);

    CHECK(rq_context_set(c, static_cast<rq_param>(77), 1) == RQ_ERR_CONFIG);
    CHECK(last_error(c).find("77") != std::string::npos);
    int64_t v = 0;
    CHECK(rq_context_get(c, static_cast<rq_param>(0), &v) == RQ_ERR_CONFIG);
    CHECK(rq_context_set(nullptr, RQ_PARAM_DENSE, 0) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_context_get(c, RQ_PARAM_DENSE, nullptr) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("parameter bounds, defaults and names are queryable")
{
    int64_t lo = 0, hi = 0, def = 0;
    REQUIRE(rq_param_bounds(RQ_PARAM_STRIPE_BYTES, &lo, &hi, &def) == RQ_OK);
    CHECK(lo <= def);
    CHECK(def <= hi);
    CHECK(def == int64_t(1) << 20);
    REQUIRE(rq_param_bounds(RQ_PARAM_BACKEND, &lo, &hi, &def) == RQ_OK);
    CHECK(lo == RQ_BACKEND_AUTO);
    CHECK(hi == RQ_BACKEND_WASM_SIMD128);
    CHECK(rq_param_bounds(static_cast<rq_param>(99), &lo, &hi, &def) == RQ_ERR_CONFIG);
    const char *name = nullptr;
    REQUIRE(rq_param_name(RQ_PARAM_CACHE_BYTES, &name) == RQ_OK);
    CHECK(std::string(name) == "RQ_PARAM_CACHE_BYTES");
    // Every parameter starts at its default.
    rqt::Context ctx = rqt::make_context();
    for (rq_param p : {RQ_PARAM_BACKEND, RQ_PARAM_CACHE_BYTES, RQ_PARAM_STRIPE_BYTES, RQ_PARAM_DENSE,
                       RQ_PARAM_BLAKE3, RQ_PARAM_STREAM_FILL_BYTES}) {
        REQUIRE(rq_param_bounds(p, nullptr, nullptr, &def) == RQ_OK);
        CHECK(get(ctx.get(), p) == def);
    }
}

TEST_CASE("the caches stay within a small budget: they evict or do not keep, and coding still works")
{
    rqt::Context ctx = rqt::make_context();
    rq_context *c = ctx.get();
    const uint64_t limit = 512 * 1024;
    REQUIRE(rq_context_set(c, RQ_PARAM_CACHE_BYTES, int64_t(limit)) == RQ_OK);
    rq_memory_usage use{};
    for (uint32_t K : {10u, 100u, 500u, 1000u, 2000u, 4000u, 100u, 10u}) {
        bool ok = false;
        round_trip(c, K, 512, K, &ok);
        CHECK(ok);
        REQUIRE(rq_context_memory(c, &use) == RQ_OK);
        CAPTURE(K, use.charged, use.peak);
        CHECK(use.limit == limit);
        CHECK(use.charged <= limit);
        CHECK(use.peak <= limit);
    }
    CHECK(use.peak > 0); // something was kept: the small plans fit

    // With a roomy budget the same work keeps more; lowering it lets go.
    REQUIRE(rq_context_set(c, RQ_PARAM_CACHE_BYTES, int64_t(256) << 20) == RQ_OK);
    for (uint32_t K : {1000u, 2000u, 4000u}) {
        bool ok = false;
        round_trip(c, K, 512, K, &ok);
        CHECK(ok);
    }
    REQUIRE(rq_context_memory(c, &use) == RQ_OK);
    CHECK(use.charged > limit);
    REQUIRE(rq_context_set(c, RQ_PARAM_CACHE_BYTES, 0) == RQ_OK);
    REQUIRE(rq_context_memory(c, &use) == RQ_OK);
    CHECK(use.charged == 0);
    bool ok = false;
    round_trip(c, 1000, 512, 3, &ok); // nothing kept, still codes
    CHECK(ok);
    REQUIRE(rq_context_memory(c, &use) == RQ_OK);
    CHECK(use.charged == 0);
}

TEST_CASE("a working buffer over half the cache budget is kept in free room, and goes first when a plan needs room")
{
    rqt::Context ctx = rqt::make_context();
    rq_context *c = ctx.get();
    const size_t MiB = size_t(1) << 20;
    REQUIRE(rq_context_set(c, RQ_PARAM_CACHE_BYTES, int64_t(16 * MiB)) == RQ_OK);
    rq_row_pool *pool = rq_context_pool(c);

    // A block's rows larger than half the budget: the next block of that size reuses them, no fresh pages.
    rq_rows_buf big{};
    REQUIRE(rq_rows_get(pool, &big, 10 * MiB) == RQ_OK);
    const uint8_t *rows = big.rows;
    const size_t cap = big.cap;
    rq_rows_put(&big);
    CHECK(rq_row_pool_idle_bytes(pool) == cap);
    rq_rows_buf again{};
    REQUIRE(rq_rows_get(pool, &again, 10 * MiB) == RQ_OK);
    CHECK(again.rows == rows);
    rq_rows_put(&again);

    // A plan that needs the room frees the buffer rather than going uncached.
    const uint32_t K = 40000;
    const size_t T = 16;
    const std::vector<uint8_t> src = rqt::splitmix_bytes(5, size_t(K) * T);
    rq_encoder *e = nullptr;
    REQUIRE(rq_encoder_create_in(c, &e, K, T, src.data(), src.size()) == RQ_OK);
    rq_encoder_destroy(e);
    rq_memory_usage use{};
    REQUIRE(rq_context_memory(c, &use) == RQ_OK);
    const uint64_t idle = rq_row_pool_idle_bytes(pool);
    INFO("charged " << use.charged << ", idle rows " << idle << ", big buffer " << cap);
    CHECK(idle < cap);
    CHECK(use.charged - idle > 16 * MiB - cap); // the plan, kept: it did not fit beside the buffer
    CHECK(use.charged <= use.limit);
}

TEST_CASE("pooled row buffers get an eighth of slack; a buffer of its own (no pool) does not")
{
    rqt::Context ctx = rqt::make_context();
    rq_row_pool *pool = rq_context_pool(ctx.get());
    const size_t MiB = size_t(1) << 20;
    for (size_t bytes : {MiB, 10 * MiB}) { // malloc'd, and mapped in huge pages
        INFO("bytes " << bytes);
        rq_rows_buf pooled{}, own{};
        REQUIRE(rq_rows_get(pool, &pooled, bytes) == RQ_OK);
        REQUIRE(rq_rows_get(nullptr, &own, bytes) == RQ_OK);
        CHECK(pooled.cap >= bytes + bytes / 8);
        CHECK(own.cap >= bytes);
        CHECK(own.cap < bytes + bytes / 8);
        CHECK(uintptr_t(own.rows) % 64 == 0);
        own.rows[own.cap - 1] = 1; // all of cap is usable
        rq_rows_put(&own);
        rq_rows_put(&pooled);
    }
}

TEST_CASE("a context with coders alive is not destroyed; the default context never is")
{
    rq_context *ctx = nullptr;
    REQUIRE(rq_context_create(&ctx) == RQ_OK);
    rq_decoder *dec = nullptr;
    REQUIRE(rq_decoder_create_in(ctx, &dec, 10, 16) == RQ_OK);
    CHECK(rq_context_destroy(ctx) == RQ_ERR_BUSY);
    REQUIRE(rq_decoder_destroy(dec) == RQ_OK);
    CHECK(rq_context_destroy(ctx) == RQ_OK);
    CHECK(rq_context_destroy(rqt::default_context()) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_context_destroy(nullptr) == RQ_OK);
    CHECK(rq_context_create(nullptr) == RQ_ERR_INVALID_ARGUMENT);
    rq_encoder *enc = nullptr;
    const std::vector<uint8_t> source(160, 1);
    CHECK(rq_encoder_create_in(nullptr, &enc, 10, 16, source.data(), source.size()) ==
          RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("rq_context_from_env applies the tuning variables with the setter's rules")
{
    rqt::Context ctx = rqt::make_context();
    REQUIRE(setenv("RQ_STRIPE_BYTES", "262144", 1) == 0);
    REQUIRE(setenv("RQ_DENSE", "never", 1) == 0);
    REQUIRE(setenv("RQ_STREAM_FILL_BYTES", "33554432", 1) == 0);
    CHECK(rq_context_from_env(ctx.get()) == RQ_OK);
    unsetenv("RQ_STREAM_FILL_BYTES");
    CHECK(get(ctx.get(), RQ_PARAM_STREAM_FILL_BYTES) == 33554432);
    CHECK(get(ctx.get(), RQ_PARAM_STRIPE_BYTES) == 262144);
    CHECK(get(ctx.get(), RQ_PARAM_DENSE) == RQ_DENSE_NEVER);
    REQUIRE(setenv("RQ_STRIPE_BYTES", "12abc", 1) == 0);
    CHECK(rq_context_from_env(ctx.get()) == RQ_ERR_CONFIG);
    CHECK(last_error(ctx.get()).find("RQ_STRIPE_BYTES=12abc") != std::string::npos);
    CHECK(get(ctx.get(), RQ_PARAM_STRIPE_BYTES) == 262144);
    REQUIRE(setenv("RQ_STRIPE_BYTES", "1", 1) == 0);
    CHECK(rq_context_from_env(ctx.get()) == RQ_ERR_CONFIG);
    CHECK(last_error(ctx.get()).find("out of range") != std::string::npos);
    REQUIRE(setenv("RQ_DENSE", "sometimes", 1) == 0);
    unsetenv("RQ_STRIPE_BYTES");
    CHECK(rq_context_from_env(ctx.get()) == RQ_ERR_CONFIG);
    CHECK(last_error(ctx.get()).find("RQ_DENSE=sometimes") != std::string::npos);
    CHECK(get(ctx.get(), RQ_PARAM_DENSE) == RQ_DENSE_NEVER);
    unsetenv("RQ_DENSE");
    // The library itself never reads them: a new context has the defaults.
    REQUIRE(setenv("RQ_STRIPE_BYTES", "262144", 1) == 0);
    rqt::Context fresh = rqt::make_context();
    CHECK(get(fresh.get(), RQ_PARAM_STRIPE_BYTES) == int64_t(1) << 20);
    unsetenv("RQ_STRIPE_BYTES");
}
