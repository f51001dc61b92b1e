// Malformed input of every kind gets its specific rq_status, and a rejected
// call leaves the object it was made on exactly as it was.
#include "rq_test.h"
#include "test_data.h"

#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

// 12-byte OTI wire form with any field values (and the reserved byte).
std::vector<uint8_t> oti_wire(uint64_t F, uint8_t reserved, uint32_t T, uint32_t Z, uint32_t N, uint32_t Al)
{
    return {uint8_t(F >> 32), uint8_t(F >> 24), uint8_t(F >> 16), uint8_t(F >> 8), uint8_t(F),
            reserved,         uint8_t(T >> 8),  uint8_t(T),       uint8_t(Z),      uint8_t(N >> 8),
            uint8_t(N),       uint8_t(Al)};
}

rq_oti oti_struct(uint64_t F, uint32_t T, uint32_t Z, uint32_t N, uint32_t Al)
{
    rq_oti oti{};
    oti.transfer_length = F;
    oti.symbol_size = T;
    oti.source_blocks = Z;
    oti.sub_blocks = N;
    oti.alignment = Al;
    return oti;
}

// rq_oti_parse must fail with `want` and leave its output untouched.
void check_parse_rejects(const std::vector<uint8_t> &wire, rq_status want)
{
    rq_oti out = oti_struct(111, 222, 3, 4, 5);
    CHECK(rq_oti_parse(wire.data(), wire.size(), &out) == want);
    CHECK(out.transfer_length == 111);
    CHECK(out.symbol_size == 222);
    CHECK(out.source_blocks == 3);
    CHECK(out.sub_blocks == 4);
    CHECK(out.alignment == 5);
}

// Every function that takes an OTI struct must reject it with `want`.
void check_struct_rejects(const rq_oti &oti, rq_status want)
{
    CHECK(rq_oti_validate(&oti) == want);
    uint8_t wire[RQ_OTI_SIZE];
    std::memset(wire, 0xA5, sizeof wire);
    CHECK(rq_oti_serialize(&oti, wire, sizeof wire) == want);
    for (uint8_t b : wire) {
        CHECK(b == 0xA5);
    }
    rq_object_layout layout{};
    CHECK(rq_oti_object_layout(&oti, &layout) == want);
    rq_block_layout block{};
    CHECK(rq_oti_block_layout(&oti, 0, &block) == want);
    rq_object_decoder *decoder = nullptr;
    CHECK(rq_object_decoder_create(&decoder, &oti) == want);
    CHECK(decoder == nullptr);
}

void check_object_encoder_rejects(const rq_oti &oti, rq_status want)
{
    std::vector<uint8_t> data(static_cast<size_t>(oti.transfer_length), 0x5A);
    rq_object_encoder *encoder = nullptr;
    CHECK(rq_object_encoder_create(&encoder, &oti, data.data(), data.size()) == want);
    CHECK(encoder == nullptr);
}

struct Snapshot {
    uint32_t held, needed;
};

Snapshot snapshot(const rq_decoder *decoder)
{
    return {rqt::held_count(decoder), rqt::needed_count(decoder)};
}

void check_unchanged(const rq_decoder *decoder, const Snapshot &before)
{
    const Snapshot now = snapshot(decoder);
    CHECK(now.held == before.held);
    CHECK(now.needed == before.needed);
}

bool statuses_equal(const rq_block_status &a, const rq_block_status &b)
{
    return a.source_symbols == b.source_symbols && a.held == b.held && a.needed == b.needed &&
           a.decoded == b.decoded;
}

const rq_status kAllStatuses[] = {
    RQ_OK,
    RQ_DUPLICATE,
    RQ_ALREADY_DECODED,
    RQ_ERR_INVALID_ARGUMENT,
    RQ_ERR_NO_MEMORY,
    RQ_ERR_TRANSFER_LENGTH,
    RQ_ERR_OTI_RESERVED,
    RQ_ERR_OTI_LENGTH,
    RQ_ERR_SYMBOL_SIZE,
    RQ_ERR_ALIGNMENT,
    RQ_ERR_SOURCE_BLOCKS,
    RQ_ERR_SUB_BLOCKS,
    RQ_ERR_BLOCK_TOO_LARGE,
    RQ_ERR_SYMBOL_COUNT,
    RQ_ERR_PACKET_SIZE,
    RQ_ERR_SYMBOL_LENGTH,
    RQ_ERR_SBN,
    RQ_ERR_ESI,
    RQ_ERR_BUFFER_SIZE,
    RQ_ERR_NEED_MORE_SYMBOLS,
    RQ_ERR_NOT_DECODED,
    RQ_ERR_PARAMETERS,
    RQ_ERR_BACKEND_UNAVAILABLE,
    RQ_ERR_INTERNAL,
    RQ_ERR_CONFIG,
    RQ_ERR_IO,
    RQ_ERR_EXISTS,
    RQ_ERR_LAYOUT,
    RQ_ERR_MEMORY_BUDGET,
    RQ_ERR_CORRUPT,
    RQ_ERR_BUSY,
    RQ_ERR_CANCELLED,
    RQ_ERR_UNDECODABLE,
    RQ_ERR_UNSUPPORTED,
};

} // namespace

