// Whole objects through rq_object_encoder / rq_object_decoder: several
// source blocks, sub-blocks, packets lost, duplicated and reordered.
#include "rq_test.h"
#include "test_data.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace {

rq_oti make_oti(uint64_t F, uint32_t T, uint32_t Z, uint32_t N, uint32_t Al)
{
    rq_oti oti{};
    oti.transfer_length = F;
    oti.symbol_size = T;
    oti.source_blocks = Z;
    oti.sub_blocks = N;
    oti.alignment = Al;
    REQUIRE(rq_oti_validate(&oti) == RQ_OK);
    return oti;
}

uint32_t block_symbols(const rq_oti &oti, uint32_t sbn)
{
    rq_block_layout layout{};
    REQUIRE(rq_oti_block_layout(&oti, sbn, &layout) == RQ_OK);
    return layout.source_symbols;
}

/*
 * Per block: a random share of the source packets lost, replaced by repair
 * packets (with 2 to spare) at scattered ESIs; then the whole set shuffled
 * with about one packet in ten sent twice.
 */
std::vector<std::vector<uint8_t>> lossy_packets(const rq_oti &oti, rq_object_encoder *encoder, double loss,
                                                std::mt19937_64 &rng)
{
    std::vector<std::vector<uint8_t>> packets;
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    for (uint32_t sbn = 0; sbn < oti.source_blocks; sbn++) {
        const uint32_t K = block_symbols(oti, sbn);
        uint32_t lost = 0;
        for (uint32_t esi = 0; esi < K; esi++) {
            if (coin(rng) < loss) {
                lost++;
            } else {
                packets.push_back(rqt::object_packet(encoder, sbn, esi, oti.symbol_size));
            }
        }
        std::uniform_int_distribution<uint32_t> gap(1, 3);
        uint32_t esi = K;
        for (uint32_t i = 0; i < lost + 2; i++) {
            packets.push_back(rqt::object_packet(encoder, sbn, esi, oti.symbol_size));
            esi += gap(rng);
        }
    }
    const size_t unique = packets.size();
    std::uniform_int_distribution<size_t> pick(0, unique - 1);
    for (size_t i = 0; i < unique / 10 + 1; i++) {
        packets.push_back(packets[pick(rng)]);
    }
    std::shuffle(packets.begin(), packets.end(), rng);
    return packets;
}

void round_trip(const rq_oti &oti, double loss, uint64_t seed)
{
    CAPTURE(oti.transfer_length, oti.symbol_size, oti.source_blocks, oti.sub_blocks, oti.alignment, loss);
    std::mt19937_64 rng(seed);
    const std::vector<uint8_t> data = rqt::splitmix_bytes(seed, static_cast<size_t>(oti.transfer_length));
    rqt::ObjectEncoder encoder = rqt::make_object_encoder(oti, data);
    const std::vector<std::vector<uint8_t>> packets = lossy_packets(oti, encoder.get(), loss, rng);

    rqt::ObjectDecoder decoder = rqt::make_object_decoder(oti);
    std::vector<uint8_t> out(data.size());
    CHECK(rq_object_decoder_data(decoder.get(), out.data(), out.size()) == RQ_ERR_NOT_DECODED);
    size_t ok = 0, notices = 0;
    for (const std::vector<uint8_t> &packet : packets) {
        rq_status st = rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size());
        REQUIRE((st == RQ_OK || st == RQ_DUPLICATE || st == RQ_ALREADY_DECODED));
        (st == RQ_OK ? ok : notices)++;
    }
    CHECK(notices > 0);
    REQUIRE(rqt::object_complete(decoder.get()));
    for (uint32_t sbn = 0; sbn < oti.source_blocks; sbn++) {
        const rq_block_status status = rqt::block_status(decoder.get(), sbn);
        CHECK(status.decoded == 1);
        CHECK(status.needed == 0);
        CHECK(status.source_symbols == block_symbols(oti, sbn));
    }
    REQUIRE(rq_object_decoder_data(decoder.get(), out.data(), out.size()) == RQ_OK);
    CHECK(out == data);
}

} // namespace

