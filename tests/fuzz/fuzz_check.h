// What every fuzz target shares: an invariant check that aborts with its
// text (libFuzzer then saves the input), and seeded data a target can
// regenerate to know what a correct decode must return.
#ifndef RQ_TESTS_FUZZ_FUZZ_CHECK_H
#define RQ_TESTS_FUZZ_FUZZ_CHECK_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)

namespace rqf {

/* len bytes from seed (xorshift64*: any fixed generator does). */
inline std::vector<uint8_t> seeded(uint64_t seed, size_t len)
{
    std::vector<uint8_t> out(len);
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (auto &b : out) {
        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        b = (uint8_t)((x * 0x2545F4914F6CDD1Dull) >> 56);
    }
    return out;
}

} // namespace rqf

#endif
