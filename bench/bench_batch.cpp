// Batches on one plan (rq_code_batch) beside the block encoder one block at
// a time and memcpy of the same bytes, in one run: blocks of K source
// symbols of T bytes, 15% repair symbols wanted per block. GB/s = 10^9
// bytes of source per second; memcpy copies each block's source once.
// Medians of --reps runs, the cases alternating.
//
//   build/bench/bench_batch                     K = 1000, T = 1280, 256 blocks
//   options: --k K --t T --blocks N --reps R --backend NAME (the CPU backend, default auto)
//
// per-block = rq_encoder_create (warm plan cache) + the repair symbols, per
//             block, one thread;
// batch cpu = rq_code_batch on the CPU backend, 1 worker and all workers;
// batch cuda = rq_code_batch with RQ_BACKEND_CUDA (copies included), and the
//             replay alone over blocks already on the GPU (device-resident);
//             printed as skipped, with the reason, without a usable GPU.
// Also printed: the row-operation bytes one CPU worker replays per second,
// the rate runtime/batch_cost.c's model assumes.
#include <rq/rq_batch.h>

#include "bench_timing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#ifdef RQ_HAVE_CUDA
extern "C" {
#include "backends/cuda/cuda_backend.h"
#include "core/batch_plan.h"
}
#endif

namespace {

using rqb::median;
using rqb::now;

struct Setup {
    uint32_t k = 1000;
    size_t t = 1280, blocks = 256;
    int reps = 5;
    std::string backend = "auto";
    uint32_t repair() const { return (k * 15 + 99) / 100; }
    double source_bytes() const { return (double)blocks * k * t; }
};

struct Data {
    std::vector<std::vector<uint8_t>> in, out;
    std::vector<const uint8_t *> in_ptrs;
    std::vector<uint8_t *> out_ptrs;
    std::vector<uint32_t> wanted;
    rq_batch batch{};

    explicit Data(const Setup &s)
    {
        uint64_t x = 88172645463325252ull;
        for (size_t b = 0; b < s.blocks; b++) {
            in.emplace_back((size_t)s.k * s.t);
            for (auto &v : in.back()) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                v = (uint8_t)x;
            }
            out.emplace_back((size_t)s.repair() * s.t);
            in_ptrs.push_back(in.back().data());
            out_ptrs.push_back(out.back().data());
        }
        for (uint32_t i = 0; i < s.repair(); i++)
            wanted.push_back(s.k + i);
        batch = {s.k, s.t, s.blocks, nullptr, s.k, in_ptrs.data(), wanted.data(), s.repair(), out_ptrs.data()};
    }
};

rq_session *session_in(rq_context *ctx, uint32_t threads)
{
    rq_session *s = nullptr;
    if (rq_session_create_in(ctx, &s) != RQ_OK || rq_session_set(s, RQ_SESSION_THREADS, threads) != RQ_OK ||
        rq_session_set(s, RQ_SESSION_MEMORY_BUDGET, 4ll << 30) != RQ_OK)
        std::abort();
    return s;
}

double time_batch(rq_session *s, Data &d, uint64_t *ops)
{
    rq_batch_result r;
    double t0 = now();
    rq_status st = rq_code_batch(s, &d.batch, &r);
    double dt = now() - t0;
    if (st != RQ_OK) {
        const char *m = "";
        rq_session_last_error(s, &m);
        std::fprintf(stderr, "rq_code_batch: %s\n", m);
        std::exit(1);
    }
    *ops = r.plan_ops;
    return dt;
}

double time_per_block(rq_context *ctx, const Setup &s, Data &d)
{
    double t0 = now();
    for (size_t b = 0; b < s.blocks; b++) {
        rq_encoder *e = nullptr;
        if (rq_encoder_create_in(ctx, &e, s.k, s.t, d.in[b].data(), d.in[b].size()) != RQ_OK)
            std::abort();
        for (uint32_t i = 0; i < s.repair(); i++)
            rq_encoder_symbol(e, s.k + i, d.out[b].data() + (size_t)i * s.t, s.t);
        rq_encoder_destroy(e);
    }
    return now() - t0;
}

double time_memcpy(const Setup &s, Data &d)
{
    static std::vector<uint8_t> sink;
    sink.resize((size_t)s.k * s.t);
    double t0 = now();
    for (size_t b = 0; b < s.blocks; b++)
        std::memcpy(sink.data(), d.in[b].data(), sink.size());
    return now() - t0;
}

void parse(int argc, char **argv, Setup &s)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--backend") {
            s.backend = argv[i + 1];
            continue;
        }
        long v = std::atol(argv[i + 1]);
        if (a == "--k")
            s.k = (uint32_t)v;
        else if (a == "--t")
            s.t = (size_t)v;
        else if (a == "--blocks")
            s.blocks = (size_t)v;
        else if (a == "--reps")
            s.reps = (int)v;
        else {
            std::fprintf(stderr, "usage: bench_batch [--k K] [--t T] [--blocks N] [--reps R] [--backend NAME]\n");
            std::exit(2);
        }
    }
}

