// OTI wire form, the §4.3 parameter derivation, object/block layout
// (§4.4.1.2), per-block constants (§5.3.3.3) and the payload ID (§3.2).
#include "rq_test.h"
#include "test_data.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

rq_oti oti_of(const rqt::VectorCase &c)
{
    rq_oti oti{};
    oti.transfer_length = c.F;
    oti.symbol_size = c.T;
    oti.source_blocks = c.Z;
    oti.sub_blocks = c.N;
    oti.alignment = c.Al;
    return oti;
}

const rqt::VectorCase &find_case(const std::vector<rqt::VectorCase> &cases, const std::string &name)
{
    for (const rqt::VectorCase &c : cases) {
        if (c.name == name) {
            return c;
        }
    }
    FAIL("no vector case named " << name);
    throw; // not reached
}

struct Partition {
    uint64_t il, is, jl, js;
};

// Partition[I, J] exactly as RFC 6330 §4.4.1.2 writes it.
Partition partition(uint64_t items, uint64_t parts)
{
    Partition p;
    p.il = (items + parts - 1) / parts;
    p.is = items / parts;
    p.jl = items - p.is * parts;
    p.js = parts - p.jl;
    return p;
}

bool is_prime(uint32_t n)
{
    if (n < 2) {
        return false;
    }
    for (uint32_t d = 2; d * d <= n; d++) {
        if (n % d == 0) {
            return false;
        }
    }
    return true;
}

rq_block_constants expected_constants(const std::vector<rqt::Table2Row> &table, uint32_t K)
{
    for (const rqt::Table2Row &row : table) {
        if (row.K_prime >= K) {
            rq_block_constants c{};
            c.K = K;
            c.K_prime = row.K_prime;
            c.J = row.J;
            c.S = row.S;
            c.H = row.H;
            c.W = row.W;
            c.L = row.K_prime + row.S + row.H;
            c.P = c.L - row.W;
            c.U = c.P - row.H;
            c.B = row.W - row.S;
            c.P1 = c.P;
            while (!is_prime(c.P1)) {
                c.P1++;
            }
            return c;
        }
    }
    FAIL("K " << K << " is beyond Table 2");
    throw; // not reached
}

void check_constants(const rq_block_constants &got, const rq_block_constants &want)
{
    CHECK(got.K == want.K);
    CHECK(got.K_prime == want.K_prime);
    CHECK(got.J == want.J);
    CHECK(got.S == want.S);
    CHECK(got.H == want.H);
    CHECK(got.W == want.W);
    CHECK(got.L == want.L);
    CHECK(got.P == want.P);
    CHECK(got.U == want.U);
    CHECK(got.B == want.B);
    CHECK(got.P1 == want.P1);
}

} // namespace

TEST_CASE("every vector OTI parses to its fields and serializes back to the same bytes")
{
    for (const rqt::VectorCase &c : rqt::load_cases()) {
        CAPTURE(c.name);
        std::vector<uint8_t> wire = rqt::hex_decode(c.oti_hex);
        REQUIRE(wire.size() == RQ_OTI_SIZE);

        rq_oti parsed{};
        REQUIRE(rq_oti_parse(wire.data(), wire.size(), &parsed) == RQ_OK);
        CHECK(parsed.transfer_length == c.F);
        CHECK(parsed.symbol_size == c.T);
        CHECK(parsed.source_blocks == c.Z);
        CHECK(parsed.sub_blocks == c.N);
        CHECK(parsed.alignment == c.Al);
        CHECK(rq_oti_validate(&parsed) == RQ_OK);

        uint8_t out[RQ_OTI_SIZE] = {0};
        REQUIRE(rq_oti_serialize(&parsed, out, sizeof out) == RQ_OK);
        CHECK(rqt::hex_encode(out, sizeof out) == c.oti_hex);
    }
}