TEST_CASE("object round trip with sub-blocks of uneven sub-symbol sizes")
{
    // T = 60, Al = 4, N = 4: sub-symbols of 16, 16, 16 and 12 bytes.
    round_trip(make_oti(2000, 60, 1, 4, 4), 0.3, 1);
    // T = 64, Al = 4, N = 3: 24, 20, 20.
    round_trip(make_oti(3000, 64, 1, 3, 4), 0.5, 2);
    // Sub-symbols as small as the alignment.
    round_trip(make_oti(5000, 64, 1, 8, 8), 0.2, 3);
}

TEST_CASE("object round trip with several source blocks of uneven sizes")
{
    // 1563 symbols in 7 blocks: 2 of 224 and 5 of 223.
    round_trip(make_oti(100000, 64, 7, 1, 4), 0.25, 4);
    // Last symbol of the last block partly padding.
    round_trip(make_oti(12345, 32, 10, 1, 4), 0.4, 5);
    // The most blocks: 255 blocks of 1 or 2 symbols.
    round_trip(make_oti(2550, 8, 255, 1, 8), 0.5, 6);
}

TEST_CASE("object round trip with several source blocks and sub-blocks")
{
    round_trip(make_oti(300000, 4096, 3, 5, 4), 0.2, 7);
    round_trip(make_oti(77777, 60, 4, 4, 4), 0.35, 8);
}

TEST_CASE("object round trip of a single byte")
{
    round_trip(make_oti(1, 1, 1, 1, 1), 0.0, 9);
    round_trip(make_oti(1, 1, 1, 1, 1), 1.0, 10);
    round_trip(make_oti(1, 8, 1, 1, 8), 1.0, 11);
}

TEST_CASE("object round trip from repair packets only")
{
    round_trip(make_oti(40000, 256, 2, 2, 8), 1.0, 12);
}

TEST_CASE("object decoder reports the status of incomplete blocks")
{
    // 3 blocks: 34, 33, 33 symbols of 16 bytes.
    const rq_oti oti = make_oti(1600, 16, 3, 1, 4);
    const std::vector<uint8_t> data = rqt::splitmix_bytes(31, 1600);
    rqt::ObjectEncoder encoder = rqt::make_object_encoder(oti, data);
    rqt::ObjectDecoder decoder = rqt::make_object_decoder(oti);

    for (uint32_t sbn = 0; sbn < 3; sbn++) {
        const rq_block_status status = rqt::block_status(decoder.get(), sbn);
        CHECK(status.source_symbols == (sbn == 0 ? 34u : 33u));
        CHECK(status.held == 0);
        CHECK(status.needed == status.source_symbols);
        CHECK(status.decoded == 0);
    }
    CHECK_FALSE(rqt::object_complete(decoder.get()));

    // Ten repair packets for block 1: held 10, needed 23, nothing else moves.
    for (uint32_t esi = 40; esi < 50; esi++) {
        const std::vector<uint8_t> packet = rqt::object_packet(encoder.get(), 1, esi, 16);
        REQUIRE(rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size()) == RQ_OK);
    }
    rq_block_status one = rqt::block_status(decoder.get(), 1);
    CHECK(one.held == 10);
    CHECK(one.needed == 23);
    CHECK(one.decoded == 0);
    CHECK(rqt::block_status(decoder.get(), 0).held == 0);
    CHECK(rqt::block_status(decoder.get(), 2).held == 0);

    // All source packets of block 0: decoded as soon as the last arrives.
    for (uint32_t esi = 0; esi < 34; esi++) {
        const std::vector<uint8_t> packet = rqt::object_packet(encoder.get(), 0, esi, 16);
        REQUIRE(rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size()) == RQ_OK);
    }
    rq_block_status zero = rqt::block_status(decoder.get(), 0);
    CHECK(zero.decoded == 1);
    CHECK(zero.needed == 0);
    CHECK_FALSE(rqt::object_complete(decoder.get()));
    std::vector<uint8_t> out(1600);
    CHECK(rq_object_decoder_data(decoder.get(), out.data(), out.size()) == RQ_ERR_NOT_DECODED);

    // A packet for a decoded block is not needed.
    const std::vector<uint8_t> late = rqt::object_packet(encoder.get(), 0, 100, 16);
    CHECK(rq_object_decoder_add_packet(decoder.get(), late.data(), late.size()) == RQ_ALREADY_DECODED);

    // A duplicate for an incomplete block changes nothing.
    const std::vector<uint8_t> dup = rqt::object_packet(encoder.get(), 1, 40, 16);
    CHECK(rq_object_decoder_add_packet(decoder.get(), dup.data(), dup.size()) == RQ_DUPLICATE);
    CHECK(rqt::block_status(decoder.get(), 1).held == 10);

    // Finish blocks 1 and 2.
    for (uint32_t sbn = 1; sbn < 3; sbn++) {
        for (uint32_t esi = 0; esi < 33; esi++) {
            const std::vector<uint8_t> packet = rqt::object_packet(encoder.get(), sbn, esi, 16);
            rq_status st = rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size());
            CHECK((st == RQ_OK || st == RQ_ALREADY_DECODED));
        }
    }
    REQUIRE(rqt::object_complete(decoder.get()));
    REQUIRE(rq_object_decoder_data(decoder.get(), out.data(), out.size()) == RQ_OK);
    CHECK(out == data);
}

