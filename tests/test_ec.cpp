// The k+m raw coder (include/rq/rq_ec.h): parities are RFC 6330 repair
// symbols, every erasure pattern of up to m units is rebuilt (or reported
// undecodable, with the raptorq scheme's known failures pinned by number),
// inputs stay unchanged, every backend gives the same bytes, and the decode
// cache stays within its bounds.
#include <rq/rq_ec.h>

#include "support/rq_test.h"
#include "support/test_data.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

struct EcCoderDeleter {
    void operator()(rq_ec_coder *p) const { rq_ec_coder_destroy(p); }
};
using EcCoder = std::unique_ptr<rq_ec_coder, EcCoderDeleter>;

EcCoder make_coder(rq_context *ctx, uint32_t k, uint32_t m, rq_ec_scheme scheme)
{
    rq_ec_coder *raw = nullptr;
    REQUIRE(rq_ec_coder_create_in(ctx, &raw, k, m, scheme) == RQ_OK);
    return EcCoder(raw);
}

// One stripe: k data units of len bytes and their m parities.
struct Stripe {
    uint32_t k, m;
    size_t len;
    std::vector<std::vector<uint8_t>> units;

    Stripe(rq_ec_coder *c, uint32_t k_, uint32_t m_, size_t len_, uint64_t seed) : k(k_), m(m_), len(len_)
    {
        for (uint32_t i = 0; i < k + m; i++)
            units.push_back(i < k ? rqt::splitmix_bytes(seed + i, len) : std::vector<uint8_t>(len, 0xA5));
        std::vector<const uint8_t *> data;
        std::vector<uint8_t *> parity;
        for (uint32_t i = 0; i < k; i++)
            data.push_back(units[i].data());
        for (uint32_t j = 0; j < m; j++)
            parity.push_back(units[k + j].data());
        REQUIRE(rq_ec_encode(c, data.data(), parity.data(), len) == RQ_OK);
    }

    // Decodes with the units in lost missing; the rebuilt units must equal the originals.
    mutable std::vector<std::vector<uint8_t>> out; // reused: units of 1 MiB are many pages

    rq_status rebuild(rq_ec_coder *c, const std::vector<uint32_t> &lost) const
    {
        std::vector<const uint8_t *> in;
        for (uint32_t u = 0; u < k + m; u++)
            in.push_back(std::find(lost.begin(), lost.end(), u) == lost.end() ? units[u].data() : nullptr);
        out.resize(std::max(out.size(), lost.size()), std::vector<uint8_t>(len));
        std::vector<uint8_t *> outp;
        for (size_t a = 0; a < lost.size(); a++) {
            std::fill(out[a].begin(), out[a].end(), 0x5A);
            outp.push_back(out[a].data());
        }
        rq_status st = rq_ec_decode(c, in.data(), lost.data(), lost.size(), outp.data(), len);
        for (size_t a = 0; st == RQ_OK && a < lost.size(); a++)
            if (out[a] != units[lost[a]])
                return RQ_ERR_INTERNAL;
        for (size_t a = 0; st == RQ_ERR_UNDECODABLE && a < lost.size(); a++)
            if (std::count(out[a].begin(), out[a].end(), 0x5A) != std::ptrdiff_t(len))
                return RQ_ERR_INTERNAL; // nothing may be written
        return st;
    }
};

// Calls f with every set of s of the n units, in lexicographic order.
void for_each_pattern(uint32_t n, uint32_t s, const std::function<void(const std::vector<uint32_t> &)> &f)
{
    std::vector<uint32_t> lost(s);
    for (uint32_t i = 0; i < s; i++)
        lost[i] = i;
    for (;;) {
        f(lost);
        uint32_t i = s;
        while (i > 0 && lost[i - 1] == n - s + i - 1)
            i--;
        if (i == 0)
            return;
        lost[i - 1]++;
        for (uint32_t x = i; x < s; x++)
            lost[x] = lost[x - 1] + 1;
    }
}

struct Shape {
    uint32_t k, m;
    rq_ec_scheme scheme;
    uint64_t undecodable_at_m; // patterns of m erasures that cannot be rebuilt
};

} // namespace