TEST_CASE("a valid OTI is accepted, so the rejections below are about one field each")
{
    rq_oti out{};
    const std::vector<uint8_t> base = oti_wire(10000, 0, 64, 2, 2, 4);
    CHECK(rq_oti_parse(base.data(), base.size(), &out) == RQ_OK);
    const std::vector<uint8_t> largest_block = oti_wire(56403ull * 64, 0, 64, 1, 1, 4);
    CHECK(rq_oti_parse(largest_block.data(), largest_block.size(), &out) == RQ_OK);
    const std::vector<uint8_t> z_equals_kt = oti_wire(100, 0, 64, 2, 1, 4);
    CHECK(rq_oti_parse(z_equals_kt.data(), z_equals_kt.size(), &out) == RQ_OK);
    const std::vector<uint8_t> n_equals_units = oti_wire(10000, 0, 64, 2, 16, 4);
    CHECK(rq_oti_parse(n_equals_units.data(), n_equals_units.size(), &out) == RQ_OK);
}

TEST_CASE("malformed OTI wire forms are rejected with the error of the bad field")
{
    SECTION("F = 0")
    {
        check_parse_rejects(oti_wire(0, 0, 64, 2, 2, 4), RQ_ERR_TRANSFER_LENGTH);
    }
    SECTION("F above 946270874880")
    {
        check_parse_rejects(oti_wire(946270874881ull, 0, 64, 2, 2, 4), RQ_ERR_TRANSFER_LENGTH);
        check_parse_rejects(oti_wire(0xFFFFFFFFFFull, 0, 64, 2, 2, 4), RQ_ERR_TRANSFER_LENGTH);
    }
    SECTION("reserved byte not zero")
    {
        check_parse_rejects(oti_wire(10000, 1, 64, 2, 2, 4), RQ_ERR_OTI_RESERVED);
        check_parse_rejects(oti_wire(10000, 0x80, 64, 2, 2, 4), RQ_ERR_OTI_RESERVED);
    }
    SECTION("wrong length")
    {
        std::vector<uint8_t> wire = oti_wire(10000, 0, 64, 2, 2, 4);
        std::vector<uint8_t> shorter(wire.begin(), wire.end() - 1);
        std::vector<uint8_t> longer = wire;
        longer.push_back(0);
        check_parse_rejects(shorter, RQ_ERR_OTI_LENGTH);
        check_parse_rejects(longer, RQ_ERR_OTI_LENGTH);
        rq_oti out{};
        CHECK(rq_oti_parse(wire.data(), 0, &out) == RQ_ERR_OTI_LENGTH);
    }
    SECTION("T = 0")
    {
        check_parse_rejects(oti_wire(10000, 0, 0, 2, 2, 4), RQ_ERR_SYMBOL_SIZE);
    }
    SECTION("Al = 0")
    {
        check_parse_rejects(oti_wire(10000, 0, 64, 2, 2, 0), RQ_ERR_ALIGNMENT);
    }
    SECTION("T not a multiple of Al")
    {
        check_parse_rejects(oti_wire(10000, 0, 64, 2, 2, 3), RQ_ERR_ALIGNMENT);
        check_parse_rejects(oti_wire(10000, 0, 64, 2, 2, 128), RQ_ERR_ALIGNMENT);
    }
    SECTION("Z = 0")
    {
        check_parse_rejects(oti_wire(10000, 0, 64, 0, 2, 4), RQ_ERR_SOURCE_BLOCKS);
    }
    SECTION("Z above the number of symbols")
    {
        check_parse_rejects(oti_wire(100, 0, 64, 3, 1, 4), RQ_ERR_SOURCE_BLOCKS);
        check_parse_rejects(oti_wire(1, 0, 8, 2, 1, 8), RQ_ERR_SOURCE_BLOCKS);
    }
    SECTION("N = 0")
    {
        check_parse_rejects(oti_wire(10000, 0, 64, 2, 0, 4), RQ_ERR_SUB_BLOCKS);
    }
    SECTION("N above T/Al")
    {
        check_parse_rejects(oti_wire(10000, 0, 64, 2, 17, 4), RQ_ERR_SUB_BLOCKS);
        check_parse_rejects(oti_wire(10000, 0, 64, 2, 65535, 4), RQ_ERR_SUB_BLOCKS);
    }
    SECTION("a source block above 56403 symbols")
    {
        check_parse_rejects(oti_wire(56404ull * 64, 0, 64, 1, 1, 4), RQ_ERR_BLOCK_TOO_LARGE);
        check_parse_rejects(oti_wire(56403ull * 64 + 1, 0, 64, 1, 1, 4), RQ_ERR_BLOCK_TOO_LARGE);
        check_parse_rejects(oti_wire(946270874880ull, 0, 64, 1, 1, 4), RQ_ERR_BLOCK_TOO_LARGE);
        check_parse_rejects(oti_wire(946270874880ull, 0, 65528, 255, 1, 8), RQ_ERR_BLOCK_TOO_LARGE);
    }
}

