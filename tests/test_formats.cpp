// The two encode formats (RQ_SESSION_FORMAT): rq-library's rules for the OTI,
// the repair count, the chunk size and the layout form, and librq's where
// they differ. The samples an rq-library deployment wrote are compared
// byte for byte in test_file_cli and test_rq_library_abi; here are the
// cases the samples do not reach.
#include "rq_test.h"

#include "rq/rq_file.h"
#include "runtime/file_jobs.h"
#include "runtime/layout.h"
#include "test_data.h"

#include <cjson/cJSON.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;

struct TempDir {
    fs::path path;
    TempDir()
    {
        char name[] = "/tmp/rq_formats_XXXXXX";
        REQUIRE(mkdtemp(name) != nullptr);
        path = name;
    }
    ~TempDir() { fs::remove_all(path); }
};

struct Session {
    rq_session *s = nullptr;
    Session(rq_format format, uint32_t symbol_size, double redundancy, uint64_t budget)
    {
        REQUIRE(rq_session_create(&s) == RQ_OK);
        REQUIRE(rq_session_set(s, RQ_SESSION_FORMAT, format) == RQ_OK);
        REQUIRE(rq_session_set(s, RQ_SESSION_SYMBOL_SIZE, symbol_size) == RQ_OK);
        REQUIRE(rq_session_set_double(s, RQ_SESSION_REDUNDANCY, redundancy) == RQ_OK);
        REQUIRE(rq_session_set(s, RQ_SESSION_MEMORY_BUDGET, static_cast<int64_t>(budget)) == RQ_OK);
    }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;
    ~Session() { rq_session_destroy(s); }
};

/*
 * Works out the layout an encode of `size` bytes (seed 9) would write, as a
 * model (layout may be NULL) and as text ("" on failure); no file is written.
 */
rq_status metadata_of(const Session &session, const TempDir &dir, uint64_t size, uint64_t block_size,
                      rq_layout *layout, std::string *json)
{
    const fs::path input = dir.path / "in.bin";
    std::vector<uint8_t> data = rqt::splitmix_bytes(9, size);
    std::ofstream(input, std::ios::binary).write(reinterpret_cast<const char *>(data.data()),
                                                  static_cast<std::streamsize>(data.size()));
    const std::string in = input.string();
    char *text = nullptr;
    rq_encode_request req{};
    req.input = in.c_str();
    req.block_size = block_size;
    req.layout_json = &text;
    req.layout = layout;
    const rq_status st = rq_encode_run(session.s, &req, nullptr);
    *json = text ? text : "";
    free(text);
    fs::remove(input);
    return st;
}

struct Metadata {
    rq_layout layout{};
    std::string json;
    Metadata(const Session &session, const TempDir &dir, uint64_t size, uint64_t block_size = 0)
    {
        REQUIRE(metadata_of(session, dir, size, block_size, &layout, &json) == RQ_OK);
        REQUIRE(!json.empty());
    }
    Metadata(const Metadata &) = delete;
    Metadata &operator=(const Metadata &) = delete;
    ~Metadata() { rq_layout_free(&layout); }
};

} // namespace

TEST_CASE("rq-library counts repair symbols with symbol_size as given, not T")
{
    // P' = 65535 gives T = 65528: 131070 bytes are 3 source symbols, exactly 2 symbols of P'
    // (6 repairs at R = 4) but a little more than 2 of T (7 in librq's rule).
    TempDir dir;
    Session rql(RQ_FORMAT_RQ_LIBRARY, 65535, 4, 1024 * kMiB), lib(RQ_FORMAT_LIBRQ, 65535, 4, 1024 * kMiB);
    CHECK(Metadata(rql, dir, 131070).layout.blocks[0].n_symbols == 3 + 6);
    CHECK(Metadata(lib, dir, 131070).layout.blocks[0].n_symbols == 3 + 7);
    // At most symbol_size bytes: R repair symbols.
    CHECK(Metadata(rql, dir, 65535).layout.blocks[0].n_symbols == 2 + 4);
    CHECK(Metadata(rql, dir, 1).layout.blocks[0].n_symbols == 1 + 4);
}

