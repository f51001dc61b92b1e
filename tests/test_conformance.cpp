// Bit-exactness against an independent RFC 6330 implementation: every
// vector object up to 4 MB, every K' of Table 2, and decoding of the
// recorded packets. The larger objects are in test_conformance_large.
#include "conformance.h"
#include "rq_test.h"
#include "test_data.h"

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace {

const std::vector<rqt::VectorCase> &all_cases()
{
    static const std::vector<rqt::VectorCase> cases = rqt::load_cases();
    return cases;
}

// True when the block's listed symbols include every source ESI 0..K-1.
bool lists_all_sources(const rqt::VectorBlock &block)
{
    std::set<uint32_t> esis;
    for (const rqt::VectorSymbol &s : block.symbols) {
        if (s.esi < block.K) {
            esis.insert(s.esi);
        }
    }
    return esis.size() == block.K;
}

} // namespace

TEST_CASE("encoder symbols match the independent implementation for every vector object up to 4 MB",
          "[conformance]")
{
    size_t ran = 0;
    for (const rqt::VectorCase &c : all_cases()) {
        if (c.F > rqt::kFastCaseMaxBytes) {
            continue;
        }
        ran++;
        DYNAMIC_SECTION(c.name)
        {
            rqt::check_vector_case(c);
        }
    }
    CHECK(ran == 40);
}

TEST_CASE("encoder matches the independent implementation for every K' of Table 2", "[conformance]")
{
    const std::vector<rqt::AllKEntry> entries = rqt::load_allk();
    REQUIRE(entries.size() == 477);
    for (const rqt::AllKEntry &entry : entries) {
        rqt::check_allk_entry(entry);
    }
}

TEST_CASE("object decoder rebuilds vector objects from the recorded packets with source packets lost",
          "[conformance]")
{
    std::mt19937_64 rng(6330);
    size_t ran = 0;
    for (const rqt::VectorCase &c : all_cases()) {
        if (c.packets_file.empty() ||
            !std::all_of(c.blocks.begin(), c.blocks.end(), lists_all_sources) || c.blocks.size() != c.Z) {
            continue;
        }
        ran++;
        DYNAMIC_SECTION(c.name)
        {
            const size_t packet_len = RQ_PAYLOAD_ID_SIZE + c.T;
            const std::vector<uint8_t> file = rqt::read_file(rqt::data_path("rfc6330/" + c.packets_file));
            REQUIRE(file.size() == packet_len * c.symbol_count());

            // Per block: drop as many source packets as the listed repair
            // packets can replace while still leaving K + 2 symbols.
            std::vector<std::vector<uint8_t>> kept;
            size_t at = 0;
            for (const rqt::VectorBlock &block : c.blocks) {
                std::vector<size_t> sources;
                std::vector<size_t> repairs;
                for (const rqt::VectorSymbol &s : block.symbols) {
                    (s.esi < block.K ? sources : repairs).push_back(at);
                    at += packet_len;
                }
                REQUIRE(repairs.size() >= 2);
                std::shuffle(sources.begin(), sources.end(), rng);
                const size_t drop = std::min(sources.size(), repairs.size() - 2);
                sources.erase(sources.begin(), sources.begin() + static_cast<std::ptrdiff_t>(drop));
                for (size_t offset : sources) {
                    kept.emplace_back(file.begin() + offset, file.begin() + offset + packet_len);
                }
                for (size_t offset : repairs) {
                    kept.emplace_back(file.begin() + offset, file.begin() + offset + packet_len);
                }
            }
            std::shuffle(kept.begin(), kept.end(), rng);

            const std::vector<uint8_t> wire = rqt::hex_decode(c.oti_hex);
            rq_oti oti{};
            REQUIRE(rq_oti_parse(wire.data(), wire.size(), &oti) == RQ_OK);
            rqt::ObjectDecoder decoder = rqt::make_object_decoder(oti);
            for (const std::vector<uint8_t> &packet : kept) {
                rq_status st = rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size());
                CHECK((st == RQ_OK || st == RQ_ALREADY_DECODED));
            }
            REQUIRE(rqt::object_complete(decoder.get()));
            std::vector<uint8_t> out(static_cast<size_t>(c.F));
            REQUIRE(rq_object_decoder_data(decoder.get(), out.data(), out.size()) == RQ_OK);
            CHECK(out == rqt::splitmix_bytes(c.seed, static_cast<size_t>(c.F)));
        }
    }
    CHECK(ran >= 20);
}