TEST_CASE("OTI structs out of the wire ranges are rejected by every function taking one")
{
    SECTION("F above 946270874880")
    {
        check_struct_rejects(oti_struct(946270874881ull, 64, 1, 1, 4), RQ_ERR_TRANSFER_LENGTH);
        check_struct_rejects(oti_struct(1ull << 40, 64, 1, 1, 4), RQ_ERR_TRANSFER_LENGTH);
        check_struct_rejects(oti_struct(0, 64, 1, 1, 4), RQ_ERR_TRANSFER_LENGTH);
    }
    SECTION("Z = 300")
    {
        const rq_oti oti = oti_struct(1000000, 64, 300, 1, 4);
        check_struct_rejects(oti, RQ_ERR_SOURCE_BLOCKS);
        check_object_encoder_rejects(oti, RQ_ERR_SOURCE_BLOCKS);
    }
    SECTION("T = 70000")
    {
        const rq_oti oti = oti_struct(1000000, 70000, 1, 1, 8);
        check_struct_rejects(oti, RQ_ERR_SYMBOL_SIZE);
        check_object_encoder_rejects(oti, RQ_ERR_SYMBOL_SIZE);
    }
    SECTION("Al = 256")
    {
        const rq_oti oti = oti_struct(100000, 512, 1, 1, 256);
        check_struct_rejects(oti, RQ_ERR_ALIGNMENT);
        check_object_encoder_rejects(oti, RQ_ERR_ALIGNMENT);
    }
    SECTION("N above T/Al")
    {
        const rq_oti oti = oti_struct(100000, 512, 1, 65, 8);
        check_struct_rejects(oti, RQ_ERR_SUB_BLOCKS);
        check_object_encoder_rejects(oti, RQ_ERR_SUB_BLOCKS);
    }
    SECTION("one source block of more than 56403 symbols")
    {
        const rq_oti oti = oti_struct(56404ull * 16, 16, 1, 1, 4);
        check_struct_rejects(oti, RQ_ERR_BLOCK_TOO_LARGE);
        check_object_encoder_rejects(oti, RQ_ERR_BLOCK_TOO_LARGE);
    }
}

TEST_CASE("OTI serialization into a buffer of the wrong size is refused")
{
    const rq_oti oti = oti_struct(10000, 64, 2, 2, 4);
    uint8_t out[RQ_OTI_SIZE + 1];
    std::memset(out, 0xA5, sizeof out);
    CHECK(rq_oti_serialize(&oti, out, RQ_OTI_SIZE - 1) == RQ_ERR_BUFFER_SIZE);
    CHECK(rq_oti_serialize(&oti, out, RQ_OTI_SIZE + 1) == RQ_ERR_BUFFER_SIZE);
    for (uint8_t b : out) {
        CHECK(b == 0xA5);
    }
}

TEST_CASE("block layout of a block number not below Z is refused")
{
    const rq_oti oti = oti_struct(10000, 64, 2, 2, 4);
    rq_block_layout layout{};
    CHECK(rq_oti_block_layout(&oti, 2, &layout) == RQ_ERR_SBN);
    CHECK(rq_oti_block_layout(&oti, 255, &layout) == RQ_ERR_SBN);
}

TEST_CASE("OTI derivation rejects impossible requests")
{
    rq_oti out = oti_struct(111, 222, 3, 4, 5);
    CHECK(rq_oti_with_defaults(0, 1280, &out) == RQ_ERR_TRANSFER_LENGTH);
    CHECK(rq_oti_with_defaults(946270874881ull, 1280, &out) == RQ_ERR_TRANSFER_LENGTH);
    // 946270874880 bytes in 64-byte symbols needs far more than 255 blocks.
    CHECK(rq_oti_with_defaults(946270874880ull, 64, &out) == RQ_ERR_PARAMETERS);
    CHECK(rq_oti_derive(10000, 1280, 10485760, 0, 8, &out) == RQ_ERR_ALIGNMENT);
    CHECK(rq_oti_derive(10000, 0, 10485760, 8, 8, &out) == RQ_ERR_SYMBOL_SIZE);
    CHECK(rq_oti_derive(10000, 1280, 10485760, 8, 0, &out) == RQ_ERR_PARAMETERS);
    // No Table 2 entry fits in 8 bytes of working memory.
    CHECK(rq_oti_derive(10000, 1280, 8, 8, 8, &out) == RQ_ERR_PARAMETERS);
    // Sub-symbol minimums whose product with Al wraps in 32 bits: to 0 (it
    // divided by zero, SIGFPE) and to 16 (it derived from a bogus minimum).
    CHECK(rq_oti_derive(10000, 1280, 10485760, 8, 0x20000000u, &out) == RQ_ERR_PARAMETERS);
    CHECK(rq_oti_derive(10000, 1280, 10485760, 16, 0x10000001u, &out) == RQ_ERR_PARAMETERS);
    CHECK(rq_oti_derive(35141898496ull, 65535, 10485760, 255, 0xFFFFFFFFu, &out) == RQ_ERR_PARAMETERS);
    CHECK(out.transfer_length == 111);
    CHECK(out.symbol_size == 222);
}

