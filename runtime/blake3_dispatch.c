/*
 * Chooses the BLAKE3 implementation once: the widest SIMD kernel this build
 * has and this CPU runs, else portable C. RQ_BLAKE3=portable|avx2|avx512
 * names one instead (for tests and measurements); since every
 * implementation gives the same output, a name that is unknown or cannot
 * run here is ignored rather than an error.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/blake3_impl.h"
#include "runtime/cpu_features.h"

/* Worst first. */
static const rq_blake3_impl impls[] = {
    {"portable", 1, NULL},
#ifdef RQ_HAVE_BLAKE3_SIMD
    {"avx2", 8, rq_blake3_batch_avx2},
    {"avx512", 16, rq_blake3_batch_avx512},
#endif
};
#define N_IMPLS (sizeof impls / sizeof impls[0])

static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static const rq_blake3_impl *active;

static int cpu_runs(const rq_blake3_impl *impl)
{
    const rq_cpu_feature_set *f = rq_cpu_features_get();
    if (!strcmp(impl->name, "avx2"))
        return f->avx2;
    if (!strcmp(impl->name, "avx512"))
        return f->avx512bw && f->avx512vl;
    return 1;
}

const rq_blake3_impl *rq_blake3_impl_find(const char *name)
{
    for (size_t i = 0; i < N_IMPLS; i++)
        if (name && !strcmp(impls[i].name, name))
            return cpu_runs(&impls[i]) ? &impls[i] : NULL;
    return NULL;
}

static void choose(void)
{
    active = rq_blake3_impl_find(getenv("RQ_BLAKE3"));
    for (size_t i = N_IMPLS; !active && i-- > 0;)
        if (cpu_runs(&impls[i]))
            active = &impls[i];
}

const rq_blake3_impl *rq_blake3_impl_active(void)
{
    pthread_once(&choose_once, choose);
    return active;
}