TEST_CASE("parities are the RFC 6330 repair symbols of the block whose symbols are the data units")
{
    rqt::Context ctx = rqt::make_context();
    for (rq_ec_scheme scheme : {RQ_EC_RAPTORQ, RQ_EC_RAPTORQ_MDS}) {
        for (uint32_t k : {3u, 6u, 10u}) {
            uint32_t m = k == 10 ? 4 : k == 6 ? 3 : 2;
            EcCoder c = make_coder(ctx.get(), k, m, scheme);
            for (size_t len : {size_t(1), size_t(1007), size_t(1040), size_t(65535)}) {
                CAPTURE(scheme, k, m, len);
                Stripe s(c.get(), k, m, len, 77 + len);
                std::vector<uint8_t> block;
                for (uint32_t i = 0; i < k; i++)
                    block.insert(block.end(), s.units[i].begin(), s.units[i].end());
                rq_encoder *raw = nullptr;
                REQUIRE(rq_encoder_create_in(ctx.get(), &raw, k, len, block.data(), block.size()) == RQ_OK);
                rqt::Encoder enc(raw);
                for (uint32_t j = 0; j < m; j++) {
                    uint32_t esi = 0;
                    REQUIRE(rq_ec_parity_esi(c.get(), j, &esi) == RQ_OK);
                    if (scheme == RQ_EC_RAPTORQ)
                        CHECK(esi == k + j);
                    std::vector<uint8_t> repair(len);
                    REQUIRE(rq_encoder_symbol(enc.get(), esi, repair.data(), len) == RQ_OK);
                    CHECK(repair == s.units[k + j]);
                }
            }
        }
    }
}

namespace {
const Shape kPatternShapes[] = {{3, 2, RQ_EC_RAPTORQ, 0},     {6, 3, RQ_EC_RAPTORQ, 0},
                                {10, 4, RQ_EC_RAPTORQ, 4},    {3, 2, RQ_EC_RAPTORQ_MDS, 0},
                                {6, 3, RQ_EC_RAPTORQ_MDS, 0}, {10, 4, RQ_EC_RAPTORQ_MDS, 0}};

/*
 * Rebuilds units of len bytes from every pattern of up to m lost units of
 * every shape (every `stride`-th pattern when stride > 1, always including
 * the first) and checks that only raptorq's known patterns are refused.
 */
void rebuild_every_pattern(rq_context *ctx, size_t len, uint64_t stride)
{
    for (const Shape &sh : kPatternShapes) {
        EcCoder c = make_coder(ctx, sh.k, sh.m, sh.scheme);
        CAPTURE(sh.k, sh.m, sh.scheme, len);
        Stripe stripe(c.get(), sh.k, sh.m, len, 1000 + len);
        for (uint32_t s = 1; s <= sh.m; s++) {
            uint64_t failed = 0, wrong = 0, seen = 0;
            for_each_pattern(sh.k + sh.m, s, [&](const std::vector<uint32_t> &lost) {
                if (seen++ % stride)
                    return;
                rq_status st = stripe.rebuild(c.get(), lost);
                failed += st == RQ_ERR_UNDECODABLE;
                wrong += st != RQ_OK && st != RQ_ERR_UNDECODABLE;
            });
            CAPTURE(s);
            CHECK(wrong == 0);
            if (stride == 1)
                CHECK(failed == (s == sh.m ? sh.undecodable_at_m : 0));
            else
                CHECK(failed <= (s == sh.m ? sh.undecodable_at_m : 0));
        }
    }
}
} // namespace

TEST_CASE("every pattern of up to m erasures is rebuilt, except raptorq's known undecodable ones")
{
    rqt::Context ctx = rqt::make_context();
    for (size_t len : {size_t(1), size_t(1007), size_t(1024), size_t(1040)})
        rebuild_every_pattern(ctx.get(), len, 1);
    // Long units on one pattern in 37 here (emulated and sanitized builds run
    // this); every pattern in the [slow] case below.
    for (size_t len : {size_t(65536), size_t(1) << 20})
        rebuild_every_pattern(ctx.get(), len, 37);
}