TEST_CASE("payload IDs out of range are refused")
{
    uint8_t id[RQ_PAYLOAD_ID_SIZE];
    std::memset(id, 0xA5, sizeof id);
    CHECK(rq_payload_id_write(256, 0, id, sizeof id) == RQ_ERR_SBN);
    CHECK(rq_payload_id_write(0, RQ_MAX_ESI + 1, id, sizeof id) == RQ_ERR_ESI);
    CHECK(rq_payload_id_write(0, 0, id, RQ_PAYLOAD_ID_SIZE - 1) == RQ_ERR_BUFFER_SIZE);
    for (uint8_t b : id) {
        CHECK(b == 0xA5);
    }
    uint32_t sbn = 7, esi = 7;
    CHECK(rq_payload_id_read(id, RQ_PAYLOAD_ID_SIZE - 1, &sbn, &esi) == RQ_ERR_PACKET_SIZE);
    CHECK(sbn == 7);
    CHECK(esi == 7);
}

TEST_CASE("block constants for K = 0 and K above 56403 are refused")
{
    rq_block_constants c{};
    CHECK(rq_block_constants_for(0, &c) == RQ_ERR_SYMBOL_COUNT);
    CHECK(rq_block_constants_for(RQ_MAX_SOURCE_SYMBOLS + 1, &c) == RQ_ERR_SYMBOL_COUNT);
}

TEST_CASE("encoder and decoder creation reject a bad symbol count or size")
{
    std::vector<uint8_t> source(16 * 10, 1);
    rq_encoder *encoder = nullptr;
    rq_decoder *decoder = nullptr;

    CHECK(rq_encoder_create(&encoder, 0, 16, source.data(), 0) == RQ_ERR_SYMBOL_COUNT);
    CHECK(rq_decoder_create(&decoder, 0, 16) == RQ_ERR_SYMBOL_COUNT);
    CHECK(rq_decoder_create(&decoder, RQ_MAX_SOURCE_SYMBOLS + 1, 16) == RQ_ERR_SYMBOL_COUNT);
    {
        std::vector<uint8_t> big(size_t(RQ_MAX_SOURCE_SYMBOLS + 1) * 1, 2);
        CHECK(rq_encoder_create(&encoder, RQ_MAX_SOURCE_SYMBOLS + 1, 1, big.data(), big.size()) ==
              RQ_ERR_SYMBOL_COUNT);
    }
    CHECK(rq_encoder_create(&encoder, 10, 0, source.data(), 0) == RQ_ERR_SYMBOL_SIZE);
    CHECK(rq_decoder_create(&decoder, 10, 0) == RQ_ERR_SYMBOL_SIZE);
    CHECK(rq_decoder_create(&decoder, 10, RQ_MAX_SYMBOL_SIZE + 1) == RQ_ERR_SYMBOL_SIZE);

    // Source of the wrong length.
    rq_status st = rq_encoder_create(&encoder, 10, 16, source.data(), source.size() - 1);
    CHECK((st == RQ_ERR_BUFFER_SIZE || st == RQ_ERR_INVALID_ARGUMENT));
    st = rq_encoder_create(&encoder, 9, 16, source.data(), source.size());
    CHECK((st == RQ_ERR_BUFFER_SIZE || st == RQ_ERR_INVALID_ARGUMENT));

    CHECK(encoder == nullptr);
    CHECK(decoder == nullptr);
}

TEST_CASE("object encoder creation rejects data of the wrong length")
{
    const rq_oti oti = oti_struct(1000, 16, 2, 1, 4);
    std::vector<uint8_t> data(1001, 3);
    rq_object_encoder *encoder = nullptr;
    rq_status st = rq_object_encoder_create(&encoder, &oti, data.data(), 999);
    CHECK((st == RQ_ERR_BUFFER_SIZE || st == RQ_ERR_INVALID_ARGUMENT));
    st = rq_object_encoder_create(&encoder, &oti, data.data(), 1001);
    CHECK((st == RQ_ERR_BUFFER_SIZE || st == RQ_ERR_INVALID_ARGUMENT));
    CHECK(encoder == nullptr);
}

