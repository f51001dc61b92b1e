// Kernel throughput per backend, beside memcpy of the same size and ISA-L's
// gf_vect_mad (same field, 0x11D) measured in the same run. After the
// Google Benchmark table it prints the ratios the project tracks.
//
//   build-bench/bench/bench_kernels --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "ratio_reporter.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include "backends/kernels.h"
#include "core/plan.h"
#include "core/plan_cache.h"
#include "runtime/dispatch.h"
#include "rq/rq.h"
#ifdef RQ_HAVE_ISAL
#include <isa-l/erasure_code.h>
#endif
}

namespace {

const size_t kSizes[] = {1280, 64 * 1024, 4 * 1024 * 1024};

struct Buffers {
    std::vector<uint8_t> a, b;
    explicit Buffers(size_t n) : a(n + 64), b(n + 64)
    {
        for (size_t i = 0; i < a.size(); i++) {
            a[i] = static_cast<uint8_t>(i * 131 + 7);
            b[i] = static_cast<uint8_t>(i * 29 + 3);
        }
    }
};

void run_memcpy(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    Buffers buf(n);
    for (auto _ : state) {
        std::memcpy(buf.a.data(), buf.b.data(), n);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void run_kernel(benchmark::State &state, const rq_kernels *k, int which)
{
    size_t n = static_cast<size_t>(state.range(0));
    Buffers buf(n);
    for (auto _ : state) {
        if (which == 0)
            k->xor_into(buf.a.data(), buf.b.data(), n);
        else if (which == 1)
            k->fma_into(buf.a.data(), buf.b.data(), 0x53, n);
        else
            k->scale(buf.a.data(), 0x53, n);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

// One cached encoding plan (K' = 1002, T = 1280) replayed over a batch of 64
// blocks: the batch re-encoding shape. Bytes = source bytes of the batch.
void run_plan_batch(benchmark::State &state, const rq_kernels *k)
{
    const rq_plan *plan = nullptr;
    rq_context *ctx = nullptr;
    rq_context_default(&ctx);
    if (rq_plan_cache_acquire(ctx, 1002, &plan) != RQ_OK) {
        state.SkipWithError("no plan");
        return;
    }
    const size_t T = 1280, blocks = 64, block_bytes = plan->rows * T;
    std::vector<uint8_t> rows(blocks * block_bytes, 1);
    for (auto _ : state) {
        k->apply_plan_batch(plan->ops, plan->n_ops, rows.data(), blocks, block_bytes, T, T);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * blocks * 1002 * T));
    rq_plan_cache_release(ctx, plan);
}

// The kernel table of a usable backend.
const rq_kernels *kernels_named(const std::string &name)
{
    rq_backend_id id;
    const rq_kernels *k = nullptr;
    const char *why = nullptr;
    if (rq_backend_lookup(name.c_str(), &id) != RQ_OK || rq_dispatch_kernels(id, &k, &why) != RQ_OK)
        std::abort();
    return k;
}

#ifdef RQ_HAVE_ISAL
void run_isal_mad(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    Buffers buf(n);
    unsigned char tables[32];
    gf_vect_mul_init(0x53, tables);
    for (auto _ : state) {
        gf_vect_mad(static_cast<int>(n), 1, 0, tables, buf.b.data(), buf.a.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}
#endif

} // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> names;
    size_t count = 0;
    rq_backend_count(&count);
    for (size_t i = 0; i < count; i++) {
        rq_backend_info info;
        rq_backend_describe(i, &info);
        if (!info.usable)
            continue;
        names.push_back(info.name);
    }
    for (size_t n : kSizes)
        benchmark::RegisterBenchmark("memcpy", run_memcpy)->Arg(static_cast<int64_t>(n));
#ifdef RQ_HAVE_ISAL
    for (size_t n : kSizes)
        benchmark::RegisterBenchmark("isal_gf_vect_mad", run_isal_mad)->Arg(static_cast<int64_t>(n));
#endif
    static const char *kKernels[] = {"xor", "fma", "scale"};
    for (const std::string &name : names) {
        const rq_kernels *k = kernels_named(name);
        for (int which = 0; which < 3; which++)
            for (size_t n : kSizes)
                benchmark::RegisterBenchmark((name + "_" + kKernels[which]).c_str(), run_kernel, k, which)
                    ->Arg(static_cast<int64_t>(n));
    }
    for (const std::string &name : names) {
        benchmark::RegisterBenchmark((name + "_plan_batch").c_str(), run_plan_batch, kernels_named(name))
            ->Arg(1280)
            ->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    std::printf("\nRatios (bytes/s over bytes/s, same run; median when repeated):\n");
    for (size_t n : kSizes) {
        std::string arg = std::to_string(n);
        double mc = reporter.rate["memcpy/" + arg];
        double isal = reporter.rate["isal_gf_vect_mad/" + arg];
        double scalar_fma = reporter.rate["scalar_fma/" + arg];
        for (const std::string &name : names) {
            double x = reporter.rate[name + "_xor/" + arg];
            double f = reporter.rate[name + "_fma/" + arg];
            std::printf("%-7s %8zu B: xor/memcpy %5.2f  fma/isal %5.2f  fma/scalar_fma %6.2f\n",
                        name.c_str(), n, mc > 0 ? x / mc : 0.0, isal > 0 ? f / isal : 0.0,
                        scalar_fma > 0 ? f / scalar_fma : 0.0);
        }
    }
    return 0;
}
