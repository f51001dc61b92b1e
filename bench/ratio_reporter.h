// Shared by the Google Benchmark programs: the console table as usual, plus
// each benchmark's bytes/s (the median aggregate when repeating), kept so
// that main() can print ratios against a reference measured in the same run.
#ifndef RQ_BENCH_RATIO_REPORTER_H
#define RQ_BENCH_RATIO_REPORTER_H

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

class RatioReporter : public benchmark::ConsoleReporter {
public:
    // "name/arg" -> bytes per second
    std::map<std::string, double> rate;

    void ReportRuns(const std::vector<Run> &runs) override
    {
        ConsoleReporter::ReportRuns(runs);
        for (const Run &r : runs) {
            auto it = r.counters.find("bytes_per_second");
            if (it == r.counters.end())
                continue;
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median")
                continue;
            rate[r.run_name.function_name + "/" + r.run_name.args] = it->second.value;
        }
    }
};

#endif
