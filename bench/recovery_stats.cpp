// Decoding failure rates from exactly K, K+1 and K+2 received symbols, over
// random ESI sets, beside RFC 6330's figures (about 1/256, 1/256^2,
// 1/256^3; at most 1%, 0.01%, 0.0001%). Not a timed test: a measurement
// (bench/RESULTS.md, "Recovery statistics"); tests/test_recovery_stats.cpp is
// the short version with bounds.
//
//   build/bench/recovery_stats [--k K]... [--trials N] [--threads N] [--seed S]
//   (default K = 10, 100 and 1000, 10^6 trials per line, one thread per core)
//
// Whether a set of ESIs decodes does not depend on the data, so a trial
// solves the constraint system only (rq_plan_build, no symbol bytes): K + 2
// distinct ESIs are drawn from the line's pool, the first K tried, then one
// more while it still fails (a superset of a decodable set decodes). Pools:
//   mostly-source  all source symbols but ceil(K/10) lost ones, repair ESIs
//                  instead (from [K, 2K + 20)); a set of only source symbols
//                  needs no solve and cannot fail
//   mixed          uniform over ESIs [0, 1.5K + 20]
//   repair-only    uniform over ESIs [K, 11K + 100]
#include <rq/rq.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "core/plan.h"
}

namespace {

enum Pool { MOSTLY_SOURCE, MIXED, REPAIR_ONLY };
const char *const kPoolNames[] = {"mostly-source", "mixed", "repair-only"};

struct Tally {
    uint64_t trials = 0, fail_k = 0, fail_k1 = 0, fail_k2 = 0;
};

/* K + 2 distinct ESIs of the pool, in the order they are received. */
std::vector<uint32_t> draw(Pool pool, uint32_t K, std::mt19937_64 &rng)
{
    std::vector<uint32_t> esis;
    if (pool == MOSTLY_SOURCE) {
        uint32_t lost = (K + 9) / 10;
        std::vector<uint32_t> source(K), repair(K + 20);
        for (uint32_t i = 0; i < K; i++)
            source[i] = i;
        for (uint32_t i = 0; i < K + 20; i++)
            repair[i] = K + i;
        std::shuffle(source.begin(), source.end(), rng);
        std::shuffle(repair.begin(), repair.end(), rng);
        esis.assign(source.begin(), source.begin() + (K - lost));
        esis.insert(esis.end(), repair.begin(), repair.begin() + lost + 2);
        return esis;
    }
    uint32_t first = pool == MIXED ? 0 : K, last = pool == MIXED ? K + K / 2 + 20 : 11 * K + 100;
    std::vector<uint32_t> all(last - first + 1);
    for (uint32_t i = 0; i < all.size(); i++)
        all[i] = first + i;
    for (uint32_t i = 0; i < K + 2; i++) { /* partial Fisher-Yates */
        std::uniform_int_distribution<size_t> pick(i, all.size() - 1);
        std::swap(all[i], all[pick(rng)]);
    }
    all.resize(K + 2);
    return all;
}

/* Whether the first n of esis (and the padding symbols) determine the block. */
bool decodes(rq_context *ctx, const rq_block_constants &c, const std::vector<uint32_t> &esis, uint32_t n)
{
    std::vector<uint32_t> isis;
    for (uint32_t i = 0; i < n; i++)
        isis.push_back(esis[i] < c.K ? esis[i] : esis[i] + c.K_prime - c.K);
    for (uint32_t p = c.K; p < c.K_prime; p++)
        isis.push_back(p);
    rq_plan *plan = nullptr;
    rq_status st = rq_plan_build(ctx, &c, isis.data(), (uint32_t)isis.size(), &plan);
    if (st != RQ_OK && st != RQ_ERR_NEED_MORE_SYMBOLS) {
        std::fprintf(stderr, "rq_plan_build: %s\n", rq_strerror(st));
        std::exit(1);
    }
    rq_plan_free(plan);
    return st == RQ_OK;
}

void run_trials(rq_context *ctx, const rq_block_constants &c, Pool pool, uint64_t trials, uint64_t seed,
                Tally &t)
{
    std::mt19937_64 rng(seed);
    for (uint64_t i = 0; i < trials; i++) {
        std::vector<uint32_t> esis = draw(pool, c.K, rng);
        t.trials++;
        if (decodes(ctx, c, esis, c.K))
            continue;
        t.fail_k++;
        if (decodes(ctx, c, esis, c.K + 1))
            continue;
        t.fail_k1++;
        if (!decodes(ctx, c, esis, c.K + 2))
            t.fail_k2++;
    }
}

/* A 95% upper bound on a rate seen as x of n (x = 0: the rule of three). */
double upper95(uint64_t x, uint64_t n)
{
    double p = (double)x / (double)n;
    return x == 0 ? 3.0 / (double)n : p + 1.96 * std::sqrt(p * (1 - p) / (double)n) + 1.0 / (double)n;
}

void line(rq_context *ctx, uint32_t K, Pool pool, uint64_t trials, unsigned threads, uint64_t seed)
{
    rq_block_constants c;
    if (rq_block_constants_for(K, &c) != RQ_OK)
        std::exit(2);
    std::vector<Tally> part(threads);
    std::vector<std::thread> team;
    for (unsigned w = 0; w < threads; w++)
        team.emplace_back([&, w] {
            uint64_t share = trials / threads + (w < trials % threads);
            run_trials(ctx, c, pool, share, seed * 1000003 + K * 31 + pool * 7 + w, part[w]);
        });
    for (auto &t : team)
        t.join();
    Tally sum;
    for (const Tally &t : part) {
        sum.trials += t.trials, sum.fail_k += t.fail_k, sum.fail_k1 += t.fail_k1, sum.fail_k2 += t.fail_k2;
    }
    auto cell = [&](uint64_t x) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%llu (%.2e, <= %.1e)", (unsigned long long)x, (double)x / sum.trials,
                      upper95(x, sum.trials));
        return std::string(buf);
    };
    std::printf("| %u | %s | %llu | %s | %s | %s |\n", K, kPoolNames[pool], (unsigned long long)sum.trials,
                cell(sum.fail_k).c_str(), cell(sum.fail_k1).c_str(), cell(sum.fail_k2).c_str());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<uint32_t> ks;
    uint64_t trials = 1000000, seed = 1;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
        if (a == "--k")
            ks.push_back((uint32_t)v);
        else if (a == "--trials")
            trials = v;
        else if (a == "--threads")
            threads = (unsigned)std::max<uint64_t>(1, v);
        else if (a == "--seed")
            seed = v;
        else {
            std::fprintf(stderr, "usage: recovery_stats [--k K]... [--trials N] [--threads N] [--seed S]\n");
            return 2;
        }
    }
    if (ks.empty())
        ks = {10, 100, 1000};
    rq_context *ctx = nullptr;
    if (rq_context_create(&ctx) != RQ_OK)
        return 1;
    std::printf("RFC 6330: from K about 1/256 (3.9e-03, at most 1e-2), K+1 1/256^2 (1.5e-05, at most 1e-4), "
                "K+2 1/256^3 (6.0e-08, at most 1e-6)\n");
    std::printf("| K | ESIs | trials | failed from K (rate, 95%% bound) | from K+1 | from K+2 |\n|---|---|---|---|---|---|\n");
    for (uint32_t K : ks)
        for (Pool pool : {MOSTLY_SOURCE, MIXED, REPAIR_ONLY})
            line(ctx, K, pool, trials, threads, seed);
    rq_context_destroy(ctx);
    return 0;
}