TEST_CASE("OTI wire form is big-endian F, a zero byte, T, Z, N and Al")
{
    rq_oti oti{};
    oti.transfer_length = 0x0102030405ull;
    oti.symbol_size = 0xFFF0;
    oti.source_blocks = 0x09;
    oti.sub_blocks = 0x0102;
    oti.alignment = 0x04;
    // 66052 symbols in 9 blocks; T/Al = 16380 sub-symbol units for N = 258.
    uint8_t out[RQ_OTI_SIZE];
    REQUIRE(rq_oti_serialize(&oti, out, sizeof out) == RQ_OK);
    CHECK(rqt::hex_encode(out, sizeof out) == "010203040500fff009010204");
}

TEST_CASE("with_defaults derives the OTI recorded in the vectors")
{
    int checked = 0;
    for (const rqt::VectorCase &c : rqt::load_cases()) {
        unsigned long long F = 0;
        unsigned P = 0;
        if (std::sscanf(c.oti_from.c_str(), "with_defaults(%llu, max_packet_size=%u)", &F, &P) != 2) {
            continue;
        }
        CAPTURE(c.name);
        REQUIRE(F == c.F);
        rq_oti oti{};
        REQUIRE(rq_oti_with_defaults(F, P, &oti) == RQ_OK);
        CHECK(oti.transfer_length == c.F);
        CHECK(oti.symbol_size == c.T);
        CHECK(oti.source_blocks == c.Z);
        CHECK(oti.sub_blocks == c.N);
        CHECK(oti.alignment == c.Al);

        // with_defaults is derive with Al = SS = 8 and WS = 10 MiB for P >= 64.
        rq_oti derived{};
        REQUIRE(rq_oti_derive(F, P, 10485760u, 8, 8, &derived) == RQ_OK);
        CHECK(derived.symbol_size == oti.symbol_size);
        CHECK(derived.source_blocks == oti.source_blocks);
        CHECK(derived.sub_blocks == oti.sub_blocks);
        CHECK(derived.alignment == oti.alignment);
        checked++;
    }
    CHECK(checked == 5);
}

TEST_CASE("with_defaults uses alignment 1 for payloads below 64 bytes")
{
    rq_oti oti{};
    REQUIRE(rq_oti_with_defaults(1000, 13, &oti) == RQ_OK);
    CHECK(oti.symbol_size == 13);
    CHECK(oti.alignment == 1);
    CHECK(oti.source_blocks == 1);
    CHECK(oti.sub_blocks == 1);
}

TEST_CASE("derive splits a large object into several source blocks when working memory is small")
{
    // 64 KiB of working memory and 1024-byte symbols: KL(N_max) is small, so Z > 1.
    rq_oti oti{};
    REQUIRE(rq_oti_derive(10000000, 1024, 65536, 8, 8, &oti) == RQ_OK);
    CHECK(oti.symbol_size == 1024);
    CHECK(oti.source_blocks > 1);
    CHECK(rq_oti_validate(&oti) == RQ_OK);
    rq_object_layout layout{};
    REQUIRE(rq_oti_object_layout(&oti, &layout) == RQ_OK);
    CHECK(layout.large_block_symbols <= RQ_MAX_SOURCE_SYMBOLS);
}

TEST_CASE("object layout of the uneven multi-block vector matches the README")
{
    const std::vector<rqt::VectorCase> cases = rqt::load_cases();
    const rqt::VectorCase &c = find_case(cases, "z7_uneven_t64");
    rq_oti oti = oti_of(c);
    rq_object_layout layout{};
    REQUIRE(rq_oti_object_layout(&oti, &layout) == RQ_OK);
    CHECK(layout.symbols == 1563);
    CHECK(layout.large_blocks == 2);
    CHECK(layout.large_block_symbols == 224);
    CHECK(layout.small_blocks == 5);
    CHECK(layout.small_block_symbols == 223);
}