TEST_CASE("every pattern of up to m erasures is rebuilt with units of 64 KiB and 1 MiB", "[slow]")
{
    rqt::Context ctx = rqt::make_context();
    for (size_t len : {size_t(65536), size_t(1) << 20})
        rebuild_every_pattern(ctx.get(), len, 1);
}

TEST_CASE("the recoverability report counts the undecodable patterns of each size")
{
    rqt::Context ctx = rqt::make_context();
    SECTION("raptorq, pinned: only 10+4 and larger lose patterns among these")
    {
        struct Expect {
            uint32_t k, m;
            std::vector<uint64_t> undecodable;
        };
        for (const Expect &e : {Expect{3, 2, {0, 0, 0}}, Expect{6, 3, {0, 0, 0, 0}}, Expect{10, 4, {0, 0, 0, 0, 4}}}) {
            EcCoder c = make_coder(ctx.get(), e.k, e.m, RQ_EC_RAPTORQ);
            std::vector<uint64_t> patterns(e.m + 1), undecodable(e.m + 1);
            REQUIRE(rq_ec_check(c.get(), e.m, patterns.data(), undecodable.data()) == RQ_OK);
            CAPTURE(e.k, e.m);
            CHECK(undecodable == e.undecodable);
            CHECK(patterns[e.m] == (e.k == 10 ? 1001u : e.k == 6 ? 84u : 10u));
            CHECK(patterns[0] == 1);
        }
    }
    SECTION("raptorq-mds: every entry of the table decodes every pattern of up to m erasures")
    {
        uint32_t covered = 0;
        for (uint32_t k = 1; k <= 20; k++)
            for (uint32_t m = 1; m <= 4; m++) {
                rq_status st = rq_ec_scheme_covers(RQ_EC_RAPTORQ_MDS, k, m);
                REQUIRE((st == RQ_OK || st == RQ_ERR_UNSUPPORTED));
                if (st != RQ_OK)
                    continue;
                covered++;
                EcCoder c = make_coder(ctx.get(), k, m, RQ_EC_RAPTORQ_MDS);
                std::vector<uint64_t> patterns(m + 1), undecodable(m + 1);
                REQUIRE(rq_ec_check(c.get(), m, patterns.data(), undecodable.data()) == RQ_OK);
                CAPTURE(k, m);
                CHECK(undecodable == std::vector<uint64_t>(m + 1, 0));
            }
        CHECK(covered == 75); // every k <= 20 for m <= 3, k <= 15 for m = 4
        for (auto km : {std::pair<uint32_t, uint32_t>{3, 2}, {6, 3}, {10, 4}, {12, 4}, {6, 2}, {8, 3}})
            CHECK(rq_ec_scheme_covers(RQ_EC_RAPTORQ_MDS, km.first, km.second) == RQ_OK);
    }
    SECTION("raptorq over k <= 20, m <= 4: the undecodable patterns are exactly those the coder fails on")
    {
        EcCoder c = make_coder(ctx.get(), 12, 4, RQ_EC_RAPTORQ);
        std::vector<uint64_t> patterns(5), undecodable(5);
        REQUIRE(rq_ec_check(c.get(), 4, patterns.data(), undecodable.data()) == RQ_OK);
        Stripe stripe(c.get(), 12, 4, 33, 5);
        std::vector<uint32_t> failed;
        for_each_pattern(16, 4, [&](const std::vector<uint32_t> &lost) {
            rq_status st = stripe.rebuild(c.get(), lost);
            REQUIRE((st == RQ_OK || st == RQ_ERR_UNDECODABLE));
            if (st == RQ_ERR_UNDECODABLE)
                failed.insert(failed.end(), lost.begin(), lost.end());
        });
        CHECK(failed.size() / 4 == undecodable[4]);
        CHECK(!failed.empty());
        // The listing names the same patterns, in the same (lexicographic) order.
        std::vector<uint32_t> listed(failed.size() + 4, UINT32_MAX);
        uint64_t count = 0;
        REQUIRE(rq_ec_undecodable_patterns(c.get(), 4, listed.data(), listed.size() / 4, &count) == RQ_OK);
        CHECK(count == undecodable[4]);
        listed.resize(failed.size());
        CHECK(listed == failed);
        // A shorter buffer gets the first patterns and still the whole count.
        std::vector<uint32_t> first(4, UINT32_MAX);
        REQUIRE(rq_ec_undecodable_patterns(c.get(), 4, first.data(), 1, &count) == RQ_OK);
        CHECK(count == undecodable[4]);
        CHECK(first == std::vector<uint32_t>(failed.begin(), failed.begin() + 4));
        REQUIRE(rq_ec_undecodable_patterns(c.get(), 4, nullptr, 0, &count) == RQ_OK);
        CHECK(count == undecodable[4]);
    }
}

