// BLAKE3 (runtime/blake3.c) against the official test vectors of the BLAKE3
// team, in one piece and streamed in awkward pieces, and the properties of
// its extendable output; every implementation (portable, and the AVX2 and
// AVX-512 kernels where built and runnable) against the portable one, and
// RQ_PARAM_BLAKE3 (a context's choice, RQ_BLAKE3 in the environment).
#include "rq_test.h"

#include "runtime/blake3.h"
#include "runtime/blake3_impl.h"
#include "test_data.h"

#include <algorithm>
#include <cstdlib>
#include <random>
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

/*
 * Feeds data to a fresh state (hashing with impl; nullptr: the best) in
 * pieces of the given sizes, repeated until the data runs out.
 */
rq_blake3 streamed(const std::vector<uint8_t> &data, const std::vector<size_t> &pieces,
                   const rq_blake3_impl *impl = nullptr)
{
    rq_blake3 h;
    rq_blake3_init_with(&h, impl);
    size_t pos = 0;
    for (size_t i = 0; pos < data.size(); i++) {
        const size_t take = std::min(pieces[i % pieces.size()], data.size() - pos);
        rq_blake3_update(&h, data.data() + pos, take);
        pos += take;
    }
    return h;
}

/* The implementations' names (RQ_BLAKE3, rq_blake3_choice), worst first. */
const char *const kImplNames[] = {"portable", "avx2", "avx512"};

/* The implementations this build has and this CPU runs, worst first. */
std::vector<const rq_blake3_impl *> usable_impls()
{
    std::vector<const rq_blake3_impl *> impls;
    for (const char *name : kImplNames) {
        if (const rq_blake3_impl *impl = rq_blake3_impl_find(name)) {
            impls.push_back(impl);
        }
    }
    return impls;
}

/* data fed to impl in pieces of the given sizes (repeated), finalized to the 32-byte hash. */
std::string hash_with(const rq_blake3_impl *impl, const std::vector<uint8_t> &data, const std::vector<size_t> &pieces)
{
    rq_blake3 h;
    rq_blake3_init(&h);
    size_t pos = 0;
    for (size_t i = 0; pos < data.size(); i++) {
        const size_t take = std::min(pieces[i % pieces.size()], data.size() - pos);
        rq_blake3_update_impl(&h, data.data() + pos, take, impl);
        pos += take;
    }
    return finalize_hex(h, RQ_BLAKE3_OUT_LEN);
}

/*
 * Lengths around where the SIMD path changes course: 8 and 16 chunks (one
 * batch), 64 (a window), the last chunk held back, partial batches and
 * partial last chunks.
 */
const size_t kLargeLengths[] = {8 * 1024,        8 * 1024 + 1,     9 * 1024 + 1,     16 * 1024,
                                16 * 1024 + 1,   17 * 1024,        63 * 1024 + 5,    64 * 1024,
                                64 * 1024 + 1,   65 * 1024,        128 * 1024 - 1,   128 * 1024 + 64,
                                1 << 20,         (1 << 20) + 1,    (1 << 20) + 1023, (1 << 20) + 1025,
                                (1 << 20) + 8193};

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

TEST_CASE("every blake3 implementation agrees with portable on random lengths and splits")
{
    const rq_blake3_impl *portable = rq_blake3_impl_find("portable");
    REQUIRE(portable != nullptr);
    std::vector<const rq_blake3_impl *> impls = usable_impls();
    impls.erase(std::remove(impls.begin(), impls.end(), portable), impls.end());
    if (impls.empty()) {
        return; // nothing but portable in this build or on this CPU
    }
    std::mt19937_64 rng(6330);
    std::vector<size_t> lengths(std::begin(kLargeLengths), std::end(kLargeLengths));
    for (int i = 0; i < 200; i++) {
        lengths.push_back(std::uniform_int_distribution<size_t>(0, 300 * 1024)(rng));
    }
    for (size_t len : lengths) {
        const std::vector<uint8_t> data = rqt::splitmix_bytes(len, len);
        const std::string expected = hash_with(portable, data, {data.size() + 1});
        // Pieces mixing whole chunks with odd sizes put batches at unaligned chunk counters.
        std::vector<size_t> pieces;
        for (int k = 0; k < 5; k++) {
            const size_t chunks = std::uniform_int_distribution<size_t>(0, 80)(rng);
            pieces.push_back(chunks * 1024 + std::uniform_int_distribution<size_t>(0, 1)(rng) *
                                                 std::uniform_int_distribution<size_t>(1, 1023)(rng));
        }
        pieces.push_back(1);
        for (const rq_blake3_impl *impl : impls) {
            CAPTURE(impl->name, len, pieces);
            CHECK(hash_with(impl, data, {data.size() + 1}) == expected);
            CHECK(hash_with(impl, data, pieces) == expected);
        }
    }
}

TEST_CASE("each blake3 implementation gives the vector output, streamed and one-shot")
{
    const rq_blake3_impl *portable = rq_blake3_impl_find("portable");
    REQUIRE(portable != nullptr);
    for (const rq_blake3_impl *impl : usable_impls()) {
        CAPTURE(impl->name);
        for (const rqt::Blake3Vector &v : rqt::load_blake3_vectors()) {
            const std::vector<uint8_t> data = vector_input(v.input_len);
            for (size_t piece : {data.size() + 1, size_t{1}, size_t{1023}, size_t{1025}, size_t{8193}}) {
                CAPTURE(v.input_len, piece);
                CHECK(finalize_hex(streamed(data, {piece}, impl), v.hash.size() / 2) == v.hash);
            }
        }
        for (size_t len : kLargeLengths) {
            const std::vector<uint8_t> data = rqt::splitmix_bytes(len + 1, len);
            uint8_t whole[RQ_BLAKE3_OUT_LEN];
            rq_blake3_hash_with(impl, data.data(), data.size(), whole);
            const std::string one_shot = rqt::hex_encode(whole, sizeof whole);
            CAPTURE(len);
            CHECK(one_shot == hash_with(portable, data, {len + 1}));
            for (size_t piece : {1u, 1023u, 1025u, 8193u}) {
                CAPTURE(piece);
                CHECK(finalize_hex(streamed(data, {piece}, impl), RQ_BLAKE3_OUT_LEN) == one_shot);
            }
        }
    }
}