TEST_CASE("encoder refuses an ESI of 2^24 or more and a wrong output size")
{
    const uint32_t K = 10;
    const size_t T = 16;
    const std::vector<uint8_t> source = rqt::splitmix_bytes(1, K * T);
    rqt::Encoder encoder = rqt::make_encoder(K, T, source);
    const std::vector<uint8_t> before = rqt::encoder_symbol(encoder.get(), 25, T);
    std::vector<uint8_t> out(T + 1, 0xA5);
    CHECK(rq_encoder_symbol(encoder.get(), RQ_MAX_ESI + 1, out.data(), T) == RQ_ERR_ESI);
    CHECK(rq_encoder_symbol(encoder.get(), 0xFFFFFFFFu, out.data(), T) == RQ_ERR_ESI);
    CHECK(rq_encoder_symbol(encoder.get(), 25, out.data(), T - 1) == RQ_ERR_BUFFER_SIZE);
    CHECK(rq_encoder_symbol(encoder.get(), 25, out.data(), T + 1) == RQ_ERR_BUFFER_SIZE);
    CHECK(rq_encoder_symbol(encoder.get(), 25, out.data(), 0) == RQ_ERR_BUFFER_SIZE);
    CHECK(out == std::vector<uint8_t>(T + 1, 0xA5));
    CHECK(rqt::encoder_symbol(encoder.get(), 25, T) == before);
}

TEST_CASE("decoder refuses bad symbols and keeps its state")
{
    const uint32_t K = 10;
    const size_t T = 16;
    const std::vector<uint8_t> source = rqt::splitmix_bytes(2, K * T);
    rqt::Encoder encoder = rqt::make_encoder(K, T, source);
    rqt::Decoder decoder = rqt::make_decoder(K, T);
    for (uint32_t esi = 0; esi < 5; esi++) {
        const std::vector<uint8_t> sym = rqt::encoder_symbol(encoder.get(), esi + 100, T);
        REQUIRE(rq_decoder_add_symbol(decoder.get(), esi + 100, sym.data(), T) == RQ_OK);
    }
    const Snapshot before = snapshot(decoder.get());

    const std::vector<uint8_t> sym = rqt::encoder_symbol(encoder.get(), 3, T);
    std::vector<uint8_t> longer = sym;
    longer.push_back(0);
    CHECK(rq_decoder_add_symbol(decoder.get(), RQ_MAX_ESI + 1, sym.data(), T) == RQ_ERR_ESI);
    CHECK(rq_decoder_add_symbol(decoder.get(), 0xFFFFFFFFu, sym.data(), T) == RQ_ERR_ESI);
    CHECK(rq_decoder_add_symbol(decoder.get(), 3, sym.data(), T - 1) == RQ_ERR_SYMBOL_LENGTH);
    CHECK(rq_decoder_add_symbol(decoder.get(), 3, longer.data(), T + 1) == RQ_ERR_SYMBOL_LENGTH);
    CHECK(rq_decoder_add_symbol(decoder.get(), 3, sym.data(), 0) == RQ_ERR_SYMBOL_LENGTH);
    CHECK(rq_decoder_add_symbol(decoder.get(), 3, nullptr, T) == RQ_ERR_INVALID_ARGUMENT);
    check_unchanged(decoder.get(), before);

    // The refused ESI 3 was not recorded: adding it properly is not a duplicate.
    CHECK(rq_decoder_add_symbol(decoder.get(), 3, sym.data(), T) == RQ_OK);
    for (uint32_t esi = 0; esi < 7; esi++) {
        if (esi == 3) {
            continue;
        }
        const std::vector<uint8_t> s = rqt::encoder_symbol(encoder.get(), esi, T);
        REQUIRE(rq_decoder_add_symbol(decoder.get(), esi, s.data(), T) == RQ_OK);
    }
    std::vector<uint8_t> out(K * T);
    CHECK(rq_decoder_source(decoder.get(), out.data(), out.size()) == RQ_ERR_NOT_DECODED);
    REQUIRE(rq_decoder_decode(decoder.get()) == RQ_OK);
    CHECK(rq_decoder_source(decoder.get(), out.data(), out.size() - 1) == RQ_ERR_BUFFER_SIZE);
    CHECK(rq_decoder_source(decoder.get(), out.data(), out.size() + 1) == RQ_ERR_BUFFER_SIZE);
    REQUIRE(rq_decoder_source(decoder.get(), out.data(), out.size()) == RQ_OK);
    CHECK(out == source);
}