TEST_CASE("an undecodable pattern is named, writes nothing, and decodes once one more unit is given")
{
    rqt::Context ctx = rqt::make_context();
    EcCoder c = make_coder(ctx.get(), 10, 4, RQ_EC_RAPTORQ);
    Stripe stripe(c.get(), 10, 4, 4096, 9);
    std::vector<uint32_t> bad;
    for_each_pattern(14, 4, [&](const std::vector<uint32_t> &lost) {
        if (bad.empty() && stripe.rebuild(c.get(), lost) == RQ_ERR_UNDECODABLE)
            bad = lost;
    });
    REQUIRE(bad.size() == 4);
    CHECK(stripe.rebuild(c.get(), bad) == RQ_ERR_UNDECODABLE); // and nothing written (checked inside)
    char msg[256];
    REQUIRE(rq_context_last_error(ctx.get(), msg, sizeof msg) == RQ_OK);
    std::string want = "{" + std::to_string(bad[0]) + "," + std::to_string(bad[1]) + "," +
                       std::to_string(bad[2]) + "," + std::to_string(bad[3]) + "}";
    CAPTURE(msg);
    CHECK(std::string(msg).find(want) != std::string::npos);
    CHECK(std::string(msg).find("10+4 raptorq") != std::string::npos);
    // Hadoop hands a decoder k units; given all 11 survivors of 3 of those losses, the coder uses them all.
    for (size_t keep = 0; keep < 4; keep++) {
        std::vector<uint32_t> three;
        for (size_t x = 0; x < 4; x++)
            if (x != keep)
                three.push_back(bad[x]);
        CHECK(stripe.rebuild(c.get(), three) == RQ_OK);
    }
}

TEST_CASE("inputs are never written, and a missing unit that is not asked for is left alone")
{
    rqt::Context ctx = rqt::make_context();
    EcCoder c = make_coder(ctx.get(), 6, 3, RQ_EC_RAPTORQ_MDS);
    Stripe stripe(c.get(), 6, 3, 1040, 3);
    const std::vector<std::vector<uint8_t>> before = stripe.units;
    // Units 1 and 7 missing, only unit 1 asked for; unit 4 is given but listed as erased.
    std::vector<const uint8_t *> in;
    for (uint32_t u = 0; u < 9; u++)
        in.push_back(u == 1 || u == 7 ? nullptr : stripe.units[u].data());
    std::vector<uint8_t> out1(1040), out4(1040);
    uint8_t *outs[] = {out1.data(), out4.data()};
    const uint32_t erased[] = {1, 4};
    REQUIRE(rq_ec_decode(c.get(), in.data(), erased, 2, outs, 1040) == RQ_OK);
    CHECK(out1 == stripe.units[1]);
    CHECK(out4 == stripe.units[4]);
    CHECK(stripe.units == before);
    std::vector<uint8_t> parity(1040);
    std::vector<const uint8_t *> data;
    for (uint32_t i = 0; i < 6; i++)
        data.push_back(stripe.units[i].data());
    std::vector<uint8_t> p0(1040), p1(1040), p2(1040);
    uint8_t *par[] = {p0.data(), p1.data(), p2.data()};
    REQUIRE(rq_ec_encode(c.get(), data.data(), par, 1040) == RQ_OK);
    CHECK(stripe.units == before);
    CHECK(p2 == stripe.units[8]);
}

