// The object decoder for a fuzzed OTI (the first 12 bytes, objects up to
// 256 KiB so that an input runs in milliseconds) fed a stream of packets:
// the encoder's for the (SBN, ESI) the input picks, and arbitrary bytes of
// any length. A refused packet changes no block's status; a block's status
// stays consistent (held grows, needed shrinks, decoded sticks); an object
// completed from genuine packets only is the source.
#include <fuzzer/FuzzedDataProvider.h>
#include <rq/rq.h>

#include <cstring>

#include "fuzz_check.h"

namespace {

const uint64_t kMaxObject = 256 * 1024;

struct Coders {
    rq_object_encoder *enc = nullptr;
    rq_object_decoder *dec = nullptr;
    ~Coders()
    {
        rq_object_encoder_destroy(enc);
        rq_object_decoder_destroy(dec);
    }
};

std::vector<rq_block_status> statuses(const rq_oti &oti, const rq_object_decoder *dec)
{
    std::vector<rq_block_status> all(oti.source_blocks);
    for (uint32_t sbn = 0; sbn < oti.source_blocks; sbn++)
        FUZZ_CHECK(rq_object_decoder_block_status(dec, sbn, &all[sbn]) == RQ_OK);
    return all;
}

void check_progress(const std::vector<rq_block_status> &before, const std::vector<rq_block_status> &after,
                    bool refused)
{
    for (size_t i = 0; i < before.size(); i++) {
        const rq_block_status &a = before[i], &b = after[i];
        if (refused)
            FUZZ_CHECK(std::memcmp(&a, &b, sizeof a) == 0);
        FUZZ_CHECK(b.held >= a.held && (!a.decoded || b.decoded));
        FUZZ_CHECK(b.decoded ? b.needed == 0 : b.needed <= b.source_symbols);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rq_oti oti;
    if (size < 13 || rq_oti_parse(data, 12, &oti) != RQ_OK || oti.transfer_length > kMaxObject ||
        oti.source_blocks > 64)
        return 0;
    FuzzedDataProvider in(data + 12, size - 12);
    std::vector<uint8_t> source = rqf::seeded(in.ConsumeIntegral<uint8_t>(), oti.transfer_length);
    Coders c;
    FUZZ_CHECK(rq_object_encoder_create(&c.enc, &oti, source.data(), source.size()) == RQ_OK);
    FUZZ_CHECK(rq_object_decoder_create(&c.dec, &oti) == RQ_OK);
    size_t packet_len = 4 + (size_t)oti.symbol_size;
    bool tainted = false;
    std::vector<uint8_t> packet(packet_len);
    while (in.remaining_bytes() > 0) {
        bool genuine = in.ConsumeBool();
        const uint8_t *p = packet.data();
        size_t len = packet_len;
        std::vector<uint8_t> raw;
        if (genuine) {
            uint32_t sbn = in.ConsumeIntegralInRange<uint32_t>(0, oti.source_blocks);
            uint32_t esi = in.ConsumeIntegralInRange<uint32_t>(0, 1u << 12);
            if (rq_object_encoder_packet(c.enc, sbn, esi, packet.data(), packet_len) != RQ_OK)
                continue;
        } else {
            len = in.ConsumeBool() ? packet_len : in.ConsumeIntegralInRange<size_t>(0, packet_len + 8);
            raw = in.ConsumeBytes<uint8_t>(len);
            raw.resize(len);
            p = raw.data();
        }
        std::vector<rq_block_status> before = statuses(oti, c.dec);
        rq_status st = rq_object_decoder_add_packet(c.dec, len ? p : nullptr, len);
        check_progress(before, statuses(oti, c.dec), st < 0);
        if (!genuine && st == RQ_OK)
            tainted = true;
    }
    int complete = 0;
    FUZZ_CHECK(rq_object_decoder_complete(c.dec, &complete) == RQ_OK);
    std::vector<uint8_t> out(source.size());
    rq_status st = rq_object_decoder_data(c.dec, out.data(), out.size());
    FUZZ_CHECK((st == RQ_OK) == (complete == 1));
    if (complete && !tainted)
        FUZZ_CHECK(out == source);
    return 0;
}
