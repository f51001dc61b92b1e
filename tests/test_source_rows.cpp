// The per-K' source rows solves share (core/source_rows.h): their contents
// against the tuples and MT rows computed afresh, one table per K' while it
// is kept, tables handed out uncached when every slot is busy, and many
// threads acquiring and releasing at once (this file runs under
// ThreadSanitizer too).
#include "rq_test.h"

extern "C" {
#include "core/constraint_rows.h"
#include "core/source_rows.h"
#include "core/tuple.h"
}

#include <thread>
#include <vector>

namespace {

rq_block_constants constants_for(uint32_t K)
{
    rq_block_constants c;
    REQUIRE(rq_block_constants_for(K, &c) == RQ_OK);
    return c;
}

// 1 if rows holds exactly what rq_neighbours and rq_hdpc_mt_rows say for c.
bool matches(const rq_block_constants &c, const rq_source_rows *rows)
{
    if (rows->k_prime != c.K_prime || rows->start[0] != 0)
        return false;
    uint32_t nb[64];
    for (uint32_t isi = 0; isi < c.K_prime; isi++) {
        uint32_t n = rq_neighbours(&c, isi, nb);
        if (rows->start[isi + 1] - rows->start[isi] != n)
            return false;
        for (uint32_t j = 0; j < n; j++)
            if (rows->cols[rows->start[isi] + j] != nb[j])
                return false;
    }
    for (uint32_t j = 0; j + 1 < c.K_prime + c.S; j++) {
        uint32_t h1, h2;
        rq_hdpc_mt_rows(&c, j, &h1, &h2);
        if (rows->mt[2 * j] != h1 || rows->mt[2 * j + 1] != h2)
            return false;
    }
    return true;
}

} // namespace

TEST_CASE("shared source rows are the tuples and MT rows of their K', one table per K'")
{
    rqt::Context ctx = rqt::make_context(); // its own caches: nothing kept from other tests
    rq_source_rows_cache *rows_cache = rq_context_source_rows(ctx.get());
    for (uint32_t K : {1u, 10u, 101u, 1000u}) {
        INFO("K = " << K);
        const rq_block_constants c = constants_for(K);
        const rq_source_rows *a = nullptr, *b = nullptr;
        REQUIRE(rq_source_rows_acquire(rows_cache, &c, &a) == RQ_OK);
        REQUIRE(matches(c, a));
        REQUIRE(rq_source_rows_acquire(rows_cache, &c, &b) == RQ_OK);
        CHECK(a == b); // kept: the second solve of a K' computes nothing
        rq_source_rows_release(rows_cache, b);
        rq_source_rows_release(rows_cache, a);
    }
    CHECK(rq_source_rows_acquire(nullptr, nullptr, nullptr) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("with every kept table in use, a new K' gets a table of its own, freed on release")
{
    rqt::Context ctx = rqt::make_context(); // its own caches: nothing kept from other tests
    rq_source_rows_cache *rows_cache = rq_context_source_rows(ctx.get());
    // Hold RQ_SOURCE_ROWS_KEPT tables of distinct K' (new ones, so none is
    // unused and evictable), then ask for one more.
    std::vector<const rq_source_rows *> held;
    std::vector<rq_block_constants> cs;
    for (uint32_t K = 2000; held.size() < RQ_SOURCE_ROWS_KEPT; K += 100) {
        cs.push_back(constants_for(K));
        const rq_source_rows *r = nullptr;
        REQUIRE(rq_source_rows_acquire(rows_cache, &cs.back(), &r) == RQ_OK);
        held.push_back(r);
    }
    const rq_block_constants extra = constants_for(5000);
    const rq_source_rows *x = nullptr, *y = nullptr;
    REQUIRE(rq_source_rows_acquire(rows_cache, &extra, &x) == RQ_OK);
    REQUIRE(rq_source_rows_acquire(rows_cache, &extra, &y) == RQ_OK);
    CHECK(x != y); // neither could be kept
    CHECK(matches(extra, x));
    CHECK(matches(extra, y));
    rq_source_rows_release(rows_cache, x); // freed (AddressSanitizer would see a leak or a double free)
    rq_source_rows_release(rows_cache, y);
    for (size_t i = 0; i < held.size(); i++) {
        CHECK(matches(cs[i], held[i]));
        rq_source_rows_release(rows_cache, held[i]);
    }
    // Now unused, the oldest kept table makes room for a new K'.
    REQUIRE(rq_source_rows_acquire(rows_cache, &extra, &x) == RQ_OK);
    REQUIRE(rq_source_rows_acquire(rows_cache, &extra, &y) == RQ_OK);
    CHECK(x == y);
    rq_source_rows_release(rows_cache, x);
    rq_source_rows_release(rows_cache, y);
}

TEST_CASE("threads acquiring and releasing shared source rows of several K' at once")
{
    rqt::Context ctx = rqt::make_context(); // its own caches: nothing kept from other tests
    rq_source_rows_cache *rows_cache = rq_context_source_rows(ctx.get());
    const uint32_t Ks[] = {30, 300, 700, 1500, 3000, 6000};
    std::vector<rq_block_constants> cs;
    for (uint32_t K : Ks)
        cs.push_back(constants_for(K));
    std::vector<int> ok(4, 1);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < ok.size(); t++) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 30; round++) {
                const rq_block_constants &c = cs[(t * 7 + size_t(round)) % cs.size()];
                const rq_source_rows *r = nullptr;
                if (rq_source_rows_acquire(rows_cache, &c, &r) != RQ_OK) {
                    ok[t] = 0;
                    return;
                }
                // Spot checks only: full checks of six K' per round would be slow under TSan.
                uint32_t nb[64], isi = uint32_t(round * 13) % c.K_prime;
                uint32_t n = rq_neighbours(&c, isi, nb);
                if (r->k_prime != c.K_prime || r->start[isi + 1] - r->start[isi] != n ||
                    r->cols[r->start[isi]] != nb[0])
                    ok[t] = 0;
                rq_source_rows_release(rows_cache, r);
            }
        });
    }
    for (std::thread &th : threads)
        th.join();
    for (int v : ok)
        CHECK(v == 1);
}
