#include "splitmix64.h"

uint64_t rq_test_splitmix64_next(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15ull;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rq_test_splitmix64_fill(uint64_t seed, uint8_t *out, size_t len)
{
    uint64_t state = seed;
    size_t i = 0;
    while (i < len) {
        uint64_t word = rq_test_splitmix64_next(&state);
        for (unsigned b = 0; b < 8 && i < len; b++, i++) {
            out[i] = (uint8_t)(word >> (8 * b));
        }
    }
}
