// Recovery statistics of the block decoder over many random symbol sets:
// from exactly K symbols decoding may fail now and then (RFC 6330 figures:
// well under 1%), from K + 2 it practically never does. The short version of
// bench/recovery_stats (10^6 trials per line, bench/RESULTS.md).
#include "rq_test.h"
#include "test_data.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

namespace {

struct Tally {
    int trials = 0;
    int fail_k = 0;  // exactly K symbols did not determine the block
    int fail_k1 = 0; // nor did K + 1
    int fail_k2 = 0; // nor did K + 2
};

/*
 * One trial: K + 2 distinct ESIs drawn from [first, last]; decode after the
 * first K, and after each further symbol only while decoding still fails. A
 * superset of a decodable set is decodable, so this counts exactly the
 * failures of the K-, (K+1)- and (K+2)-symbol prefixes.
 */
void trial(const rq_encoder *encoder, const std::vector<uint8_t> &source, uint32_t K, size_t T,
           uint32_t first, uint32_t last, std::mt19937_64 &rng, Tally &tally)
{
    std::vector<uint32_t> pool(last - first + 1);
    for (uint32_t i = 0; i < pool.size(); i++) {
        pool[i] = first + i;
    }
    // Partial Fisher-Yates: the first K + 2 entries become a uniform random subset.
    for (uint32_t i = 0; i < K + 2; i++) {
        std::uniform_int_distribution<size_t> pick(i, pool.size() - 1);
        std::swap(pool[i], pool[pick(rng)]);
    }
    rqt::Decoder decoder = rqt::make_decoder(K, T);
    std::vector<uint8_t> symbol(T);
    auto add = [&](uint32_t esi) {
        REQUIRE(rq_encoder_symbol(encoder, esi, symbol.data(), T) == RQ_OK);
        REQUIRE(rq_decoder_add_symbol(decoder.get(), esi, symbol.data(), T) == RQ_OK);
    };
    for (uint32_t i = 0; i < K; i++) {
        add(pool[i]);
    }
    tally.trials++;
    rq_status st = rq_decoder_decode(decoder.get());
    if (st != RQ_OK) {
        REQUIRE(st == RQ_ERR_NEED_MORE_SYMBOLS);
        tally.fail_k++;
        add(pool[K]);
        st = rq_decoder_decode(decoder.get());
        if (st != RQ_OK) {
            REQUIRE(st == RQ_ERR_NEED_MORE_SYMBOLS);
            tally.fail_k1++;
            add(pool[K + 1]);
            st = rq_decoder_decode(decoder.get());
            if (st != RQ_OK) {
                REQUIRE(st == RQ_ERR_NEED_MORE_SYMBOLS);
                tally.fail_k2++;
                return;
            }
        }
    }
    std::vector<uint8_t> out(source.size());
    REQUIRE(rq_decoder_source(decoder.get(), out.data(), out.size()) == RQ_OK);
    REQUIRE(out == source);
}

void run_statistics(uint32_t K, const char *variant, uint32_t first, uint32_t last, int trials, uint64_t seed)
{
    const size_t T = 4;
    const std::vector<uint8_t> source = rqt::splitmix_bytes(seed, size_t(K) * T);
    rqt::Encoder encoder = rqt::make_encoder(K, T, source);
    std::mt19937_64 rng(seed);
    Tally tally;
    for (int i = 0; i < trials; i++) {
        trial(encoder.get(), source, K, T, first, last, rng, tally);
    }
    const double rate_k = 100.0 * tally.fail_k / tally.trials;
    const double rate_k1 = 100.0 * tally.fail_k1 / tally.trials;
    const double rate_k2 = 100.0 * tally.fail_k2 / tally.trials;
    std::printf("recovery K=%u %s (ESIs %u..%u, %d trials): failed from K: %d (%.2f%%), K+1: %d (%.3f%%), "
                "K+2: %d (%.3f%%)\n",
                K, variant, first, last, tally.trials, tally.fail_k, rate_k, tally.fail_k1, rate_k1, tally.fail_k2,
                rate_k2);
    std::fflush(stdout);
    WARN("recovery K=" << K << " " << variant << ": " << tally.trials << " trials, failed from K: " << tally.fail_k
                       << " (" << rate_k << "%), from K+1: " << tally.fail_k1 << ", from K+2: " << tally.fail_k2);
    // RFC 6330's bounds: under 1% from K, 0.01% from K+1 (expected here: at
    // most 1 of the 10^4 trials; 5 would be clearly above), 0.0001% from K+2.
    // The seeds are fixed, so the counts are the same on every run.
    CHECK(rate_k < 1.0);
    CHECK(tally.fail_k1 <= 4);
    CHECK(tally.fail_k2 == 0);
}

constexpr int kTrials = 10000;

} // namespace

TEST_CASE("decoding 10-symbol blocks from K random symbols rarely fails and from K+2 never", "[stats]")
{
    const uint32_t K = 10;
    SECTION("source and repair mixed")
    {
        run_statistics(K, "mixed", 0, K + K / 2 + 20, kTrials, 101);
    }
    SECTION("repair only")
    {
        run_statistics(K, "repair-only", K, K + 10 * K + 100, kTrials, 102);
    }
    SECTION("repair only at high ESIs")
    {
        run_statistics(K, "high-ESI repair", 1000000, 1000000 + 10 * K + 100, kTrials, 103);
    }
}

TEST_CASE("decoding 100-symbol blocks from K random symbols rarely fails and from K+2 never", "[stats]")
{
    const uint32_t K = 100;
    SECTION("source and repair mixed")
    {
        run_statistics(K, "mixed", 0, K + K / 2 + 20, kTrials, 201);
    }
    SECTION("repair only")
    {
        run_statistics(K, "repair-only", K, K + 10 * K + 100, kTrials, 202);
    }
}

TEST_CASE("decoding a padded block (K=11, K'=12) from K random symbols rarely fails and from K+2 never",
          "[stats]")
{
    const uint32_t K = 11;
    SECTION("source and repair mixed")
    {
        run_statistics(K, "mixed", 0, K + K / 2 + 20, kTrials, 301);
    }
}

TEST_CASE("decoding 1000-symbol blocks from K random symbols rarely fails and from K+2 never", "[stats]")
{
    const uint32_t K = 1000;
    SECTION("source and repair mixed")
    {
        run_statistics(K, "mixed", 0, K + K / 2 + 20, 1000, 401);
    }
}
