// The k+m decoder with a fuzzed k, m, scheme, unit length, erasure list
// (any indexes, repeated, out of range) and set of missing units: a decode
// that succeeds rebuilds every erased unit exactly; one that fails writes
// nothing; NULL where a pointer is needed is refused.
#include <fuzzer/FuzzedDataProvider.h>
#include <rq/rq_ec.h>

#include <algorithm>

#include "fuzz_check.h"

namespace {

struct Coder {
    rq_ec_coder *c = nullptr;
    ~Coder() { rq_ec_coder_destroy(c); }
};

/* k data units from the seed and their m parities. */
std::vector<std::vector<uint8_t>> all_units(rq_ec_coder *c, uint32_t k, uint32_t m, size_t len, uint8_t seed)
{
    std::vector<std::vector<uint8_t>> u;
    std::vector<const uint8_t *> data;
    std::vector<uint8_t *> parity;
    for (uint32_t i = 0; i < k + m; i++)
        u.push_back(rqf::seeded(seed * 131u + i, len));
    for (uint32_t i = 0; i < k; i++)
        data.push_back(u[i].data());
    for (uint32_t j = 0; j < m; j++)
        parity.push_back(u[k + j].data());
    FUZZ_CHECK(rq_ec_encode(c, data.data(), parity.data(), len) == RQ_OK);
    return u;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider in(data, size);
    uint32_t k = in.ConsumeIntegralInRange<uint32_t>(0, 24), m = in.ConsumeIntegralInRange<uint32_t>(0, 6);
    rq_ec_scheme scheme = in.ConsumeBool() ? RQ_EC_RAPTORQ : RQ_EC_RAPTORQ_MDS;
    size_t len = in.ConsumeIntegralInRange<size_t>(1, 96);
    Coder c;
    if (rq_ec_coder_create(&c.c, k, m, scheme) != RQ_OK)
        return 0;
    std::vector<std::vector<uint8_t>> units = all_units(c.c, k, m, len, in.ConsumeIntegral<uint8_t>());
    std::vector<const uint8_t *> given;
    for (uint32_t i = 0; i < k + m; i++)
        given.push_back(in.ConsumeBool() ? units[i].data() : nullptr);
    std::vector<uint32_t> erased;
    size_t n_erased = in.ConsumeIntegralInRange<size_t>(0, k + m + 2);
    for (size_t i = 0; i < n_erased; i++)
        erased.push_back(in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, k + m - 1)
                                          : in.ConsumeIntegral<uint32_t>());
    std::vector<std::vector<uint8_t>> out(n_erased, std::vector<uint8_t>(len, 0xEE));
    std::vector<uint8_t *> outs;
    for (auto &o : out)
        outs.push_back(o.data());
    if (n_erased && in.ConsumeBool())
        outs[in.ConsumeIntegralInRange<size_t>(0, n_erased - 1)] = nullptr;
    rq_status st = rq_ec_decode(c.c, given.data(), erased.data(), n_erased, outs.data(), len);
    bool distinct_in_range = true;
    std::vector<uint32_t> sorted = erased;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); i++)
        distinct_in_range &= sorted[i] < k + m && (i == 0 || sorted[i] != sorted[i - 1]);
    bool null_out = std::find(outs.begin(), outs.end(), nullptr) != outs.end();
    if (st == RQ_OK) {
        FUZZ_CHECK(distinct_in_range && !null_out);
        for (size_t i = 0; i < n_erased; i++)
            FUZZ_CHECK(out[i] == units[erased[i]]);
        return 0;
    }
    FUZZ_CHECK(st == RQ_ERR_UNDECODABLE || st == RQ_ERR_INVALID_ARGUMENT);
    FUZZ_CHECK(st == RQ_ERR_UNDECODABLE || !distinct_in_range || null_out);
    for (auto &o : out)
        FUZZ_CHECK(std::all_of(o.begin(), o.end(), [](uint8_t x) { return x == 0xEE; }));
    return 0;
}
