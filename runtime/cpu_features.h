/* CPU features that decide which kernel backends can run, read once. */
#ifndef RQ_RUNTIME_CPU_FEATURES_H
#define RQ_RUNTIME_CPU_FEATURES_H

typedef struct rq_cpu_feature_set {
    int avx2;        /* AVX2 and the OS saves YMM state */
    int avx512bw;    /* AVX-512 F+BW and the OS saves ZMM state */
    int avx512vl;    /* AVX-512 VL (with avx512bw) */
    int gfni;
    int neon;        /* AArch64 Advanced SIMD */
    char names[128]; /* the features seen, space-separated */
} rq_cpu_feature_set;

const rq_cpu_feature_set *rq_cpu_features_get(void);

#endif
