// Timing helpers the plain benchmark programs share: a monotonic clock in
// seconds and the median of repeated runs.
#ifndef RQ_BENCH_BENCH_TIMING_H
#define RQ_BENCH_BENCH_TIMING_H

#include <algorithm>
#include <chrono>
#include <vector>

namespace rqb {

inline double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace rqb

#endif
