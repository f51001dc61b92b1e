/*
 * Which kernel backends can run here, found once: every backend the build
 * has is checked against the CPU and then self-tested against the scalar
 * reference. Contexts take theirs from here (runtime/context.c): the best
 * usable one unless RQ_PARAM_BACKEND names another; naming one that cannot
 * run here is an error, never a fallback.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "runtime/dispatch.h"

#include "backends/kernels.h"
#include "rq/rq.h"
#include "runtime/cpu_features.h"
#include "runtime/default_context.h"
#include "runtime/kernel_self_test.h"

#ifdef RQ_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

typedef struct backend_slot {
    const char *name;
    const rq_kernels *(*get)(void); /* NULL when not compiled in */
    int automatic;                  /* may be chosen without being asked for */
    const char *reason;             /* why unusable; NULL when usable */
    const rq_kernels *kernels;
    char failure[96];               /* reason, when the self-test failed */
} backend_slot;

/*
 * In order of preference, worst first; slot i is rq_backend_id i + 1. CUDA is never chosen automatically:
 * its kernels pay only for batches, and a coding call that copies every
 * operation to the device and back would be slower than the CPU.
 */
static backend_slot slots[] = {
    {.name = "scalar", .get = rq_kernels_scalar, .automatic = 1},
#ifdef RQ_HAVE_NEON
    {.name = "neon", .get = rq_kernels_neon, .automatic = 1},
#else
    {.name = "neon", .get = NULL, .automatic = 1},
#endif
#ifdef RQ_HAVE_AVX2
    {.name = "avx2", .get = rq_kernels_avx2, .automatic = 1},
    {.name = "avx512", .get = rq_kernels_avx512, .automatic = 1},
#else
    {.name = "avx2", .get = NULL, .automatic = 1},
    {.name = "avx512", .get = NULL, .automatic = 1},
#endif
#ifdef RQ_HAVE_CUDA
    {.name = "cuda", .get = rq_kernels_cuda, .automatic = 0},
#else
    {.name = "cuda", .get = NULL, .automatic = 0},
#endif
#ifdef RQ_HAVE_WASM_SIMD128
    {.name = "wasm-simd128", .get = rq_kernels_wasm_simd128, .automatic = 1},
#else
    {.name = "wasm-simd128", .get = NULL, .automatic = 1},
#endif
};
#define N_SLOTS (sizeof slots / sizeof slots[0])

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static const rq_kernels *best;

/* Whether the machine can run a compiled backend; *why says why not. */
static int machine_runs(const char *name, const rq_cpu_feature_set *f, const char **why)
{
    *why = "this CPU lacks the instructions";
#ifdef RQ_HAVE_CUDA
    if (!strcmp(name, "cuda"))
        return rq_cuda_probe(why);
#endif
    if (!strcmp(name, "avx2"))
        return f->avx2;
    if (!strcmp(name, "avx512"))
        return f->avx512bw && f->gfni;
    if (!strcmp(name, "neon"))
        return f->neon;
    return 1;
}

static void probe(void)
{
    const rq_cpu_feature_set *f = rq_cpu_features_get();
    for (size_t i = 0; i < N_SLOTS; i++) {
        backend_slot *s = &slots[i];
        if (!s->get) {
            s->reason = "not compiled into this build";
        } else if (!machine_runs(s->name, f, &s->reason)) {
            /* reason set */
        } else {
            const rq_kernels *k = s->get();
            const char *failed = rq_kernels_self_test(k, rq_kernels_scalar());
            if (!failed) {
                s->kernels = k;
                s->reason = NULL;
                if (s->automatic)
                    best = k;
            } else {
                snprintf(s->failure, sizeof s->failure, "self-test against scalar failed (%s)",
                         failed);
                s->reason = s->failure;
            }
        }
    }
}

static void probe_once(void)
{
    pthread_once(&init_once, probe);
}

rq_status rq_dispatch_kernels(rq_backend_id id, const rq_kernels **out, const char **why)
{
    probe_once();
    *why = "";
    if (id == RQ_BACKEND_AUTO) {
        *out = best;
        return best ? RQ_OK : RQ_ERR_BACKEND_UNAVAILABLE; /* scalar always passes */
    }
    if (id < 1 || (size_t)id > N_SLOTS) {
        *why = "no such backend";
        return RQ_ERR_INVALID_ARGUMENT;
    }
    const backend_slot *s = &slots[id - 1];
    if (!s->kernels) {
        *why = s->reason;
        return RQ_ERR_BACKEND_UNAVAILABLE;
    }
    *out = s->kernels;
    return RQ_OK;
}

const char *rq_dispatch_name(rq_backend_id id)
{
    return id == RQ_BACKEND_AUTO ? "auto" : id >= 1 && (size_t)id <= N_SLOTS ? slots[id - 1].name : "?";
}

void rq_dispatch_usable_names(char *buf, size_t len)
{
    probe_once();
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_SLOTS; i++) {
        if (!slots[i].kernels)
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", slots[i].name);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
}

rq_status rq_backend_lookup(const char *name, rq_backend_id *out)
{
    if (!name || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!strcmp(name, "auto")) {
        *out = RQ_BACKEND_AUTO;
        return RQ_OK;
    }
    for (size_t i = 0; i < N_SLOTS; i++) {
        if (!strcmp(slots[i].name, name)) {
            *out = (rq_backend_id)(i + 1);
            return RQ_OK;
        }
    }
    return RQ_ERR_INVALID_ARGUMENT;
}

rq_status rq_backend_count(size_t *count)
{
    if (!count)
        return RQ_ERR_INVALID_ARGUMENT;
    *count = N_SLOTS;
    return RQ_OK;
}

rq_status rq_backend_describe(size_t index, rq_backend_info *out)
{
    if (!out || index >= N_SLOTS)
        return RQ_ERR_INVALID_ARGUMENT;
    probe_once();
    const backend_slot *s = &slots[index];
    out->name = s->name;
    out->compiled = s->get != NULL;
    out->usable = s->kernels != NULL;
    out->reason = s->reason ? s->reason : "";
    out->active = s->kernels != NULL && s->kernels == rq_default_context_kernels();
    return RQ_OK;
}

rq_status rq_cpu_features(const char **out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    *out = rq_cpu_features_get()->names;
    return RQ_OK;
}
