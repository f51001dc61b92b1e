/*
 * The start-up self-test of a kernel backend: every entry of its table run
 * beside the scalar reference's on awkward lengths, offsets and coefficients
 * (runtime/dispatch.c keeps a backend only if it passes).
 */
#ifndef RQ_RUNTIME_KERNEL_SELF_TEST_H
#define RQ_RUNTIME_KERNEL_SELF_TEST_H

#include "backends/kernels.h"

/* NULL if every entry of k gives ref's bytes; else the first entry that does not. */
const char *rq_kernels_self_test(const rq_kernels *k, const rq_kernels *ref);

#endif