TEST_CASE("object encoder gives the same packet whatever order blocks are visited in")
{
    const rq_oti oti = make_oti(50000, 40, 5, 2, 4);
    const std::vector<uint8_t> data = rqt::splitmix_bytes(37, 50000);
    rqt::ObjectEncoder in_order = rqt::make_object_encoder(oti, data);
    std::vector<std::pair<uint32_t, uint32_t>> ids;
    std::vector<std::vector<uint8_t>> expected;
    for (uint32_t sbn = 0; sbn < 5; sbn++) {
        for (uint32_t esi : {0u, 1u, 249u, 250u, 251u, 300u, 70000u, RQ_MAX_ESI}) {
            ids.emplace_back(sbn, esi);
            expected.push_back(rqt::object_packet(in_order.get(), sbn, esi, 40));
        }
    }
    std::vector<size_t> order(ids.size());
    for (size_t i = 0; i < order.size(); i++) {
        order[i] = i;
    }
    std::mt19937_64 rng(41);
    std::shuffle(order.begin(), order.end(), rng);
    rqt::ObjectEncoder jumping = rqt::make_object_encoder(oti, data);
    for (size_t i : order) {
        CAPTURE(ids[i].first, ids[i].second);
        CHECK(rqt::object_packet(jumping.get(), ids[i].first, ids[i].second, 40) == expected[i]);
    }
}

TEST_CASE("object source packets carry the object bytes in order")
{
    // N = 1: packet (sbn, esi < K) is the esi-th T bytes of block sbn, zero padded.
    const rq_oti oti = make_oti(1001, 10, 3, 1, 1);
    const std::vector<uint8_t> data = rqt::splitmix_bytes(43, 1001);
    rqt::ObjectEncoder encoder = rqt::make_object_encoder(oti, data);
    for (uint32_t sbn = 0; sbn < 3; sbn++) {
        rq_block_layout layout{};
        REQUIRE(rq_oti_block_layout(&oti, sbn, &layout) == RQ_OK);
        for (uint32_t esi = 0; esi < layout.source_symbols; esi++) {
            std::vector<uint8_t> want(4 + 10, 0);
            REQUIRE(rq_payload_id_write(sbn, esi, want.data(), 4) == RQ_OK);
            for (size_t b = 0; b < 10; b++) {
                const uint64_t at = layout.offset + uint64_t(esi) * 10 + b;
                if (at < data.size()) {
                    want[4 + b] = data[at];
                }
            }
            CAPTURE(sbn, esi);
            CHECK(rqt::object_packet(encoder.get(), sbn, esi, 10) == want);
        }
    }
}

TEST_CASE("object round trip of a 10 MB object with the default OTI")
{
    rq_oti oti{};
    REQUIRE(rq_oti_with_defaults(10000000, 1280, &oti) == RQ_OK);
    round_trip(oti, 0.1, 13);
}

TEST_CASE("object round trip of a 50 MB object with the default OTI and 5 sub-blocks", "[slow]")
{
    rq_oti oti{};
    REQUIRE(rq_oti_with_defaults(50000000, 65535, &oti) == RQ_OK);
    REQUIRE(oti.sub_blocks == 5);
    round_trip(oti, 0.1, 14);
}