TEST_CASE("every usable backend codes the same bytes")
{
    size_t count = 0;
    REQUIRE(rq_backend_count(&count) == RQ_OK);
    std::vector<std::vector<std::vector<uint8_t>>> results;
    for (size_t i = 0; i < count; i++) {
        rq_backend_info info{};
        REQUIRE(rq_backend_describe(i, &info) == RQ_OK);
        if (!info.usable)
            continue;
        rqt::Context ctx = rqt::make_context();
        REQUIRE(rq_context_set(ctx.get(), RQ_PARAM_BACKEND, int64_t(i + 1)) == RQ_OK);
        CAPTURE(info.name);
        EcCoder c = make_coder(ctx.get(), 10, 4, RQ_EC_RAPTORQ_MDS);
        for (size_t len : {size_t(1), size_t(129), size_t(1040), size_t(70000)}) {
            Stripe stripe(c.get(), 10, 4, len, 11);
            CHECK(stripe.rebuild(c.get(), {0, 3, 11, 13}) == RQ_OK);
            CHECK(stripe.rebuild(c.get(), {2, 5, 6, 9}) == RQ_OK);
            results.push_back(stripe.units);
        }
    }
    REQUIRE(results.size() >= 4);
    for (size_t r = 4; r < results.size(); r++)
        CHECK(results[r] == results[r % 4]);
}

TEST_CASE("decode matrices are cached per pattern, within the context's cache budget")
{
    rqt::Context ctx = rqt::make_context();
    EcCoder c = make_coder(ctx.get(), 10, 4, RQ_EC_RAPTORQ_MDS);
    Stripe stripe(c.get(), 10, 4, 512, 21);
    rq_memory_usage before{}, after{};
    REQUIRE(rq_context_memory(ctx.get(), &before) == RQ_OK);
    for (int round = 0; round < 3; round++)
        for (uint32_t u = 0; u < 14; u++)
            REQUIRE(stripe.rebuild(c.get(), {u}) == RQ_OK);
    rq_ec_cache_stats stats{};
    REQUIRE(rq_ec_cache_stats_get(c.get(), &stats) == RQ_OK);
    CHECK(stats.entries == 14);
    CHECK(stats.misses == 14);
    CHECK(stats.hits == 28);
    REQUIRE(rq_context_memory(ctx.get(), &after) == RQ_OK);
    CHECK(after.charged > before.charged);

    SECTION("the cache holds at most its bound of patterns")
    {
        for_each_pattern(14, 3, [&](const std::vector<uint32_t> &lost) { REQUIRE(stripe.rebuild(c.get(), lost) == RQ_OK); });
        REQUIRE(rq_ec_cache_stats_get(c.get(), &stats) == RQ_OK);
        CHECK(stats.entries == 256); // 14 + 91 + 364 patterns seen
    }
    SECTION("with no cache budget nothing is kept, and decoding still works")
    {
        rqt::Context none = rqt::make_context();
        REQUIRE(rq_context_set(none.get(), RQ_PARAM_CACHE_BYTES, 0) == RQ_OK);
        EcCoder c0 = make_coder(none.get(), 10, 4, RQ_EC_RAPTORQ_MDS);
        Stripe s0(c0.get(), 10, 4, 512, 21);
        for (int round = 0; round < 2; round++)
            CHECK(s0.rebuild(c0.get(), {1, 2, 12}) == RQ_OK);
        REQUIRE(rq_ec_cache_stats_get(c0.get(), &stats) == RQ_OK);
        CHECK(stats.entries == 0);
        CHECK(stats.misses == 2);
    }
    c.reset();
    REQUIRE(rq_context_memory(ctx.get(), &after) == RQ_OK);
    CHECK(after.charged == before.charged);
}

