/*
 * The BLAKE3 implementations this build has: the widest SIMD kernel this
 * CPU runs is the default, else portable C; a context's RQ_PARAM_BLAKE3
 * names one instead (rq_blake3_choice order: portable, avx2, avx512).
 */
#include <pthread.h>
#include <string.h>

#include "rq/rq.h"
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
    for (size_t i = N_IMPLS; !active && i-- > 0;)
        if (cpu_runs(&impls[i]))
            active = &impls[i];
}

const rq_blake3_impl *rq_blake3_impl_best(void)
{
    pthread_once(&choose_once, choose);
    return active;
}

const char *rq_blake3_choice_name(int64_t choice)
{
    static const char *const names[] = {[RQ_BLAKE3_AUTO] = "auto", [RQ_BLAKE3_PORTABLE] = "portable",
                                        [RQ_BLAKE3_AVX2] = "avx2", [RQ_BLAKE3_AVX512] = "avx512"};
    return choice >= 0 && choice < (int64_t)(sizeof names / sizeof names[0]) ? names[choice] : NULL;
}

const rq_blake3_impl *rq_blake3_impl_for(int64_t choice)
{
    if (choice == RQ_BLAKE3_AUTO)
        return rq_blake3_impl_best();
    return rq_blake3_impl_find(rq_blake3_choice_name(choice));
}
