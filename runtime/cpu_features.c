/*
 * Reads CPU features: cpuid + xgetbv on x86-64 (an instruction set is only
 * usable if the OS also saves its registers), getauxval on AArch64; for
 * WebAssembly, what the module was compiled with.
 */
#include "runtime/cpu_features.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

static rq_cpu_feature_set features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

static void add_name(const char *name)
{
    if (features.names[0])
        strncat(features.names, " ", sizeof features.names - strlen(features.names) - 1);
    strncat(features.names, name, sizeof features.names - strlen(features.names) - 1);
}

#if defined(__x86_64__) || defined(__i386__)
static unsigned long long read_xcr0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (unsigned long long)hi << 32 | lo;
}

static void detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    int ssse3 = (c >> 9) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_saved = (xcr0 & 0x6) == 0x6;
    int zmm_saved = (xcr0 & 0xE6) == 0xE6;
    unsigned b7 = 0, c7 = 0;
    if (__get_cpuid_count(7, 0, &a, &b7, &c7, &d)) {
        features.avx2 = avx && ymm_saved && ((b7 >> 5) & 1);
        features.avx512bw = zmm_saved && ((b7 >> 16) & 1) && ((b7 >> 30) & 1);
        features.avx512vl = features.avx512bw && ((b7 >> 31) & 1);
        features.gfni = (c7 >> 8) & 1;
    }
    if (ssse3)
        add_name("ssse3");
    if (avx && ymm_saved)
        add_name("avx");
    if (features.avx2)
        add_name("avx2");
    if (features.avx512bw)
        add_name("avx512f avx512bw");
    if (features.avx512vl)
        add_name("avx512vl");
    if (features.gfni)
        add_name("gfni");
}
#elif defined(__aarch64__)
static void detect(void)
{
#if defined(__linux__)
    features.neon = (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
#else
    features.neon = 1; /* Advanced SIMD is mandatory on AArch64 */
#endif
    if (features.neon)
        add_name("asimd");
}
#elif defined(__wasm__)
/* A module runs only on an engine that validated its instructions. */
static void detect(void)
{
#if defined(__wasm_simd128__)
    add_name("simd128");
#else
    (void)add_name;
#endif
}
#else
static void detect(void)
{
}
#endif

const rq_cpu_feature_set *rq_cpu_features_get(void)
{
    pthread_once(&features_once, detect);
    return &features;
}