TEST_CASE("object decoder refuses bad packets and keeps its state")
{
    // Two blocks of 32 and 31 symbols of 16 bytes.
    const rq_oti oti = oti_struct(1000, 16, 2, 1, 4);
    const std::vector<uint8_t> data = rqt::splitmix_bytes(3, 1000);
    rqt::ObjectEncoder encoder = rqt::make_object_encoder(oti, data);
    rqt::ObjectDecoder decoder = rqt::make_object_decoder(oti);
    for (uint32_t esi = 0; esi < 10; esi++) {
        const std::vector<uint8_t> packet = rqt::object_packet(encoder.get(), 0, esi + 40, 16);
        REQUIRE(rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size()) == RQ_OK);
    }
    const rq_block_status before0 = rqt::block_status(decoder.get(), 0);
    const rq_block_status before1 = rqt::block_status(decoder.get(), 1);
    REQUIRE(before0.held == 10);

    std::vector<uint8_t> packet = rqt::object_packet(encoder.get(), 0, 5, 16);
    std::vector<uint8_t> longer = packet;
    longer.push_back(0);
    CHECK(rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size() - 1) == RQ_ERR_PACKET_SIZE);
    CHECK(rq_object_decoder_add_packet(decoder.get(), longer.data(), longer.size()) == RQ_ERR_PACKET_SIZE);
    CHECK(rq_object_decoder_add_packet(decoder.get(), packet.data(), 4) == RQ_ERR_PACKET_SIZE);
    CHECK(rq_object_decoder_add_packet(decoder.get(), packet.data(), 3) == RQ_ERR_PACKET_SIZE);
    CHECK(rq_object_decoder_add_packet(decoder.get(), packet.data(), 0) == RQ_ERR_PACKET_SIZE);
    CHECK(rq_object_decoder_add_packet(decoder.get(), nullptr, packet.size()) == RQ_ERR_INVALID_ARGUMENT);
    std::vector<uint8_t> bad_sbn = packet;
    bad_sbn[0] = 2;
    CHECK(rq_object_decoder_add_packet(decoder.get(), bad_sbn.data(), bad_sbn.size()) == RQ_ERR_SBN);
    bad_sbn[0] = 255;
    CHECK(rq_object_decoder_add_packet(decoder.get(), bad_sbn.data(), bad_sbn.size()) == RQ_ERR_SBN);

    rq_block_status status{};
    CHECK(rq_object_decoder_block_status(decoder.get(), 2, &status) == RQ_ERR_SBN);
    CHECK(statuses_equal(rqt::block_status(decoder.get(), 0), before0));
    CHECK(statuses_equal(rqt::block_status(decoder.get(), 1), before1));
    CHECK_FALSE(rqt::object_complete(decoder.get()));

    // The refused ESI 5 was not recorded; the object still decodes.
    CHECK(rq_object_decoder_add_packet(decoder.get(), packet.data(), packet.size()) == RQ_OK);
    for (uint32_t sbn = 0; sbn < 2; sbn++) {
        for (uint32_t esi = 0; esi < 32; esi++) {
            const std::vector<uint8_t> p = rqt::object_packet(encoder.get(), sbn, esi, 16);
            rq_status st = rq_object_decoder_add_packet(decoder.get(), p.data(), p.size());
            CHECK((st == RQ_OK || st == RQ_DUPLICATE || st == RQ_ALREADY_DECODED));
        }
    }
    REQUIRE(rqt::object_complete(decoder.get()));
    std::vector<uint8_t> out(1001);
    CHECK(rq_object_decoder_data(decoder.get(), out.data(), 999) == RQ_ERR_BUFFER_SIZE);
    CHECK(rq_object_decoder_data(decoder.get(), out.data(), 1001) == RQ_ERR_BUFFER_SIZE);
    REQUIRE(rq_object_decoder_data(decoder.get(), out.data(), 1000) == RQ_OK);
    out.resize(1000);
    CHECK(out == data);
}

TEST_CASE("object encoder refuses a bad block number, ESI or packet size")
{
    const rq_oti oti = oti_struct(1000, 16, 2, 1, 4);
    const std::vector<uint8_t> data = rqt::splitmix_bytes(4, 1000);
    rqt::ObjectEncoder encoder = rqt::make_object_encoder(oti, data);
    const std::vector<uint8_t> before = rqt::object_packet(encoder.get(), 1, 77, 16);
    std::vector<uint8_t> packet(4 + 16 + 1, 0xA5);
    CHECK(rq_object_encoder_packet(encoder.get(), 2, 0, packet.data(), 20) == RQ_ERR_SBN);
    CHECK(rq_object_encoder_packet(encoder.get(), 256, 0, packet.data(), 20) == RQ_ERR_SBN);
    CHECK(rq_object_encoder_packet(encoder.get(), 0, RQ_MAX_ESI + 1, packet.data(), 20) == RQ_ERR_ESI);
    CHECK(rq_object_encoder_packet(encoder.get(), 0, 0, packet.data(), 19) == RQ_ERR_BUFFER_SIZE);
    CHECK(rq_object_encoder_packet(encoder.get(), 0, 0, packet.data(), 21) == RQ_ERR_BUFFER_SIZE);
    CHECK(rq_object_encoder_packet(encoder.get(), 0, 0, packet.data(), 16) == RQ_ERR_BUFFER_SIZE);
    CHECK(packet == std::vector<uint8_t>(21, 0xA5));
    CHECK(rqt::object_packet(encoder.get(), 1, 77, 16) == before);
}