TEST_CASE("rq-library derives the OTI with 10 MiB of working memory whatever the budget")
{
    // 640 symbols of T = 65528 in one chunk: with 10 MiB N = 4. Under 30 MiB librq plans
    // for a third of the budget as receiver memory (N = 5 at 29 MiB); rq-library keeps its
    // OTI and refuses a budget its sub-blocks do not fit in.
    TempDir dir;
    const uint64_t size = 640ull * 65528;
    rq_oti expected;
    REQUIRE(rq_oti_with_defaults(size, 65535, &expected) == RQ_OK);
    REQUIRE(expected.sub_blocks == 4);
    Session rql(RQ_FORMAT_RQ_LIBRARY, 65535, 4, 40 * kMiB), lib(RQ_FORMAT_LIBRQ, 65535, 4, 29 * kMiB);
    CHECK(Metadata(rql, dir, size, size).layout.blocks[0].oti.sub_blocks == 4);
    CHECK(Metadata(lib, dir, size, size).layout.blocks[0].oti.sub_blocks == 5);

    Session tight(RQ_FORMAT_RQ_LIBRARY, 65535, 4, 24 * kMiB);
    std::string json;
    CHECK(metadata_of(tight, dir, size, size, nullptr, &json) == RQ_ERR_MEMORY_BUDGET);
    CHECK(json.empty());
    const char *msg = nullptr;
    rq_session_last_error(tight.s, &msg);
    CHECK(std::string(msg).find("needs") != std::string::npos);
}

TEST_CASE("rq-library's chunk size: the whole file below budget / 1.5, else a quarter in whole symbols")
{
    uint64_t chunk = 0;
    Session big(RQ_FORMAT_RQ_LIBRARY, 65535, 4, 16384 * kMiB);
    REQUIRE(rq_recommended_block_size(big.s, 1024 * kMiB, &chunk) == RQ_OK);
    CHECK(chunk == 1024 * kMiB);
    Session small(RQ_FORMAT_RQ_LIBRARY, 65535, 4, 64 * kMiB);
    const uint64_t safe = static_cast<uint64_t>(static_cast<double>(64 * kMiB) / 1.5);
    REQUIRE(rq_recommended_block_size(small.s, safe - 1, &chunk) == RQ_OK);
    CHECK(chunk == safe - 1);
    REQUIRE(rq_recommended_block_size(small.s, safe, &chunk) == RQ_OK);
    CHECK(chunk == safe / 4 / 65535 * 65535);
    REQUIRE(rq_recommended_block_size(small.s, 100 * kMiB, &chunk) == RQ_OK);
    CHECK(chunk == 170 * 65535);
}

TEST_CASE("rq-library gives every source block of a chunk the whole repair count")
{
    // T = 8: 460000 bytes are 57500 symbols, more than one source block holds (56403): Z = 2.
    TempDir dir;
    for (rq_format format : {RQ_FORMAT_RQ_LIBRARY, RQ_FORMAT_LIBRQ}) {
        CAPTURE(format);
        Session s(format, 8, 2, 1024 * kMiB);
        Metadata m(s, dir, 460000);
        REQUIRE(m.layout.n_blocks == 1);
        REQUIRE(m.layout.blocks[0].oti.source_blocks == 2);
        // Source symbols 28750 + 28750; repairs 57500 for each block, or 57500 shared.
        CHECK(m.layout.blocks[0].n_symbols ==
              (format == RQ_FORMAT_RQ_LIBRARY ? 57500u + 2 * 57500u : 57500u + 57500u));
        cJSON *root = cJSON_Parse(m.json.c_str());
        REQUIRE(root != nullptr);
        const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(root, "blocks");
        if (format == RQ_FORMAT_RQ_LIBRARY) {
            // {"blocks": [...]} only, numeric block_id even for one chunk.
            CHECK(cJSON_GetArraySize(root) == 1);
            REQUIRE(cJSON_IsArray(blocks));
            CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(blocks, 0), "block_id")));
        } else {
            CHECK(cJSON_IsNull(blocks)); // librq's unchunked form
        }
        cJSON_Delete(root);
    }
    // Nothing was written: the layout went to the caller only.
    CHECK(fs::is_empty(dir.path));
}

TEST_CASE("the format setting takes librq and rq-library only")
{
    rq_session *s = nullptr;
    REQUIRE(rq_session_create(&s) == RQ_OK);
    CHECK(rq_session_set(s, RQ_SESSION_FORMAT, 2) == RQ_ERR_CONFIG);
    const char *msg = nullptr;
    rq_session_last_error(s, &msg);
    CHECK(std::string(msg).find("format") != std::string::npos);
    int64_t value = -1;
    REQUIRE(rq_session_get(s, RQ_SESSION_FORMAT, &value) == RQ_OK);
    CHECK(value == RQ_FORMAT_LIBRQ);
    rq_session_destroy(s);
}
