// Base58 (runtime/base58.c): known encodings, round trips, rejection of
// foreign characters and short buffers, and the symbol ID check that guards
// file names.
#include <catch2/catch.hpp>

#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "test_data.h"

#include <algorithm>
#include <string>
#include <vector>

namespace {

std::string encode(const std::vector<uint8_t> &bytes)
{
    std::vector<char> out(2 * bytes.size() + 2);
    const size_t n = rq_base58_encode(bytes.data(), bytes.size(), out.data(), out.size());
    REQUIRE(out[n] == '\0');
    return std::string(out.data(), n);
}

std::vector<uint8_t> bytes_of(const std::string &s)
{
    return std::vector<uint8_t>(s.begin(), s.end());
}

/* Decodes text that must be valid, into a buffer with room to spare. */
std::vector<uint8_t> decode(const std::string &text)
{
    std::vector<uint8_t> out(text.size() + 1);
    size_t len = 0;
    REQUIRE(rq_base58_decode(text.c_str(), out.data(), out.size(), &len) == 0);
    out.resize(len);
    return out;
}

} // namespace

TEST_CASE("base58 encodes the known vectors")
{
    CHECK(encode({}) == "");
    CHECK(encode({0}) == "1");
    CHECK(encode({0, 0, 1}) == "112");
    CHECK(encode({57}) == "z");
    CHECK(encode({58}) == "21");
    CHECK(encode(bytes_of("Hello World!")) == "2NEpo7TZRRrLZSi2U");
    CHECK(encode(std::vector<uint8_t>(32, 0)) == std::string(32, '1'));
    CHECK(encode(std::vector<uint8_t>(32, 0xFF)) == "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG");
}

TEST_CASE("base58 decodes the known vectors")
{
    CHECK(decode("1") == std::vector<uint8_t>{0});
    CHECK(decode("112") == std::vector<uint8_t>{0, 0, 1});
    CHECK(decode("21") == std::vector<uint8_t>{58});
    CHECK(decode("2NEpo7TZRRrLZSi2U") == bytes_of("Hello World!"));
    CHECK(decode(std::string(32, '1')) == std::vector<uint8_t>(32, 0));
}

TEST_CASE("base58 round-trips random byte strings, leading zeros included")
{
    for (uint64_t seed = 0; seed < 300; seed++) {
        std::vector<uint8_t> bytes = rqt::splitmix_bytes(1000 + seed, seed % (RQ_BASE58_MAX_BYTES + 1));
        for (size_t i = 0; i < bytes.size() && i < seed % 5; i++) {
            bytes[i] = 0;
        }
        CAPTURE(seed, bytes);
        const std::string text = encode(bytes);
        if (bytes.empty()) {
            CHECK(text.empty());
            continue;
        }
        CHECK(decode(text) == bytes);
        CHECK(encode(decode(text)) == text);
    }
}

TEST_CASE("base58 decode rejects characters outside the alphabet and empty text")
{
    uint8_t out[64];
    size_t len = 99;
    for (const char *text : {"0", "O", "I", "l", "/", ".", "2NEpo7TZRRr0LZSi2U", "2NEpo7TZ RRrLZSi2U", "abc\n", "../x",
                             "+", "\xc3\xa9"}) {
        CAPTURE(text);
        CHECK(rq_base58_decode(text, out, sizeof out, &len) == -1);
    }
    CHECK(rq_base58_decode("", out, sizeof out, &len) == -1);
    CHECK(rq_base58_decode(nullptr, out, sizeof out, &len) == -1);
    CHECK(len == 99);
}

TEST_CASE("every byte value decodes as its place in the alphabet, or is rejected")
{
    const std::string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    for (int c = 1; c < 256; c++) {
        const char text[2] = {char(c), 0};
        uint8_t out[4] = {0xEE, 0xEE, 0xEE, 0xEE};
        size_t len = 99;
        size_t place = alphabet.find(char(c));
        CAPTURE(c);
        if (place == std::string::npos) {
            CHECK(rq_base58_decode(text, out, sizeof out, &len) == -1);
            continue;
        }
        REQUIRE(rq_base58_decode(text, out, sizeof out, &len) == 0);
        CHECK(len == 1); // '1' is one zero byte, every other digit one byte of its value
        CHECK(out[0] == place);
    }
}

TEST_CASE("base58 decode gives the same bytes, or reports too small, at every buffer size")
{
    // The limbs must agree with the encoder and refuse a buffer one byte short,
    // leading zeros or not, at every length up to the longest value.
    for (size_t len = 1; len <= RQ_BASE58_MAX_BYTES; len++) {
        for (int zeros = 0; zeros <= 2; zeros++) {
            std::vector<uint8_t> bytes = rqt::splitmix_bytes(77 + len * 3 + zeros, len);
            for (int i = 0; i < zeros && size_t(i) < len; i++)
                bytes[i] = 0;
            bytes[std::min<size_t>(zeros, len - 1)] |= uint8_t(len % 2 ? 0x80 : 0x01);
            const std::string text = encode(bytes);
            CAPTURE(len, zeros, text);
            std::vector<uint8_t> out(len + 80, 0xEE);
            size_t got = 0;
            REQUIRE(rq_base58_decode(text.c_str(), out.data(), len, &got) == 0);
            CHECK(got == len);
            CHECK(std::vector<uint8_t>(out.begin(), out.begin() + long(len)) == bytes);
            CHECK(rq_base58_decode(text.c_str(), out.data(), len - 1, &got) == -2);
            REQUIRE(rq_base58_decode(text.c_str(), out.data(), len + 80, &got) == 0);
            CHECK(got == len);
        }
    }
}

