// The OTI: the first 12 bytes as a wire OTI (a parse that succeeds
// serializes back to the same bytes and cuts the object consistently; one
// that fails leaves *out as it was), and the input read as the arguments of
// rq_oti_derive (an OTI it returns validates and keeps F, T <= P', T a
// multiple of Al).
#include <fuzzer/FuzzedDataProvider.h>
#include <rq/rq.h>

#include <cstring>

#include "fuzz_check.h"

static void check_cut(const rq_oti &oti)
{
    rq_object_layout ol;
    FUZZ_CHECK(rq_oti_object_layout(&oti, &ol) == RQ_OK);
    FUZZ_CHECK(ol.large_blocks + ol.small_blocks == oti.source_blocks);
    FUZZ_CHECK(ol.large_sub_blocks + ol.small_sub_blocks == oti.sub_blocks);
    FUZZ_CHECK((uint64_t)ol.large_sub_blocks * ol.large_sub_symbol_size +
                   (uint64_t)ol.small_sub_blocks * ol.small_sub_symbol_size == oti.symbol_size);
    uint64_t end = 0;
    for (uint32_t sbn = 0; sbn < oti.source_blocks && sbn < 8; sbn++) {
        rq_block_layout bl;
        FUZZ_CHECK(rq_oti_block_layout(&oti, sbn, &bl) == RQ_OK);
        FUZZ_CHECK(bl.offset == end && bl.length <= (uint64_t)bl.source_symbols * oti.symbol_size);
        FUZZ_CHECK(bl.padded_symbols >= bl.source_symbols);
        end += bl.length;
    }
    rq_block_layout bl;
    FUZZ_CHECK(rq_oti_block_layout(&oti, oti.source_blocks, &bl) != RQ_OK);
}

static void check_wire(const uint8_t *data)
{
    rq_oti oti, sentinel;
    std::memset(&sentinel, 0xA5, sizeof sentinel);
    oti = sentinel;
    if (rq_oti_parse(data, 12, &oti) != RQ_OK) {
        FUZZ_CHECK(std::memcmp(&oti, &sentinel, sizeof oti) == 0);
        return;
    }
    FUZZ_CHECK(rq_oti_validate(&oti) == RQ_OK);
    uint8_t back[12];
    FUZZ_CHECK(rq_oti_serialize(&oti, back, sizeof back) == RQ_OK);
    FUZZ_CHECK(std::memcmp(back, data, 12) == 0);
    check_cut(oti);
}

static void check_derive(FuzzedDataProvider &in)
{
    uint64_t F = in.ConsumeIntegral<uint64_t>();
    uint32_t payload = in.ConsumeIntegral<uint32_t>();
    uint64_t ws = in.ConsumeIntegral<uint64_t>();
    uint32_t al = in.ConsumeIntegral<uint32_t>(), ss = in.ConsumeIntegral<uint32_t>();
    rq_oti oti;
    if (rq_oti_derive(F, payload, ws, al, ss, &oti) != RQ_OK)
        return;
    FUZZ_CHECK(rq_oti_validate(&oti) == RQ_OK);
    FUZZ_CHECK(oti.transfer_length == F && oti.symbol_size <= payload && oti.alignment == al);
    FUZZ_CHECK(oti.symbol_size % oti.alignment == 0);
    check_cut(oti);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 12)
        check_wire(data);
    FuzzedDataProvider in(data, size);
    check_derive(in);
    return 0;
}
