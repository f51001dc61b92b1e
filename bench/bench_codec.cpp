// Single-threaded block codec speed (issue 5): one line per (operation, K, T,
// backend) with MB/s (10^6 bytes of source data per second) and the memcpy
// MB/s of the same number of bytes measured in the same run; medians of
// --reps repetitions (default 5).
//
//   build-bench/bench/bench_codec            full table
//   build-bench/bench/bench_codec --quick    K = 100 and 1000 at T = 1280, 2 repetitions
//   options: --reps N, --backend NAME (default: every usable backend),
//            --case K:T (only that case; repeatable)
//
// encode = rq_encoder_create with a warm plan cache (intermediate symbols)
//          + 15% repair symbols;
// decode = rq_decoder_decode from exactly K symbols with 15% of the source
//          lost (solve for that ESI set, no cache, and rebuild the missing).
#include <rq/rq.h>

#include "bench_timing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using rqb::median;
using rqb::now;

struct Case {
    uint32_t k;
    size_t t;
};

double time_memcpy(size_t bytes, int reps)
{
    std::vector<uint8_t> a(bytes, 1), b(bytes, 2);
    std::vector<double> times;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        std::memcpy(a.data(), b.data(), bytes);
        times.push_back(now() - t0);
        if (a[bytes / 2] != 2)
            std::abort();
    }
    return median(times);
}

double time_encode(rq_context *ctx, const Case &c, const std::vector<uint8_t> &src, int reps)
{
    uint32_t repair = (c.k * 15 + 99) / 100;
    std::vector<uint8_t> sym(c.t);
    std::vector<double> times;
    for (int r = 0; r < reps + 1; r++) { // the first run warms the plan cache
        double t0 = now();
        rq_encoder *e = nullptr;
        if (rq_encoder_create_in(ctx, &e, c.k, c.t, src.data(), src.size()) != RQ_OK)
            std::abort();
        for (uint32_t i = 0; i < repair; i++)
            rq_encoder_symbol(e, c.k + i, sym.data(), sym.size());
        double dt = now() - t0;
        rq_encoder_destroy(e);
        if (r > 0)
            times.push_back(dt);
    }
    return median(times);
}

double time_decode(rq_context *ctx, const Case &c, const std::vector<uint8_t> &src, int reps, std::mt19937_64 &rng)
{
    rq_encoder *e = nullptr;
    if (rq_encoder_create_in(ctx, &e, c.k, c.t, src.data(), src.size()) != RQ_OK)
        std::abort();
    std::vector<uint8_t> sym(c.t), out(src.size());
    std::vector<double> times;
    while ((int)times.size() < reps) {
        std::vector<uint32_t> esis(c.k);
        for (uint32_t i = 0; i < c.k; i++)
            esis[i] = i;
        std::shuffle(esis.begin(), esis.end(), rng);
        uint32_t lost = (c.k * 15 + 99) / 100;
        std::vector<uint32_t> keep(esis.begin() + lost, esis.end());
        for (uint32_t i = 0; i < lost; i++)
            keep.push_back(c.k + 1000 + i * 3 + static_cast<uint32_t>(rng() % 3));
        rq_decoder *d = nullptr;
        rq_decoder_create_in(ctx, &d, c.k, c.t);
        for (uint32_t esi : keep) {
            rq_encoder_symbol(e, esi, sym.data(), sym.size());
            rq_decoder_add_symbol(d, esi, sym.data(), sym.size());
        }
        double t0 = now();
        rq_status st = rq_decoder_decode(d);
        double dt = now() - t0;
        if (st == RQ_OK) { // a dependent set (about 1 in 200) is skipped, not timed
            rq_decoder_source(d, out.data(), out.size());
            if (out != src) {
                std::fprintf(stderr, "decode mismatch at K=%u T=%zu\n", c.k, c.t);
                std::abort();
            }
            times.push_back(dt);
        }
        rq_decoder_destroy(d);
    }
    rq_encoder_destroy(e);
    return median(times);
}

} // namespace

int main(int argc, char **argv)
{
    bool quick = false;
    int reps = 5;
    std::string only;
    std::vector<Case> picked;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--quick") {
            quick = true;
            reps = 2;
        } else if (a == "--reps" && i + 1 < argc) {
            reps = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--backend" && i + 1 < argc) {
            only = argv[++i];
        } else if (a == "--case" && i + 1 < argc) {
            unsigned long k = 0, t = 0;
            if (std::sscanf(argv[++i], "%lu:%lu", &k, &t) != 2 || !k || !t) {
                std::fprintf(stderr, "--case wants K:T\n");
                return 2;
            }
            picked.push_back({static_cast<uint32_t>(k), static_cast<size_t>(t)});
        } else {
            std::fprintf(stderr, "usage: bench_codec [--quick] [--reps N] [--backend NAME] [--case K:T]...\n");
            return 2;
        }
    }
    std::vector<Case> cases = quick ? std::vector<Case>{{100, 1280}, {1000, 1280}}
                                    : std::vector<Case>{{100, 1280},   {1000, 1280},  {10000, 1280},
                                                        {50000, 1280}, {10, 65528},   {100, 65528},
                                                        {1000, 65528}};
    if (!picked.empty())
        cases = picked;
    std::vector<std::string> backends;
    size_t n = 0;
    rq_backend_count(&n);
    for (size_t i = 0; i < n; i++) {
        rq_backend_info info;
        rq_backend_describe(i, &info);
        if (info.usable && std::string(info.name) != "cuda" && (only.empty() || only == info.name))
            backends.push_back(info.name);
    }
    if (backends.empty()) {
        std::fprintf(stderr, "no usable backend%s%s\n", only.empty() ? "" : " named ", only.c_str());
        return 2;
    }
    std::mt19937_64 rng(6330);
    std::printf("%-7s %6s %6s %-8s %10s %12s %7s\n", "op", "K", "T", "backend", "MB/s", "memcpy MB/s",
                "ratio");
    for (const Case &c : cases) {
        std::vector<uint8_t> src(size_t(c.k) * c.t);
        for (auto &b : src)
            b = static_cast<uint8_t>(rng());
        double mb = double(src.size()) / 1e6;
        double mc = time_memcpy(src.size(), std::max(reps, 5));
        for (const std::string &b : backends) {
            rq_context *ctx = nullptr;
            rq_backend_id id;
            if (rq_backend_lookup(b.c_str(), &id) != RQ_OK || rq_context_create(&ctx) != RQ_OK ||
                rq_context_from_env(ctx) != RQ_OK || rq_context_set(ctx, RQ_PARAM_BACKEND, id) != RQ_OK)
                std::abort();
            double enc = time_encode(ctx, c, src, reps);
            double dec = time_decode(ctx, c, src, reps, rng);
            rq_context_destroy(ctx);
            std::printf("%-7s %6u %6zu %-8s %10.0f %12.0f %7.3f\n", "encode", c.k, c.t, b.c_str(), mb / enc,
                        mb / mc, mc / enc);
            std::printf("%-7s %6u %6zu %-8s %10.0f %12.0f %7.3f\n", "decode", c.k, c.t, b.c_str(), mb / dec,
                        mb / mc, mc / dec);
            std::fflush(stdout);
        }
    }
    return 0;
}