TEST_CASE("object layout of the uneven sub-block vectors matches the README")
{
    const std::vector<rqt::VectorCase> cases = rqt::load_cases();
    rq_object_layout layout{};

    // n4_t60_al4_uneven: sub-symbols 16, 16, 16, 12.
    rq_oti a = oti_of(find_case(cases, "n4_t60_al4_uneven"));
    REQUIRE(rq_oti_object_layout(&a, &layout) == RQ_OK);
    CHECK(layout.large_sub_blocks == 3);
    CHECK(layout.large_sub_symbol_size == 16);
    CHECK(layout.small_sub_blocks == 1);
    CHECK(layout.small_sub_symbol_size == 12);

    // n3_t64_al4_uneven: sub-symbols 24, 20, 20.
    rq_oti b = oti_of(find_case(cases, "n3_t64_al4_uneven"));
    REQUIRE(rq_oti_object_layout(&b, &layout) == RQ_OK);
    CHECK(layout.large_sub_blocks == 1);
    CHECK(layout.large_sub_symbol_size == 24);
    CHECK(layout.small_sub_blocks == 2);
    CHECK(layout.small_sub_symbol_size == 20);

    // z3_n5_t4096_al4: blocks 245, 244, 244; sub-symbols 4 x 820, 816.
    rq_oti d = oti_of(find_case(cases, "z3_n5_t4096_al4"));
    REQUIRE(rq_oti_object_layout(&d, &layout) == RQ_OK);
    CHECK(layout.large_blocks == 1);
    CHECK(layout.large_block_symbols == 245);
    CHECK(layout.small_blocks == 2);
    CHECK(layout.small_block_symbols == 244);
    CHECK(layout.large_sub_blocks == 4);
    CHECK(layout.large_sub_symbol_size == 820);
    CHECK(layout.small_sub_blocks == 1);
    CHECK(layout.small_sub_symbol_size == 816);
}

TEST_CASE("object and block layout agree with Partition and the vectors for every case")
{
    for (const rqt::VectorCase &c : rqt::load_cases()) {
        CAPTURE(c.name);
        rq_oti oti = oti_of(c);
        rq_object_layout layout{};
        REQUIRE(rq_oti_object_layout(&oti, &layout) == RQ_OK);

        const uint64_t Kt = (c.F + c.T - 1) / c.T;
        Partition blocks = partition(Kt, c.Z);
        Partition subs = partition(c.T / c.Al, c.N);
        CHECK(layout.symbols == Kt);
        CHECK(layout.large_blocks == blocks.jl);
        CHECK(layout.small_blocks == blocks.js);
        CHECK(layout.large_block_symbols == blocks.il);
        CHECK(layout.small_block_symbols == blocks.is);
        CHECK(layout.large_sub_blocks == subs.jl);
        CHECK(layout.small_sub_blocks == subs.js);
        CHECK(layout.large_sub_symbol_size == subs.il * c.Al);
        CHECK(layout.small_sub_symbol_size == subs.is * c.Al);
        // The sub-symbols of a symbol fill it exactly.
        CHECK(uint64_t(layout.large_sub_blocks) * layout.large_sub_symbol_size +
                  uint64_t(layout.small_sub_blocks) * layout.small_sub_symbol_size ==
              c.T);

        // Blocks are consecutive; only the last one may be short of K*T bytes.
        uint64_t offset = 0;
        for (uint32_t sbn = 0; sbn < c.Z; sbn++) {
            CAPTURE(sbn);
            rq_block_layout block{};
            REQUIRE(rq_oti_block_layout(&oti, sbn, &block) == RQ_OK);
            const uint32_t K = sbn < blocks.jl ? uint32_t(blocks.il) : uint32_t(blocks.is);
            CHECK(block.source_symbols == K);
            CHECK(block.offset == offset);
            const uint64_t full = uint64_t(K) * c.T;
            CHECK(block.length == std::min<uint64_t>(full, c.F - offset));
            offset += full;
            for (const rqt::VectorBlock &listed : c.blocks) {
                if (listed.sbn == sbn) {
                    CHECK(block.source_symbols == listed.K);
                    CHECK(block.padded_symbols == listed.K_prime);
                }
            }
        }
        CHECK(offset >= c.F);
        CHECK(offset - c.F < c.T);
    }
}