TEST_CASE("bad arguments get specific statuses and change nothing")
{
    rqt::Context ctx = rqt::make_context();
    rq_ec_coder *raw = nullptr;
    CHECK(rq_ec_coder_create_in(ctx.get(), &raw, 0, 2, RQ_EC_RAPTORQ) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_coder_create_in(ctx.get(), &raw, 3, 0, RQ_EC_RAPTORQ) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_coder_create_in(ctx.get(), &raw, 60000, 1, RQ_EC_RAPTORQ) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_coder_create_in(ctx.get(), &raw, 10, RQ_EC_MAX_UNITS, RQ_EC_RAPTORQ) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_coder_create_in(ctx.get(), &raw, 3, 2, (rq_ec_scheme)7) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_coder_create_in(ctx.get(), &raw, 20, 4, RQ_EC_RAPTORQ_MDS) == RQ_ERR_UNSUPPORTED);
    char msg[256];
    REQUIRE(rq_context_last_error(ctx.get(), msg, sizeof msg) == RQ_OK);
    CHECK(std::string(msg).find("20+4") != std::string::npos);
    CHECK(raw == nullptr);
    rq_ec_scheme scheme{};
    CHECK(rq_ec_scheme_from_name("raptorq-mds", &scheme) == RQ_OK);
    CHECK(scheme == RQ_EC_RAPTORQ_MDS);
    CHECK(rq_ec_scheme_from_name("rs", &scheme) == RQ_ERR_INVALID_ARGUMENT);
    const char *name = nullptr;
    CHECK(rq_ec_scheme_name(RQ_EC_RAPTORQ, &name) == RQ_OK);
    CHECK(std::string(name) == "raptorq");

    EcCoder c = make_coder(ctx.get(), 3, 2, RQ_EC_RAPTORQ);
    Stripe stripe(c.get(), 3, 2, 64, 1);
    std::vector<const uint8_t *> in = {stripe.units[0].data(), nullptr, stripe.units[2].data(),
                                       stripe.units[3].data(), stripe.units[4].data()};
    std::vector<uint8_t> out(64, 7);
    uint8_t *outs[] = {out.data(), out.data()};
    const uint32_t out_of_range[] = {5}, twice[] = {1, 1};
    CHECK(rq_ec_decode(c.get(), in.data(), out_of_range, 1, outs, 64) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_decode(c.get(), in.data(), twice, 2, outs, 64) == RQ_ERR_INVALID_ARGUMENT);
    uint8_t *null_out[] = {nullptr};
    const uint32_t one[] = {1};
    CHECK(rq_ec_decode(c.get(), in.data(), one, 1, null_out, 64) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_decode(c.get(), nullptr, one, 1, outs, 64) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(out == std::vector<uint8_t>(64, 7));
    CHECK(rq_ec_decode(c.get(), in.data(), one, 1, outs, 0) == RQ_OK); // len 0: nothing to do
    CHECK(rq_ec_decode(c.get(), in.data(), nullptr, 0, nullptr, 64) == RQ_OK);
    CHECK(out == std::vector<uint8_t>(64, 7));
    const uint8_t *data_missing[] = {stripe.units[0].data(), nullptr, stripe.units[2].data()};
    uint8_t *par[] = {out.data(), out.data()};
    CHECK(rq_ec_encode(c.get(), data_missing, par, 64) == RQ_ERR_INVALID_ARGUMENT);
    uint32_t esi = 0;
    CHECK(rq_ec_parity_esi(c.get(), 2, &esi) == RQ_ERR_INVALID_ARGUMENT);
    uint64_t p[4], u[4];
    CHECK(rq_ec_check(c.get(), 3, p, u) == RQ_ERR_INVALID_ARGUMENT); // more than m erasures
    uint64_t count = 0;
    uint32_t lost[3];
    CHECK(rq_ec_undecodable_patterns(c.get(), 3, lost, 1, &count) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_undecodable_patterns(c.get(), 1, nullptr, 1, &count) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_undecodable_patterns(c.get(), 1, lost, 1, nullptr) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_ec_undecodable_patterns(nullptr, 1, lost, 1, &count) == RQ_ERR_INVALID_ARGUMENT);
    // Three units lost of 3+2: more than m, so undecodable.
    const uint32_t three[] = {0, 1, 2};
    uint8_t *outs3[] = {out.data(), out.data(), out.data()};
    CHECK(rq_ec_decode(c.get(), in.data(), three, 3, outs3, 64) == RQ_ERR_UNDECODABLE);
    CHECK(out == std::vector<uint8_t>(64, 7));
}
