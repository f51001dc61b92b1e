/*
 * The "splitmix64-le" data generator of the conformance vectors
 * (tests/data/README.md): splitmix64 from state = seed, each 64-bit output
 * appended least significant byte first.
 */
#ifndef RQ_TEST_SPLITMIX64_H
#define RQ_TEST_SPLITMIX64_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Advances *state and returns the next output. */
uint64_t rq_test_splitmix64_next(uint64_t *state);
/* Writes the first len bytes of the stream seeded with seed. */
void rq_test_splitmix64_fill(uint64_t seed, uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif
