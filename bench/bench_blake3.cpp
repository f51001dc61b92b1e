// BLAKE3 throughput per implementation (portable, avx2, avx512: those this
// build has and this CPU runs) beside memcpy of the same size, measured in
// the same run. After the Google Benchmark table it prints the ratios.
//
//   build-bench/bench/bench_blake3 --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "ratio_reporter.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "runtime/blake3_impl.h"

namespace {

/* The smallest input the speed goal covers, a symbol file's typical size, and a large input. */
const size_t kSizes[] = {16 * 1024, 64 * 1024, 1024 * 1024};
const char *const kImplNames[] = {"portable", "avx2", "avx512"};

std::vector<uint8_t> input(size_t n)
{
    std::vector<uint8_t> data(n);
    for (size_t i = 0; i < n; i++)
        data[i] = static_cast<uint8_t>(i * 131 + 7);
    return data;
}

void run_memcpy(benchmark::State &state)
{
    const size_t n = static_cast<size_t>(state.range(0));
    std::vector<uint8_t> src = input(n), dst(n);
    for (auto _ : state) {
        std::memcpy(dst.data(), src.data(), n);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void run_blake3(benchmark::State &state, const rq_blake3_impl *impl)
{
    const size_t n = static_cast<size_t>(state.range(0));
    std::vector<uint8_t> data = input(n);
    uint8_t out[RQ_BLAKE3_OUT_LEN];
    for (auto _ : state) {
        rq_blake3 h;
        rq_blake3_init(&h);
        rq_blake3_update_impl(&h, data.data(), n, impl);
        rq_blake3_finalize(&h, out, sizeof out);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<const rq_blake3_impl *> impls;
    for (const char *name : kImplNames)
        if (const rq_blake3_impl *impl = rq_blake3_impl_find(name))
            impls.push_back(impl);
    for (size_t n : kSizes)
        benchmark::RegisterBenchmark("memcpy", run_memcpy)->Arg(static_cast<int64_t>(n));
    for (const rq_blake3_impl *impl : impls)
        for (size_t n : kSizes)
            benchmark::RegisterBenchmark((std::string("blake3_") + impl->name).c_str(), run_blake3, impl)
                ->Arg(static_cast<int64_t>(n));
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    std::printf("\nRatios (bytes/s over bytes/s, same run; median when repeated):\n");
    for (size_t n : kSizes) {
        const std::string arg = std::to_string(n);
        const double mc = reporter.rate["memcpy/" + arg];
        const double portable = reporter.rate["blake3_portable/" + arg];
        for (const rq_blake3_impl *impl : impls) {
            const double r = reporter.rate[std::string("blake3_") + impl->name + "/" + arg];
            std::printf("%-8s %8zu B: %7.3f GB/s  hash/memcpy %6.3f  hash/portable %6.2f\n", impl->name, n, r / 1e9,
                        mc > 0 ? r / mc : 0.0, portable > 0 ? r / portable : 0.0);
        }
    }
    return 0;
}