TEST_CASE("RQ_PARAM_BLAKE3 takes the implementations this CPU runs and refuses the others")
{
    rqt::Context ctx = rqt::make_context();
    const rq_blake3_choice choices[] = {RQ_BLAKE3_PORTABLE, RQ_BLAKE3_AVX2, RQ_BLAKE3_AVX512};
    for (size_t i = 0; i < 3; i++) {
        CAPTURE(kImplNames[i]);
        const bool runs = rq_blake3_impl_find(kImplNames[i]) != nullptr;
        REQUIRE(rq_context_set(ctx.get(), RQ_PARAM_BLAKE3, RQ_BLAKE3_AUTO) == RQ_OK);
        CHECK(rq_context_set(ctx.get(), RQ_PARAM_BLAKE3, choices[i]) ==
              (runs ? RQ_OK : RQ_ERR_BACKEND_UNAVAILABLE));
        int64_t v = -1;
        REQUIRE(rq_context_get(ctx.get(), RQ_PARAM_BLAKE3, &v) == RQ_OK);
        CHECK(v == (runs ? choices[i] : RQ_BLAKE3_AUTO));
        CHECK(rq_blake3_impl_for(choices[i]) == rq_blake3_impl_find(kImplNames[i]));
    }
    CHECK(rq_context_set(ctx.get(), RQ_PARAM_BLAKE3, 4) == RQ_ERR_CONFIG);
    CHECK(rq_blake3_impl_for(RQ_BLAKE3_AUTO) == usable_impls().back());
    // From the environment: a name, or a warning-worthy refusal naming the variable.
    REQUIRE(setenv("RQ_BLAKE3", "portable", 1) == 0);
    CHECK(rq_context_from_env(ctx.get()) == RQ_OK);
    int64_t v = -1;
    REQUIRE(rq_context_get(ctx.get(), RQ_PARAM_BLAKE3, &v) == RQ_OK);
    CHECK(v == RQ_BLAKE3_PORTABLE);
    REQUIRE(setenv("RQ_BLAKE3", "no-such-implementation", 1) == 0);
    CHECK(rq_context_from_env(ctx.get()) == RQ_ERR_CONFIG);
    char why[256];
    REQUIRE(rq_context_last_error(ctx.get(), why, sizeof why) == RQ_OK);
    CHECK(std::string(why).find("RQ_BLAKE3=no-such-implementation") != std::string::npos);
    unsetenv("RQ_BLAKE3");
}

namespace {

/* Hash of data when bytes [start, start + len) go through a split update (subtrees hashed alone). */
std::string hash_split(const rq_blake3_impl *impl, const std::vector<uint8_t> &data, size_t start,
                       size_t len)
{
    rq_blake3 h;
    rq_blake3_init_with(&h, impl);
    rq_blake3_update(&h, data.data(), start);
    rq_blake3_split split;
    rq_blake3_split_update(&h, len, &split);
    const uint8_t *in = data.data() + start;
    rq_blake3_update(&h, in, split.prefix);
    std::vector<uint32_t> cvs(8 * split.subtrees + 8);
    auto *cv = reinterpret_cast<uint32_t(*)[8]>(cvs.data());
    for (size_t i = split.subtrees; i-- > 0;) // any order: each subtree stands alone
        rq_blake3_subtree(impl, in + split.prefix + i * RQ_BLAKE3_SUBTREE_LEN, &split, i, cv[i]);
    rq_blake3_push_subtrees(&h, &split, cv);
    const size_t used = split.prefix + split.subtrees * RQ_BLAKE3_SUBTREE_LEN;
    REQUIRE(used <= len);
    if (split.subtrees)
        REQUIRE(used < len);
    rq_blake3_update(&h, in + used, len - used);
    rq_blake3_update(&h, data.data() + start + len, data.size() - start - len);
    return finalize_hex(h, RQ_BLAKE3_OUT_LEN);
}

void check_split_hashing(const rq_blake3_impl *impl)
{
    const size_t M = RQ_BLAKE3_SUBTREE_LEN;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(2026, 5 * M + 4099);
    for (size_t start : {size_t(0), size_t(1), size_t(1024), size_t(64), M - 1, M, M + 4096 + 3}) {
        for (size_t len : {size_t(0), size_t(1), M - start % M, M, M + 1, 2 * M, 2 * M + 1, 3 * M + 1025,
                           data.size() - start}) {
            if (start + len > data.size())
                continue;
            for (size_t tail : {size_t(0), size_t(1)}) { // the split part ends the input, or not
                if (start + len + tail > data.size())
                    continue;
                CAPTURE(start, len, tail);
                std::vector<uint8_t> piece(data.begin(), data.begin() + static_cast<long>(start + len + tail));
                uint8_t whole[RQ_BLAKE3_OUT_LEN];
                rq_blake3_hash(piece.data(), piece.size(), whole);
                CHECK(hash_split(impl, piece, start, len) == rqt::hex_encode(whole, sizeof whole));
            }
        }
    }
}

} // namespace

TEST_CASE("blake3 split into subtrees hashed alone gives the streaming hash, every implementation")
{
    for (const rq_blake3_impl *impl : usable_impls()) {
        CAPTURE(impl->name);
        check_split_hashing(impl);
    }
}