#ifdef RQ_HAVE_CUDA
/* Seconds per replay over blocks kept on the GPU, or < 0 with why. */
double time_resident(rq_context *ctx, const Setup &s, std::string &why)
{
    rq_block_constants c;
    rq_batch_plan p;
    std::vector<uint32_t> wanted;
    for (uint32_t i = 0; i < s.repair(); i++)
        wanted.push_back(s.k + i);
    if (rq_block_constants_for(s.k, &c) != RQ_OK ||
        rq_batch_plan_build(ctx, &c, nullptr, s.k, wanted.data(), s.repair(), &p) != RQ_OK)
        std::abort();
    char buf[200];
    double sec = -1;
    if (rq_cuda_time_resident(&p, s.t, s.blocks, s.reps, &sec, buf, sizeof buf) != 0) {
        why = buf;
        sec = -1;
    }
    rq_batch_plan_free(&p);
    return sec;
}
#endif

} // namespace

int main(int argc, char **argv)
{
    Setup s;
    parse(argc, argv, s);
    Data d(s);
    rq_context *cpu = nullptr, *cuda = nullptr;
    rq_backend_id id;
    if (rq_context_create(&cpu) != RQ_OK || rq_backend_lookup(s.backend.c_str(), &id) != RQ_OK ||
        rq_context_set(cpu, RQ_PARAM_BACKEND, id) != RQ_OK) {
        std::fprintf(stderr, "bench_batch: backend %s cannot run here\n", s.backend.c_str());
        return 1;
    }
    const char *backend = "?";
    rq_context_backend(cpu, &backend);
    std::string cuda_why = "this build has no CUDA backend";
    if (rq_context_create(&cuda) == RQ_OK && rq_context_set(cuda, RQ_PARAM_BACKEND, RQ_BACKEND_CUDA) != RQ_OK) {
        char buf[256];
        rq_context_last_error(cuda, buf, sizeof buf);
        cuda_why = buf;
        rq_context_destroy(cuda);
        cuda = nullptr;
    }
    rq_session *one = session_in(cpu, 1), *all = session_in(cpu, 0);
    rq_session *gpu = cuda ? session_in(cuda, 0) : nullptr;
    uint64_t ops = 0;
    std::vector<std::pair<std::string, std::function<double()>>> cases = {
        {"memcpy", [&] { return time_memcpy(s, d); }},
        {"per-block encoder, 1 thread", [&] { return time_per_block(cpu, s, d); }},
        {"batch cpu, 1 worker", [&] { return time_batch(one, d, &ops); }},
        {"batch cpu, all workers", [&] { return time_batch(all, d, &ops); }},
    };
    if (gpu)
        cases.push_back({"batch cuda, copies included", [&] { return time_batch(gpu, d, &ops); }});
    std::vector<std::vector<double>> times(cases.size());
    for (int r = 0; r < s.reps + 1; r++) /* the first round warms caches and pages */
        for (size_t c = 0; c < cases.size(); c++) {
            double t = cases[c].second();
            if (r > 0)
                times[c].push_back(t);
        }
    std::printf("K=%u T=%zu blocks=%zu repair=%u backend=%s reps=%d (GB/s of source; x memcpy)\n", s.k, s.t,
                s.blocks, s.repair(), backend, s.reps);
    double ref = median(times[0]);
    for (size_t c = 0; c < cases.size(); c++) {
        double t = median(times[c]);
        std::printf("  %-32s %8.3f GB/s  %6.3fx\n", cases[c].first.c_str(), s.source_bytes() / t / 1e9, ref / t);
    }
    double one_worker = median(times[2]);
    std::printf("  row-op bytes per second, one worker: %.3g (%llu ops per block)\n",
                (double)s.blocks * (double)ops * (double)s.t / one_worker, (unsigned long long)ops);
#ifdef RQ_HAVE_CUDA
    if (gpu) {
        double t = time_resident(cuda, s, cuda_why);
        if (t > 0)
            std::printf("  %-32s %8.3f GB/s  %6.3fx\n", "batch cuda, device-resident", s.source_bytes() / t / 1e9,
                        ref / t);
    }
#endif
    if (!gpu)
        std::printf("  batch cuda: skipped: %s\n", cuda_why.c_str());
    rq_session_destroy(one);
    rq_session_destroy(all);
    if (gpu)
        rq_session_destroy(gpu);
    rq_context_destroy(cpu);
    if (cuda)
        rq_context_destroy(cuda);
    return 0;
}