namespace {

// Base58 by long division of the byte string by 58, digit after digit: slow and plain.
std::string reference_encode(std::vector<uint8_t> n)
{
    const char *alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    size_t zeros = 0;
    while (zeros < n.size() && n[zeros] == 0)
        zeros++;
    std::string digits;
    for (size_t first = zeros; first < n.size();) {
        unsigned rest = 0;
        for (size_t i = first; i < n.size(); i++) {
            unsigned cur = rest * 256 + n[i];
            n[i] = uint8_t(cur / 58);
            rest = cur % 58;
        }
        digits.insert(digits.begin(), alphabet[rest]);
        while (first < n.size() && n[first] == 0)
            first++;
    }
    return std::string(zeros, '1') + digits;
}

} // namespace

TEST_CASE("base58 encode matches long division at every length")
{
    for (size_t len = 1; len <= RQ_BASE58_MAX_BYTES; len++) {
        for (uint64_t seed = 0; seed < 8; seed++) {
            std::vector<uint8_t> bytes = rqt::splitmix_bytes(500 + len * 11 + seed, len);
            if (seed == 1)
                bytes[0] = 0;
            if (seed == 2)
                std::fill(bytes.begin(), bytes.end(), 0xFF);
            if (seed == 3)
                std::fill(bytes.begin() + long(len / 2), bytes.end(), 0);
            CAPTURE(len, seed);
            CHECK(encode(bytes) == reference_encode(bytes));
        }
    }
}

TEST_CASE("base58 refuses values longer than RQ_BASE58_MAX_BYTES, either way")
{
    for (size_t len : {size_t(RQ_BASE58_MAX_BYTES + 1), size_t(90)}) {
        CAPTURE(len);
        for (size_t zeros : {size_t(0), size_t(1), len}) {
            std::vector<uint8_t> bytes = rqt::splitmix_bytes(40 + len, len);
            std::fill(bytes.begin(), bytes.begin() + long(zeros), 0);
            if (zeros < len)
                bytes[zeros] |= 1;
            char text[200];
            CHECK(rq_base58_encode(bytes.data(), bytes.size(), text, sizeof text) == 0);
            CHECK(text[0] == '\0');
            // The text of the longer value (by long division) does not decode into any buffer.
            const std::string long_text = reference_encode(bytes);
            std::vector<uint8_t> out(len + 8);
            size_t got = 0;
            CHECK(rq_base58_decode(long_text.c_str(), out.data(), out.size(), &got) == -2);
        }
    }
    // The longest value itself goes both ways.
    const std::vector<uint8_t> longest(RQ_BASE58_MAX_BYTES, 0xFF);
    CHECK(decode(encode(longest)) == longest);
}

TEST_CASE("base58 reports a buffer too small")
{
    const std::vector<uint8_t> hello = bytes_of("Hello World!");
    char text[18];
    CHECK(rq_base58_encode(hello.data(), hello.size(), text, 17) == 0);
    CHECK(rq_base58_encode(hello.data(), hello.size(), text, 18) == 17);
    CHECK(std::string(text) == "2NEpo7TZRRrLZSi2U");
    const std::vector<uint8_t> zeros(32, 0);
    char ones[33];
    CHECK(rq_base58_encode(zeros.data(), zeros.size(), ones, 32) == 0);
    CHECK(rq_base58_encode(zeros.data(), zeros.size(), ones, 33) == 32);
    CHECK(rq_base58_encode(zeros.data(), zeros.size(), nullptr, 0) == 0);

    uint8_t out[12];
    size_t len = 0;
    CHECK(rq_base58_decode("2NEpo7TZRRrLZSi2U", out, 11, &len) == -2);
    CHECK(rq_base58_decode("2NEpo7TZRRrLZSi2U", out, 12, &len) == 0);
    CHECK(len == 12);
    CHECK(rq_base58_decode("111", out, 2, &len) == -2);
    CHECK(rq_base58_decode("112", out, 2, &len) == -2);
    CHECK(rq_base58_decode("2", nullptr, 0, &len) == -2);
    // A foreign character is reported before a value too large.
    CHECK(rq_base58_decode("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz0", out, sizeof out, &len) == -1);
}

TEST_CASE("symbol IDs are exactly the base58 texts of 32 bytes")
{
    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash("symbol", 6, hash);
    CHECK(rq_symbol_id_is_valid(encode(std::vector<uint8_t>(hash, hash + sizeof hash)).c_str()) == 1);
    CHECK(rq_symbol_id_is_valid(std::string(32, '1').c_str()) == 1);
    CHECK(rq_symbol_id_is_valid(encode(std::vector<uint8_t>(32, 0xFF)).c_str()) == 1);
    CHECK(rq_symbol_id_is_valid("EwmTiMCgXPpGdJfnXMTWTM824HksUcV4eJpuFk5CQxmw") == 1);

    CHECK(rq_symbol_id_is_valid("../x") == 0);
    CHECK(rq_symbol_id_is_valid("/etc/passwd") == 0);
    CHECK(rq_symbol_id_is_valid("") == 0);
    CHECK(rq_symbol_id_is_valid(nullptr) == 0);
    CHECK(rq_symbol_id_is_valid(std::string(31, '1').c_str()) == 0);
    CHECK(rq_symbol_id_is_valid(std::string(33, '1').c_str()) == 0);
    CHECK(rq_symbol_id_is_valid(encode(rqt::splitmix_bytes(1, 31)).c_str()) == 0);
    CHECK(rq_symbol_id_is_valid(encode(rqt::splitmix_bytes(1, 33)).c_str()) == 0);
    CHECK(rq_symbol_id_is_valid(std::string(10000, 'z').c_str()) == 0);
    CHECK(rq_symbol_id_is_valid("EwmTiMCgXPpGdJfnXMTWTM824HksUcV4eJpuFk5CQxm/") == 0);
}