TEST_CASE("block constants follow Table 2 for every K' and the K just above it")
{
    const std::vector<rqt::Table2Row> table = rqt::load_table2();
    std::vector<uint32_t> Ks = {1, 2, 9, 11, 100, 101, 102, 1000, 10000, 56402};
    for (const rqt::Table2Row &row : table) {
        Ks.push_back(row.K_prime);
        if (row.K_prime < RQ_MAX_SOURCE_SYMBOLS) {
            Ks.push_back(row.K_prime + 1);
        }
    }
    for (uint32_t K : Ks) {
        CAPTURE(K);
        rq_block_constants got{};
        REQUIRE(rq_block_constants_for(K, &got) == RQ_OK);
        check_constants(got, expected_constants(table, K));
    }
}

TEST_CASE("block constants of a few hand-checked K")
{
    rq_block_constants c{};
    // K = 10: the first row of Table 2 (K'=10, J=254, S=7, H=10, W=17); L=27, P=10, P1=11.
    REQUIRE(rq_block_constants_for(10, &c) == RQ_OK);
    CHECK(c.K_prime == 10);
    CHECK(c.L == 27);
    CHECK(c.P == 10);
    CHECK(c.U == 0);
    CHECK(c.B == 10);
    CHECK(c.P1 == 11);
    // K = 102 pads up to K' = 114.
    REQUIRE(rq_block_constants_for(102, &c) == RQ_OK);
    CHECK(c.K == 102);
    CHECK(c.K_prime == 114);
    // K'max.
    REQUIRE(rq_block_constants_for(RQ_MAX_SOURCE_SYMBOLS, &c) == RQ_OK);
    CHECK(c.K_prime == RQ_MAX_SOURCE_SYMBOLS);
}

TEST_CASE("payload ID is the SBN byte then the 24-bit big-endian ESI")
{
    uint8_t id[RQ_PAYLOAD_ID_SIZE] = {0};
    REQUIRE(rq_payload_id_write(0xAB, 0x123456, id, sizeof id) == RQ_OK);
    CHECK(rqt::hex_encode(id, sizeof id) == "ab123456");

    uint32_t sbn = 0, esi = 0;
    REQUIRE(rq_payload_id_read(id, sizeof id, &sbn, &esi) == RQ_OK);
    CHECK(sbn == 0xAB);
    CHECK(esi == 0x123456);

    const uint32_t sbns[] = {0, 1, 254, 255};
    const uint32_t esis[] = {0, 1, 255, 256, 65535, 65536, RQ_MAX_ESI};
    for (uint32_t s : sbns) {
        for (uint32_t e : esis) {
            REQUIRE(rq_payload_id_write(s, e, id, sizeof id) == RQ_OK);
            REQUIRE(rq_payload_id_read(id, sizeof id, &sbn, &esi) == RQ_OK);
            CHECK(sbn == s);
            CHECK(esi == e);
        }
    }
}

TEST_CASE("version and backend are reported")
{
    const char *version = nullptr;
    REQUIRE(rq_version(&version) == RQ_OK);
    REQUIRE(version != nullptr);
    CHECK(std::string(version) == std::to_string(RQ_VERSION_MAJOR) + "." + std::to_string(RQ_VERSION_MINOR) +
                                       "." + std::to_string(RQ_VERSION_PATCH));
    const char *backend = nullptr;
    REQUIRE(rq_context_backend(rqt::default_context(), &backend) == RQ_OK);
    REQUIRE(backend != nullptr);
    CHECK(std::string(backend).size() > 0);
}
