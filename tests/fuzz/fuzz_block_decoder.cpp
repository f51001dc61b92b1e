// The block decoder fed a fuzzed K, T and sequence of symbols: genuine ones
// (the encoder's, for ESIs the input picks) and arbitrary ones (any bytes,
// any length, any ESI). A refused symbol changes nothing (held stays); a
// decode from genuine symbols only either needs more or returns the source;
// nothing crashes whatever the mix.
#include <fuzzer/FuzzedDataProvider.h>
#include <rq/rq.h>

#include "fuzz_check.h"

namespace {

struct Session {
    uint32_t K;
    size_t T;
    std::vector<uint8_t> source;
    rq_encoder *enc = nullptr;
    rq_decoder *dec = nullptr;
    bool tainted = false; /* an arbitrary symbol was accepted */

    ~Session()
    {
        rq_encoder_destroy(enc);
        rq_decoder_destroy(dec);
    }
};

uint32_t held(const rq_decoder *dec)
{
    uint32_t n = 0;
    FUZZ_CHECK(rq_decoder_symbols_held(dec, &n) == RQ_OK);
    return n;
}

void add(Session &s, uint32_t esi, const uint8_t *sym, size_t len, bool genuine)
{
    uint32_t before = held(s.dec);
    rq_status st = rq_decoder_add_symbol(s.dec, esi, sym, len);
    if (st < 0) {
        FUZZ_CHECK(held(s.dec) == before);
        return;
    }
    if (!genuine && st == RQ_OK)
        s.tainted = true;
}

void decode(Session &s)
{
    rq_status st = rq_decoder_decode(s.dec);
    std::vector<uint8_t> out(s.source.size());
    if (st != RQ_OK) {
        FUZZ_CHECK(st == RQ_ERR_NEED_MORE_SYMBOLS);
        FUZZ_CHECK(rq_decoder_source(s.dec, out.data(), out.size()) == RQ_ERR_NOT_DECODED);
        return;
    }
    FUZZ_CHECK(rq_decoder_source(s.dec, out.data(), out.size()) == RQ_OK);
    if (!s.tainted)
        FUZZ_CHECK(out == s.source);
}

void step(Session &s, FuzzedDataProvider &in)
{
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: { /* genuine: mostly near the useful ESIs, now and then anywhere */
        uint32_t esi = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, s.K + 40)
                                        : in.ConsumeIntegral<uint32_t>();
        std::vector<uint8_t> sym(s.T);
        if (rq_encoder_symbol(s.enc, esi, sym.data(), sym.size()) == RQ_OK)
            add(s, esi, sym.data(), sym.size(), true);
        break;
    }
    case 1: {
        uint32_t esi = in.ConsumeIntegral<uint32_t>();
        size_t len = in.ConsumeBool() ? s.T : in.ConsumeIntegralInRange<size_t>(0, 2 * s.T);
        std::vector<uint8_t> sym = in.ConsumeBytes<uint8_t>(len);
        sym.resize(len);
        add(s, esi, len ? sym.data() : nullptr, len, false);
        break;
    }
    case 2:
        decode(s);
        break;
    default: {
        uint32_t needed = 0;
        FUZZ_CHECK(rq_decoder_symbols_needed(s.dec, &needed) == RQ_OK);
        FUZZ_CHECK(needed <= s.K);
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider in(data, size);
    Session s;
    s.K = in.ConsumeIntegralInRange<uint32_t>(0, 1200);
    s.T = in.ConsumeIntegralInRange<size_t>(0, 48);
    s.source = rqf::seeded(in.ConsumeIntegral<uint8_t>(), (size_t)s.K * s.T);
    rq_status e = rq_encoder_create(&s.enc, s.K, s.T, s.source.data(), s.source.size());
    rq_status d = rq_decoder_create(&s.dec, s.K, s.T);
    FUZZ_CHECK((e == RQ_OK) == (d == RQ_OK));
    if (e != RQ_OK)
        return 0;
    while (in.remaining_bytes() > 0)
        step(s, in);
    decode(s);
    return 0;
}
