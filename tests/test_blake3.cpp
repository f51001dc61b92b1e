// BLAKE3 (runtime/blake3.c) against the official test vectors of the BLAKE3
// team, in one piece and streamed in awkward pieces, and the properties of
// its extendable output.
#include <catch2/catch.hpp>

#include "runtime/blake3.h"
#include "test_data.h"

#include <algorithm>
#include <string>
#include <vector>

namespace {

/* The input of the official vectors: bytes 0, 1, ..., 250, 0, 1, ... */
std::vector<uint8_t> vector_input(size_t len)
{
    std::vector<uint8_t> data(len);
    for (size_t i = 0; i < len; i++) {
        data[i] = static_cast<uint8_t>(i % 251);
    }
    return data;
}

std::string finalize_hex(const rq_blake3 &h, size_t out_len)
{
    std::vector<uint8_t> out(out_len);
    rq_blake3_finalize(&h, out.data(), out.size());
    return rqt::hex_encode(out.data(), out.size());
}

/* Feeds data to a fresh state in pieces of the given sizes, repeated until the data runs out. */
rq_blake3 streamed(const std::vector<uint8_t> &data, const std::vector<size_t> &pieces)
{
    rq_blake3 h;
    rq_blake3_init(&h);
    size_t pos = 0;
    for (size_t i = 0; pos < data.size(); i++) {
        const size_t take = std::min(pieces[i % pieces.size()], data.size() - pos);
        rq_blake3_update(&h, data.data() + pos, take);
        pos += take;
    }
    return h;
}

const char *const kEmptyHash = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";

} // namespace

TEST_CASE("blake3 matches every official test vector, extended output and 32-byte hash")
{
    const std::vector<rqt::Blake3Vector> vectors = rqt::load_blake3_vectors();
    REQUIRE(vectors.size() >= 35);
    for (const rqt::Blake3Vector &v : vectors) {
        CAPTURE(v.input_len);
        const std::vector<uint8_t> data = vector_input(v.input_len);
        rq_blake3 h;
        rq_blake3_init(&h);
        rq_blake3_update(&h, data.data(), data.size());
        CHECK(finalize_hex(h, v.hash.size() / 2) == v.hash);

        uint8_t hash[RQ_BLAKE3_OUT_LEN];
        rq_blake3_hash(data.data(), data.size(), hash);
        CHECK(rqt::hex_encode(hash, sizeof hash) == v.hash.substr(0, 2 * RQ_BLAKE3_OUT_LEN));
    }
}

TEST_CASE("blake3 gives the vector output however the input is split")
{
    const std::vector<rqt::Blake3Vector> vectors = rqt::load_blake3_vectors();
    const std::vector<std::vector<size_t>> splits = {{1}, {63}, {64}, {65}, {1023}, {1024}, {1025},
                                                     {1, 63, 64, 65, 1023, 1024, 1025}, {1025, 1, 64, 0, 1023}};
    for (const rqt::Blake3Vector &v : vectors) {
        const std::vector<uint8_t> data = vector_input(v.input_len);
        for (const std::vector<size_t> &pieces : splits) {
            CAPTURE(v.input_len, pieces);
            CHECK(finalize_hex(streamed(data, pieces), v.hash.size() / 2) == v.hash);
        }
    }
}

TEST_CASE("blake3 streaming agrees with one-shot on a large input of many chunks")
{
    const std::vector<uint8_t> data = rqt::splitmix_bytes(3, 3 * 1024 * 1024 + 777);
    uint8_t whole[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash(data.data(), data.size(), whole);
    const std::string expected = rqt::hex_encode(whole, sizeof whole);
    for (size_t piece : {1u, 63u, 64u, 65u, 1023u, 1024u, 1025u, 65537u}) {
        CAPTURE(piece);
        CHECK(finalize_hex(streamed(data, {piece}), RQ_BLAKE3_OUT_LEN) == expected);
    }
}

TEST_CASE("blake3 finalize leaves the state as it was")
{
    const std::vector<uint8_t> data = rqt::splitmix_bytes(5, 5000);
    rq_blake3 h;
    rq_blake3_init(&h);
    rq_blake3_update(&h, data.data(), 3000);
    const std::string first = finalize_hex(h, 100);
    CHECK(finalize_hex(h, 100) == first);

    // Input after a finalize continues the same stream.
    rq_blake3_update(&h, data.data() + 3000, data.size() - 3000);
    uint8_t whole[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash(data.data(), data.size(), whole);
    CHECK(finalize_hex(h, RQ_BLAKE3_OUT_LEN) == rqt::hex_encode(whole, sizeof whole));
}

TEST_CASE("blake3 of the empty input")
{
    rq_blake3 h;
    rq_blake3_init(&h);
    CHECK(finalize_hex(h, RQ_BLAKE3_OUT_LEN) == kEmptyHash);
    rq_blake3_update(&h, nullptr, 0);
    CHECK(finalize_hex(h, RQ_BLAKE3_OUT_LEN) == kEmptyHash);

    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash(nullptr, 0, hash);
    CHECK(rqt::hex_encode(hash, sizeof hash) == kEmptyHash);
}

TEST_CASE("blake3 output of any length is a prefix of a longer one")
{
    const std::vector<uint8_t> data = rqt::splitmix_bytes(7, 2049);
    rq_blake3 h;
    rq_blake3_init(&h);
    rq_blake3_update(&h, data.data(), data.size());
    const std::string longest = finalize_hex(h, 1000);
    for (size_t len : {0u, 1u, 31u, 32u, 33u, 63u, 64u, 65u, 128u, 129u, 999u}) {
        CAPTURE(len);
        CHECK(finalize_hex(h, len) == longest.substr(0, 2 * len));
    }
}