TEST_CASE("OTI and payload ID functions refuse NULL pointers")
{
    const rq_oti oti = oti_struct(1000, 16, 2, 1, 4);
    const std::vector<uint8_t> wire = oti_wire(1000, 0, 16, 2, 1, 4);
    uint8_t buf[RQ_OTI_SIZE] = {0};
    rq_oti oti_out{};
    rq_object_layout layout{};
    rq_block_layout block{};
    uint32_t u32 = 0;
    const auto invalid = RQ_ERR_INVALID_ARGUMENT;

    CHECK(rq_version(nullptr) == invalid);
    CHECK(rq_context_backend(nullptr, nullptr) == invalid);
    CHECK(rq_context_backend(rqt::default_context(), nullptr) == invalid);
    CHECK(rq_oti_validate(nullptr) == invalid);
    CHECK(rq_oti_serialize(nullptr, buf, RQ_OTI_SIZE) == invalid);
    CHECK(rq_oti_serialize(&oti, nullptr, RQ_OTI_SIZE) == invalid);
    CHECK(rq_oti_parse(nullptr, RQ_OTI_SIZE, &oti_out) == invalid);
    CHECK(rq_oti_parse(wire.data(), wire.size(), nullptr) == invalid);
    CHECK(rq_oti_derive(1000, 1280, 10485760, 8, 8, nullptr) == invalid);
    CHECK(rq_oti_with_defaults(1000, 1280, nullptr) == invalid);
    CHECK(rq_oti_object_layout(nullptr, &layout) == invalid);
    CHECK(rq_oti_object_layout(&oti, nullptr) == invalid);
    CHECK(rq_oti_block_layout(nullptr, 0, &block) == invalid);
    CHECK(rq_block_constants_for(10, nullptr) == invalid);
    CHECK(rq_payload_id_write(0, 0, nullptr, 4) == invalid);
    CHECK(rq_payload_id_read(nullptr, 4, &u32, &u32) == invalid);
    CHECK(rq_payload_id_read(buf, 4, nullptr, &u32) == invalid);
    CHECK(rq_payload_id_read(buf, 4, &u32, nullptr) == invalid);
}

