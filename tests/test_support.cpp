// The test helpers themselves: SHA-256 against FIPS 180-4 examples, the
// splitmix64-le generator against the check values of the vectors README, and
// the loaders against the shape of the data files.
#include <catch2/catch.hpp>

#include "runtime/sha256.h"
#include "splitmix64.h"
#include "test_data.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

std::string digest_hex(const std::string &message)
{
    return rqt::sha256_hex(reinterpret_cast<const uint8_t *>(message.data()), message.size());
}

} // namespace

TEST_CASE("sha256 matches the FIPS 180-4 examples")
{
    CHECK(digest_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(digest_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(digest_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(digest_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 gives the same digest however the input is split")
{
    std::vector<uint8_t> data = rqt::splitmix_bytes(99, 300);
    for (size_t len : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 300u}) {
        const std::string whole = rqt::sha256_hex(data.data(), len);
        for (size_t cut = 0; cut <= len; cut += 7) {
            rq_sha256_ctx ctx;
            rq_sha256_init(&ctx);
            rq_sha256_update(&ctx, data.data(), cut);
            rq_sha256_update(&ctx, data.data() + cut, len - cut);
            uint8_t digest[RQ_SHA256_SIZE];
            rq_sha256_final(&ctx, digest);
            CAPTURE(len, cut);
            CHECK(rqt::hex_encode(digest, sizeof digest) == whole);
        }
    }
}

TEST_CASE("splitmix64-le generator matches the check values of the vectors")
{
    std::vector<uint8_t> seed0 = rqt::splitmix_bytes(0, 16);
    std::vector<uint8_t> seed1 = rqt::splitmix_bytes(1, 16);
    CHECK(rqt::hex_encode(seed0.data(), seed0.size()) == "afcd1d7b39a820e2f465b9a16a9e786e");
    CHECK(rqt::hex_encode(seed1.data(), seed1.size()) == "c15c0289ec2d0a9167ec8e65a18debbe");
    // A shorter request is a prefix of a longer one.
    std::vector<uint8_t> seven = rqt::splitmix_bytes(0, 7);
    CHECK(std::memcmp(seven.data(), seed0.data(), 7) == 0);
}

TEST_CASE("hex decoding inverts hex encoding")
{
    std::vector<uint8_t> bytes = rqt::splitmix_bytes(5, 33);
    CHECK(rqt::hex_decode(rqt::hex_encode(bytes.data(), bytes.size())) == bytes);
    CHECK(rqt::hex_decode("00FFa0") == std::vector<uint8_t>{0x00, 0xff, 0xa0});
    CHECK_THROWS(rqt::hex_decode("abc"));
    CHECK_THROWS(rqt::hex_decode("zz"));
}

TEST_CASE("vector files load with the documented shape")
{
    std::vector<rqt::VectorCase> cases = rqt::load_cases();
    CHECK(cases.size() == 43);
    for (const rqt::VectorCase &c : cases) {
        CAPTURE(c.name);
        CHECK(c.blocks.size() >= 1);
        CHECK(c.oti_hex.size() == 24);
        if (c.packets_file.empty()) {
            continue;
        }
        std::vector<uint8_t> packets = rqt::read_file(rqt::data_path("rfc6330/" + c.packets_file));
        CHECK(packets.size() == (4 + c.T) * c.symbol_count());
    }
    std::vector<rqt::AllKEntry> allk = rqt::load_allk();
    std::vector<rqt::Table2Row> table = rqt::load_table2();
    REQUIRE(allk.size() == 477);
    REQUIRE(table.size() == 477);
    for (size_t i = 0; i < table.size(); i++) {
        CHECK(allk[i].K_prime == table[i].K_prime);
    }
    CHECK(table.front().K_prime == 10);
    CHECK(table.back().K_prime == 56403);
}
