/* Seconds on the monotonic clock, for the durations jobs report. */
#ifndef RQ_RUNTIME_MONOTONIC_H
#define RQ_RUNTIME_MONOTONIC_H

#include <time.h>

static inline double rq_monotonic_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#endif