TEST_CASE("block layout refuses a NULL output")
{
    const rq_oti oti = oti_struct(1000, 16, 2, 1, 4);
    CHECK(rq_oti_block_layout(&oti, 0, nullptr) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("block encoder and decoder refuse NULL pointers and stay usable")
{
    const std::vector<uint8_t> source = rqt::splitmix_bytes(5, 10 * 16);
    rqt::Encoder encoder = rqt::make_encoder(10, 16, source);
    rqt::Decoder decoder = rqt::make_decoder(10, 16);
    uint8_t buf[160] = {0};
    uint32_t u32 = 0;
    rq_encoder *enc_out = nullptr;
    const auto invalid = RQ_ERR_INVALID_ARGUMENT;

    CHECK(rq_encoder_create(nullptr, 10, 16, source.data(), source.size()) == invalid);
    CHECK(rq_encoder_create(&enc_out, 10, 16, nullptr, source.size()) == invalid);
    CHECK(rq_encoder_symbol(nullptr, 0, buf, 16) == invalid);
    CHECK(rq_encoder_symbol(encoder.get(), 0, nullptr, 16) == invalid);
    CHECK(rq_decoder_create(nullptr, 10, 16) == invalid);
    CHECK(rq_decoder_add_symbol(nullptr, 0, buf, 16) == invalid);
    CHECK(rq_decoder_add_symbol(decoder.get(), 0, nullptr, 16) == invalid);
    CHECK(rq_decoder_symbols_needed(nullptr, &u32) == invalid);
    CHECK(rq_decoder_symbols_needed(decoder.get(), nullptr) == invalid);
    CHECK(rq_decoder_symbols_held(nullptr, &u32) == invalid);
    CHECK(rq_decoder_symbols_held(decoder.get(), nullptr) == invalid);
    CHECK(rq_decoder_decode(nullptr) == invalid);
    CHECK(rq_decoder_source(nullptr, buf, 160) == invalid);
    CHECK(rq_decoder_source(decoder.get(), nullptr, 160) == invalid);
    CHECK(enc_out == nullptr);

    CHECK(rqt::held_count(decoder.get()) == 0);
    CHECK(rqt::needed_count(decoder.get()) == 10);
    CHECK(rqt::encoder_symbol(encoder.get(), 0, 16) == std::vector<uint8_t>(source.begin(), source.begin() + 16));
}

TEST_CASE("object encoder and decoder refuse NULL pointers and stay usable")
{
    const rq_oti oti = oti_struct(1000, 16, 2, 1, 4);
    const std::vector<uint8_t> data = rqt::splitmix_bytes(6, 1000);
    rqt::ObjectEncoder object_encoder = rqt::make_object_encoder(oti, data);
    rqt::ObjectDecoder object_decoder = rqt::make_object_decoder(oti);
    uint8_t buf[1000] = {0};
    rq_block_status status{};
    int complete = 0;
    rq_object_encoder *oenc_out = nullptr;
    rq_object_decoder *odec_out = nullptr;
    const auto invalid = RQ_ERR_INVALID_ARGUMENT;

    CHECK(rq_object_encoder_create(nullptr, &oti, data.data(), data.size()) == invalid);
    CHECK(rq_object_encoder_create(&oenc_out, nullptr, data.data(), data.size()) == invalid);
    CHECK(rq_object_encoder_create(&oenc_out, &oti, nullptr, data.size()) == invalid);
    CHECK(rq_object_encoder_packet(nullptr, 0, 0, buf, 20) == invalid);
    CHECK(rq_object_encoder_packet(object_encoder.get(), 0, 0, nullptr, 20) == invalid);
    CHECK(rq_object_decoder_create(nullptr, &oti) == invalid);
    CHECK(rq_object_decoder_create(&odec_out, nullptr) == invalid);
    CHECK(rq_object_decoder_add_packet(nullptr, buf, 20) == invalid);
    CHECK(rq_object_decoder_add_packet(object_decoder.get(), nullptr, 20) == invalid);
    CHECK(rq_object_decoder_block_status(nullptr, 0, &status) == invalid);
    CHECK(rq_object_decoder_block_status(object_decoder.get(), 0, nullptr) == invalid);
    CHECK(rq_object_decoder_complete(nullptr, &complete) == invalid);
    CHECK(rq_object_decoder_complete(object_decoder.get(), nullptr) == invalid);
    CHECK(rq_object_decoder_data(nullptr, buf, 1000) == invalid);
    CHECK(rq_object_decoder_data(object_decoder.get(), nullptr, 1000) == invalid);
    CHECK(oenc_out == nullptr);
    CHECK(odec_out == nullptr);

    CHECK(rqt::block_status(object_decoder.get(), 0).held == 0);
    CHECK(rqt::object_packet(object_encoder.get(), 0, 0, 16) ==
          rqt::object_packet(object_encoder.get(), 0, 0, 16));
}

TEST_CASE("destroying NULL is harmless")
{
    // Like free(NULL): nothing to release. The status is not pinned by rq.h.
    rq_status st = rq_encoder_destroy(nullptr);
    CHECK((st == RQ_OK || st == RQ_ERR_INVALID_ARGUMENT));
    st = rq_decoder_destroy(nullptr);
    CHECK((st == RQ_OK || st == RQ_ERR_INVALID_ARGUMENT));
    st = rq_object_encoder_destroy(nullptr);
    CHECK((st == RQ_OK || st == RQ_ERR_INVALID_ARGUMENT));
    st = rq_object_decoder_destroy(nullptr);
    CHECK((st == RQ_OK || st == RQ_ERR_INVALID_ARGUMENT));
}

TEST_CASE("every status has a distinct non-empty name and description")
{
    std::set<std::string> names;
    std::set<std::string> texts;
    for (rq_status status : kAllStatuses) {
        const char *name = rq_status_name(status);
        const char *text = rq_strerror(status);
        REQUIRE(name != nullptr);
        REQUIRE(text != nullptr);
        CAPTURE(int(status), name);
        CHECK(std::string(name).rfind("RQ_", 0) == 0);
        CHECK(std::string(text).size() > 0);
        CHECK(names.insert(name).second);
        CHECK(texts.insert(text).second);
    }
    CHECK(std::string(rq_status_name(RQ_ERR_ESI)) == "RQ_ERR_ESI");
    CHECK(std::string(rq_status_name(RQ_OK)) == "RQ_OK");
    CHECK(std::string(rq_status_name(RQ_ERR_INTERNAL)) == "RQ_ERR_INTERNAL");
    const rq_status unknown = static_cast<rq_status>(99);
    CHECK(std::string(rq_status_name(unknown)) == "RQ_UNKNOWN");
    REQUIRE(rq_strerror(unknown) != nullptr);
    CHECK(std::string(rq_strerror(unknown)).size() > 0);
}
