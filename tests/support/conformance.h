/*
 * The checks shared by test_conformance (objects up to 4 MB) and
 * test_conformance_large (the rest): encode a vector case or an allk entry
 * and compare with what the independent implementation produced.
 */
#ifndef RQ_TEST_CONFORMANCE_H
#define RQ_TEST_CONFORMANCE_H

#include "rq_test.h"
#include "test_data.h"

#include <cstring>
#include <vector>

namespace rqt {

/* Cases with F up to this many bytes run in the fast suite. */
constexpr uint64_t kFastCaseMaxBytes = 4000000;

/*
 * Encodes every listed symbol of the case through the object encoder and
 * compares its payload hash (and, where the case has a .packets file, the
 * whole packet) with the vector.
 */
inline void check_vector_case(const VectorCase &c, rq_context *ctx = nullptr)
{
    const std::vector<uint8_t> data = splitmix_bytes(c.seed, static_cast<size_t>(c.F));
    const std::vector<uint8_t> wire = hex_decode(c.oti_hex);
    rq_oti oti{};
    REQUIRE(rq_oti_parse(wire.data(), wire.size(), &oti) == RQ_OK);
    REQUIRE(oti.transfer_length == c.F);
    REQUIRE(oti.symbol_size == c.T);
    REQUIRE(oti.source_blocks == c.Z);
    REQUIRE(oti.sub_blocks == c.N);
    REQUIRE(oti.alignment == c.Al);

    ObjectEncoder encoder = make_object_encoder(oti, data, ctx);
    const size_t packet_len = RQ_PAYLOAD_ID_SIZE + c.T;
    std::vector<uint8_t> all_packets;
    std::vector<uint8_t> packet(packet_len);
    size_t mismatches = 0;
    for (const VectorBlock &block : c.blocks) {
        for (const VectorSymbol &symbol : block.symbols) {
            CAPTURE(block.sbn, symbol.esi);
            REQUIRE(rq_object_encoder_packet(encoder.get(), block.sbn, symbol.esi, packet.data(), packet.size()) ==
                    RQ_OK);
            uint32_t sbn = 0, esi = 0;
            REQUIRE(rq_payload_id_read(packet.data(), packet.size(), &sbn, &esi) == RQ_OK);
            CHECK(sbn == block.sbn);
            CHECK(esi == symbol.esi);
            const std::string got = sha256_hex(packet.data() + RQ_PAYLOAD_ID_SIZE, c.T);
            CHECK(got == symbol.sha256);
            if (got != symbol.sha256) {
                mismatches++;
            }
            all_packets.insert(all_packets.end(), packet.begin(), packet.end());
        }
    }
    if (mismatches > 0) {
        FAIL_CHECK(c.name << ": " << mismatches << " of " << c.symbol_count() << " symbols differ");
    }
    if (!c.packets_file.empty()) {
        const std::vector<uint8_t> expected = read_file(data_path("rfc6330/" + c.packets_file));
        REQUIRE(expected.size() == all_packets.size());
        size_t first_diff = 0;
        while (first_diff < expected.size() && expected[first_diff] == all_packets[first_diff]) {
            first_diff++;
        }
        INFO(c.name << ": packets differ from byte " << first_diff << " (packet " << first_diff / packet_len
                    << ")");
        CHECK(first_diff == expected.size());
    }
}

/*
 * allk entry: K = K', T = 8, data seed K'. Checks the hash of the repair
 * symbols K'..K'+3 and of ESI 1048576, and that ESIs below K are the source.
 */
inline void check_allk_entry(const AllKEntry &entry)
{
    const uint32_t K = entry.K_prime;
    const size_t T = 8;
    CAPTURE(K);
    const std::vector<uint8_t> data = splitmix_bytes(K, size_t(K) * T);
    Encoder encoder = make_encoder(K, T, data);

    std::vector<uint8_t> repair(4 * T);
    for (uint32_t i = 0; i < 4; i++) {
        REQUIRE(rq_encoder_symbol(encoder.get(), K + i, repair.data() + i * T, T) == RQ_OK);
    }
    CHECK(sha256_hex(repair.data(), repair.size()) == entry.repair_sha256);

    std::vector<uint8_t> high(T);
    REQUIRE(rq_encoder_symbol(encoder.get(), 1048576u, high.data(), T) == RQ_OK);
    CHECK(sha256_hex(high.data(), T) == entry.esi_1048576_sha256);

    for (uint32_t esi : {0u, K / 2, K - 1}) {
        std::vector<uint8_t> source(T);
        REQUIRE(rq_encoder_symbol(encoder.get(), esi, source.data(), T) == RQ_OK);
        CAPTURE(esi);
        CHECK(std::memcmp(source.data(), data.data() + size_t(esi) * T, T) == 0);
    }
}

} // namespace rqt

#endif
