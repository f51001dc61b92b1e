// The layout file (runtime/layout.c): rq-library's and the seed document's
// forms parse into the expected model, librq's own form survives a round
// trip, and every malformed or unsafe layout is rejected with RQ_ERR_LAYOUT
// and a message naming the field.
#include "rq_test.h"

#include "runtime/base58.h"
#include "runtime/layout.h"
#include "test_data.h"

#include <cjson/cJSON.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using Catch::Contains;
using Catch::StartsWith;

namespace {

/* A model freed on scope exit. */
struct Layout {
    rq_layout value{};
    Layout() = default;
    Layout(const Layout &) = delete;
    Layout &operator=(const Layout &) = delete;
    ~Layout() { rq_layout_free(&value); }
    const rq_layout_block &block(size_t i) const
    {
        REQUIRE(i < value.n_blocks);
        return value.blocks[i];
    }
};

struct Parsed {
    rq_status status;
    std::string err;
};

Parsed parse_into(const std::string &json, Layout &out)
{
    char err[256];
    std::memset(err, 'x', sizeof err);
    rq_status st = rq_layout_parse(json.data(), json.size(), &out.value, err, sizeof err);
    REQUIRE(std::memchr(err, '\0', sizeof err) != nullptr);
    return {st, err};
}

/* Parses text that must be valid. */
void parse_ok(const std::string &json, Layout &out)
{
    Parsed p = parse_into(json, out);
    INFO(json);
    REQUIRE(p.err == "");
    REQUIRE(p.status == RQ_OK);
}

/* The message of a layout that must be rejected; the model stays zero. */
std::string layout_error(const std::string &json)
{
    Layout layout;
    Parsed p = parse_into(json, layout);
    INFO(json);
    REQUIRE(p.status == RQ_ERR_LAYOUT);
    CHECK(layout.value.blocks == nullptr);
    CHECK(layout.value.n_blocks == 0);
    CHECK_FALSE(p.err.empty());
    return p.err;
}

/* A valid symbol ID, different for every n. */
std::string symbol_id(uint64_t n)
{
    std::vector<uint8_t> bytes = rqt::splitmix_bytes(n, 32);
    char text[RQ_BASE58_ID_CAP];
    REQUIRE(rq_base58_encode(bytes.data(), bytes.size(), text, sizeof text) > 0);
    return text;
}

std::string quoted(const std::string &s) { return "\"" + s + "\""; }

std::string id_array(uint64_t first, size_t count)
{
    std::string out = "[";
    for (size_t i = 0; i < count; i++) {
        out += (i > 0 ? ", " : "") + quoted(symbol_id(first + i));
    }
    return out + "]";
}

/* The OTI librq would pick for a chunk of F bytes. */
rq_oti oti_for(uint64_t F)
{
    rq_oti oti{};
    REQUIRE(rq_oti_with_defaults(F, 1024, &oti) == RQ_OK);
    return oti;
}

std::string oti_array(uint64_t F)
{
    rq_oti oti = oti_for(F);
    uint8_t bytes[RQ_OTI_SIZE];
    REQUIRE(rq_oti_serialize(&oti, bytes, sizeof bytes) == RQ_OK);
    std::string out = "[";
    for (size_t i = 0; i < RQ_OTI_SIZE; i++) {
        out += (i > 0 ? ", " : "") + std::to_string(bytes[i]);
    }
    return out + "]";
}

bool same_oti(const rq_oti &a, const rq_oti &b)
{
    return a.transfer_length == b.transfer_length && a.symbol_size == b.symbol_size &&
           a.source_blocks == b.source_blocks && a.sub_blocks == b.sub_blocks && a.alignment == b.alignment;
}

std::vector<std::string> symbols_of(const rq_layout_block &block)
{
    return std::vector<std::string>(block.symbols, block.symbols + block.n_symbols);
}

void require_equal(const rq_layout &a, const rq_layout &b)
{
    REQUIRE(a.chunked == b.chunked);
    REQUIRE(a.file_size == b.file_size);
    REQUIRE(a.n_blocks == b.n_blocks);
    for (size_t i = 0; i < a.n_blocks; i++) {
        const rq_layout_block &x = a.blocks[i], &y = b.blocks[i];
        INFO("block " << i);
        CHECK(std::string(x.block_id) == y.block_id);
        CHECK(std::string(x.dir) == y.dir);
        CHECK(x.original_offset == y.original_offset);
        CHECK(x.size == y.size);
        CHECK(same_oti(x.oti, y.oti));
        CHECK(std::string(x.hash) == y.hash);
        CHECK(x.source_symbols == y.source_symbols);
        CHECK(symbols_of(x) == symbols_of(y));
    }
}

std::string to_json(const rq_layout &layout)
{
    char *json = nullptr;
    REQUIRE(rq_layout_to_json(&layout, &json) == RQ_OK);
    REQUIRE(json != nullptr);
    std::string out(json);
    std::free(json);
    return out;
}

/* parse(to_json(x)) == x, and to_json of that is the same text again. */
void require_round_trip(const rq_layout &layout)
{
    const std::string json = to_json(layout);
    Layout back;
    parse_ok(json, back);
    require_equal(layout, back.value);
    CHECK(to_json(back.value) == json);
}

/*
 * json with the value at pointer ("blocks/1/size") replaced by value (JSON
 * text), or removed when value is nullptr. A missing object member is added.
 */
std::string edit(const std::string &json, const std::string &pointer, const char *value)
{
    cJSON *root = cJSON_Parse(json.c_str());
    REQUIRE(root != nullptr);
    cJSON *parent = root;
    std::string key = pointer;
    for (size_t slash; (slash = key.find('/')) != std::string::npos; key = key.substr(slash + 1)) {
        const std::string step = key.substr(0, slash);
        parent = cJSON_IsArray(parent) ? cJSON_GetArrayItem(parent, std::stoi(step))
                                       : cJSON_GetObjectItemCaseSensitive(parent, step.c_str());
        REQUIRE(parent != nullptr);
    }
    cJSON *item = value != nullptr ? cJSON_Parse(value) : nullptr;
    REQUIRE((value == nullptr || item != nullptr));
    if (cJSON_IsArray(parent)) {
        if (item != nullptr) {
            REQUIRE(cJSON_ReplaceItemInArray(parent, std::stoi(key), item));
        } else {
            cJSON_DeleteItemFromArray(parent, std::stoi(key));
        }
    } else if (item == nullptr) {
        cJSON_DeleteItemFromObjectCaseSensitive(parent, key.c_str());
    } else if (cJSON_GetObjectItemCaseSensitive(parent, key.c_str()) != nullptr) {
        REQUIRE(cJSON_ReplaceItemInObjectCaseSensitive(parent, key.c_str(), item));
    } else {
        REQUIRE(cJSON_AddItemToObject(parent, key.c_str(), item));
    }
    char *text = cJSON_Print(root);
    std::string out(text);
    std::free(text);
    cJSON_Delete(root);
    return out;
}

std::string without(const std::string &json, const std::string &pointer)
{
    return edit(json, pointer, nullptr);
}

/* librq's chunked form: 65536 + 3392 bytes, like rq-library's chunked_4k tail. */
std::string librq_chunked()
{
    return R"({"encoder_parameters": )" + oti_array(65536) + R"(, "file_size": 68928, "blocks": [
        {"block_id": "block_0", "original_offset": 0, "size": 65536, "encoder_parameters": )" +
           oti_array(65536) + R"(, "hash": )" + quoted(symbol_id(900)) +
           R"(, "source_symbols": 64, "symbols": )" + id_array(0, 3) + R"(},
        {"block_id": "block_1", "original_offset": 65536, "size": 3392, "encoder_parameters": )" +
           oti_array(3392) + R"(, "hash": )" + quoted(symbol_id(901)) +
           R"(, "source_symbols": 4, "symbols": )" + id_array(100, 3) + R"(}
    ], "symbols": null})";
}

/* librq's unchunked form: one object of 5000 bytes. */
std::string librq_unchunked()
{
    return R"({"encoder_parameters": )" + oti_array(5000) + R"(, "file_size": 5000, "hash": )" +
           quoted(symbol_id(902)) + R"(, "source_symbols": 5, "blocks": null, "symbols": )" + id_array(0, 4) +
           "}";
}

rq_layout_block make_block(const char *id, uint64_t offset, uint64_t size, uint64_t first_symbol, size_t count,
                           bool facts)
{
    rq_layout_block block{};
    block.block_id = strdup(id);
    block.dir = strdup(id);
    block.original_offset = offset;
    block.size = size;
    block.oti = oti_for(size);
    if (facts) {
        std::strcpy(block.hash, symbol_id(1000 + first_symbol).c_str());
        block.source_symbols = 7;
    }
    block.n_symbols = count;
    block.symbols = static_cast<char **>(std::calloc(count > 0 ? count : 1, sizeof(char *)));
    for (size_t i = 0; i < count; i++) {
        block.symbols[i] = strdup(symbol_id(first_symbol + i).c_str());
    }
    return block;
}

void set_blocks(Layout &layout, int chunked, std::vector<rq_layout_block> blocks)
{
    layout.value.chunked = chunked;
    layout.value.n_blocks = blocks.size();
    layout.value.blocks = static_cast<rq_layout_block *>(std::calloc(std::max<size_t>(blocks.size(), 1),
                                                                     sizeof(rq_layout_block)));
    std::copy(blocks.begin(), blocks.end(), layout.value.blocks);
    for (const rq_layout_block &b : blocks) {
        layout.value.file_size += b.size;
    }
}

std::vector<std::string> sorted_files(const fs::path &dir)
{
    std::vector<std::string> names;
    for (const fs::directory_entry &entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

TEST_CASE("rq-library's layouts parse into blocks matching its reported result")
{
    for (const char *name : {"small_1k", "single_64k", "chunked_4k"}) {
        INFO(name);
        const rqt::RqLibrarySample sample = rqt::load_rq_library_sample(name);
        const fs::path symbols = rqt::data_path(std::string("rq-library/") + name + "/symbols");
        Layout layout;
        char err[256];
        rq_status st = rq_layout_read((symbols / "_raptorq_layout.json").c_str(), &layout.value, err, sizeof err);
        INFO(err);
        REQUIRE(st == RQ_OK);
        CHECK(layout.value.chunked == 1);
        CHECK(layout.value.file_size == sample.size);
        REQUIRE(layout.value.n_blocks == sample.blocks.size());
        for (size_t i = 0; i < sample.blocks.size(); i++) {
            const rq_layout_block &block = layout.block(i);
            const rqt::RqLibraryBlock &expected = sample.blocks[i];
            CHECK(std::string(block.block_id) == std::to_string(expected.block_id));
            CHECK(std::string(block.dir) == "block_" + std::to_string(expected.block_id));
            CHECK(block.original_offset == expected.original_offset);
            CHECK(block.size == expected.size);
            CHECK(block.oti.transfer_length == block.size);
            CHECK(std::string(block.hash) == expected.hash);
            CHECK(block.source_symbols == 0);
            std::vector<std::string> ids = symbols_of(block);
            std::sort(ids.begin(), ids.end());
            CHECK(ids == sorted_files(symbols / block.dir));
        }
    }
}

TEST_CASE("rq-library's chunked_4k layout gives each block its own OTI")
{
    Layout layout;
    char err[256];
    const std::string path = rqt::data_path("rq-library/chunked_4k/symbols/_raptorq_layout.json");
    REQUIRE(rq_layout_read(path.c_str(), &layout.value, err, sizeof err) == RQ_OK);
    REQUIRE(layout.value.n_blocks == 4);
    CHECK(layout.block(0).oti.transfer_length == 65536);
    CHECK(layout.block(0).oti.symbol_size == 4096);
    CHECK(layout.block(3).oti.transfer_length == 3392);
    CHECK(layout.block(3).original_offset == 196608);
    CHECK(layout.block(0).n_symbols == 64);
    CHECK(layout.block(3).n_symbols == 5);
}

TEST_CASE("a layout read from rq-library survives a round trip, numeric block ids included")
{
    Layout layout;
    char err[256];
    const std::string path = rqt::data_path("rq-library/chunked_4k/symbols/_raptorq_layout.json");
    REQUIRE(rq_layout_read(path.c_str(), &layout.value, err, sizeof err) == RQ_OK);
    require_round_trip(layout.value);
    CHECK_THAT(to_json(layout.value), Contains("\"block_id\":\t3,") || Contains("\"block_id\": 3,"));
}

TEST_CASE("a layout without hashes renders in rq-library's form as one that parses again")
{
    // Found by fuzz_layout: the rq-library form wrote "hash": "" for a block
    // without a hash, which the parser (rightly) refuses.
    Layout layout;
    char err[256];
    const std::string path = rqt::data_path("rq-library/chunked_4k/symbols/_raptorq_layout.json");
    REQUIRE(rq_layout_read(path.c_str(), &layout.value, err, sizeof err) == RQ_OK);
    for (size_t i = 0; i < layout.value.n_blocks; i++)
        layout.value.blocks[i].hash[0] = '\0';
    char *json = nullptr;
    REQUIRE(rq_layout_to_json_rq_library(&layout.value, &json) == RQ_OK);
    std::string text(json);
    std::free(json);
    CHECK(text.find("\"hash\"") == std::string::npos);
    Layout again;
    INFO(text);
    REQUIRE(rq_layout_parse(text.data(), text.size(), &again.value, err, sizeof err) == RQ_OK);
    CHECK(again.value.n_blocks == layout.value.n_blocks);
    CHECK(again.value.blocks[0].hash[0] == '\0');
}

TEST_CASE("the seed document's chunked form parses with the top-level OTI for every block")
{
    const std::string json = R"({
  "encoder_parameters": )" + oti_array(102400) + R"(,
  "blocks": [
    { "block_id": "chunk_0", "original_offset": 0, "size": 102400, "symbols": )" + id_array(1, 2) + R"( },
    { "block_id": "chunk_1", "original_offset": 102400, "size": 102400, "symbols": )" + id_array(3, 2) + R"( }
  ],
  "symbols": null
})";
    Layout layout;
    parse_ok(json, layout);
    CHECK(layout.value.chunked == 1);
    CHECK(layout.value.file_size == 204800);
    REQUIRE(layout.value.n_blocks == 2);
    CHECK(std::string(layout.block(0).block_id) == "chunk_0");
    CHECK(std::string(layout.block(0).dir) == "chunk_0");
    CHECK(std::string(layout.block(1).dir) == "chunk_1");
    CHECK(layout.block(1).original_offset == 102400);
    CHECK(same_oti(layout.block(1).oti, oti_for(102400)));
    CHECK(std::string(layout.block(1).hash) == "");
    CHECK(layout.block(1).source_symbols == 0);
    CHECK(symbols_of(layout.block(1)) == std::vector<std::string>{symbol_id(3), symbol_id(4)});
}

TEST_CASE("the seed document's chunked form with blocks of their own OTIs parses")
{
    const std::string json = R"({
  "encoder_parameters": )" + oti_array(102400) + R"(,
  "blocks": [
    { "block_id": "chunk_0", "original_offset": 0, "size": 102400, "symbols": )" + id_array(1, 2) + R"( },
    { "block_id": "chunk_1", "original_offset": 102400, "size": 97600, "encoder_parameters": )" +
                             oti_array(97600) + R"(, "symbols": )" + id_array(3, 2) + R"( }
  ],
  "symbols": null
})";
    Layout layout;
    parse_ok(json, layout);
    CHECK(layout.value.file_size == 200000);
    CHECK(same_oti(layout.block(0).oti, oti_for(102400)));
    CHECK(same_oti(layout.block(1).oti, oti_for(97600)));
}

TEST_CASE("a block whose size differs from the F of the top-level OTI it falls back on is rejected")
{
    const std::string json = R"({"encoder_parameters": )" + oti_array(102400) + R"(, "blocks": [
    { "block_id": "chunk_0", "original_offset": 0, "size": 102400, "symbols": )" + id_array(1, 2) + R"( },
    { "block_id": "chunk_1", "original_offset": 102400, "size": 97600, "symbols": )" + id_array(3, 2) + R"( }
  ], "symbols": null})";
    const std::string err = layout_error(json);
    CHECK_THAT(err, Contains("blocks[1].size") && Contains("97600") && Contains("102400"));
}

TEST_CASE("the seed document's unchunked form is one block of F bytes in the symbols directory itself")
{
    const std::string json = R"({
  "encoder_parameters": )" + oti_array(200000) + R"(,
  "blocks": null,
  "symbols": )" + id_array(7, 3) + R"(
})";
    Layout layout;
    parse_ok(json, layout);
    CHECK(layout.value.chunked == 0);
    CHECK(layout.value.file_size == 200000);
    REQUIRE(layout.value.n_blocks == 1);
    CHECK(std::string(layout.block(0).dir) == "");
    CHECK(std::string(layout.block(0).block_id) == "");
    CHECK(layout.block(0).original_offset == 0);
    CHECK(layout.block(0).size == 200000);
    CHECK(same_oti(layout.block(0).oti, oti_for(200000)));
    CHECK(symbols_of(layout.block(0)) == std::vector<std::string>{symbol_id(7), symbol_id(8), symbol_id(9)});
}

TEST_CASE("librq's own forms parse with every per-block field")
{
    Layout chunked;
    parse_ok(librq_chunked(), chunked);
    CHECK(chunked.value.file_size == 68928);
    CHECK(std::string(chunked.block(1).hash) == symbol_id(901));
    CHECK(chunked.block(1).source_symbols == 4);
    CHECK(same_oti(chunked.block(1).oti, oti_for(3392)));

    Layout unchunked;
    parse_ok(librq_unchunked(), unchunked);
    CHECK(unchunked.value.chunked == 0);
    CHECK(std::string(unchunked.block(0).hash) == symbol_id(902));
    CHECK(unchunked.block(0).source_symbols == 5);
    CHECK(unchunked.block(0).n_symbols == 4);
}

TEST_CASE("a chunked librq layout survives a round trip")
{
    Layout layout;
    set_blocks(layout, 1,
               {make_block("block_0", 0, 1 << 20, 0, 20, true), make_block("block_1", 1 << 20, 1 << 20, 20, 20, false),
                make_block("block_2", 2 << 20, 12345, 40, 3, true)});
    require_round_trip(layout.value);
    const std::string json = to_json(layout.value);
    CHECK_THAT(json, Contains("\"symbols\":\tnull"));
    CHECK_THAT(json, Contains("\"file_size\":\t2109497"));
}

TEST_CASE("an unchunked librq layout survives a round trip")
{
    Layout layout;
    set_blocks(layout, 0, {make_block("", 0, 5000, 0, 6, true)});
    require_round_trip(layout.value);
    const std::string json = to_json(layout.value);
    CHECK_THAT(json, Contains("\"blocks\":\tnull"));
    CHECK_THAT(json, Contains("\"source_symbols\":\t7"));
}

TEST_CASE("an empty file's layout has no blocks and survives a round trip")
{
    Layout layout;
    set_blocks(layout, 1, {});
    const std::string json = to_json(layout.value);
    CHECK_THAT(json, Contains("\"encoder_parameters\":\tnull"));
    CHECK_THAT(json, Contains("\"blocks\":\t[]"));
    require_round_trip(layout.value);

    Layout parsed;
    parse_ok(R"({"encoder_parameters": null, "file_size": 0, "blocks": [], "symbols": null})", parsed);
    CHECK(parsed.value.chunked == 1);
    CHECK(parsed.value.n_blocks == 0);
    CHECK(parsed.value.file_size == 0);
}

TEST_CASE("to_json refuses a model it could not write faithfully")
{
    char *json = nullptr;
    Layout two_unchunked;
    set_blocks(two_unchunked, 0, {make_block("", 0, 5000, 0, 1, false), make_block("", 5000, 5000, 1, 1, false)});
    CHECK(rq_layout_to_json(&two_unchunked.value, &json) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(json == nullptr);

    Layout bad_oti;
    set_blocks(bad_oti, 1, {make_block("block_0", 0, 5000, 0, 1, false)});
    bad_oti.value.blocks[0].oti.alignment = 0;
    CHECK(rq_layout_to_json(&bad_oti.value, &json) == RQ_ERR_ALIGNMENT);
    CHECK(json == nullptr);
    CHECK(rq_layout_to_json(nullptr, &json) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("text that is not one JSON value is rejected")
{
    CHECK_THAT(layout_error(""), Contains("not JSON"));
    CHECK_THAT(layout_error("{"), Contains("not JSON"));
    CHECK_THAT(layout_error("{\"blocks\": [}"), Contains("not JSON") && Contains("line 1"));
    CHECK_THAT(layout_error(librq_chunked() + " {}"), Contains("not JSON") && Contains("after the value"));
    CHECK_THAT(layout_error(std::string("{}\0", 3)), Contains("not JSON"));
}

TEST_CASE("a top level that is not an object, or has neither blocks nor symbols, is rejected")
{
    CHECK_THAT(layout_error("[]"), Contains("top level"));
    CHECK_THAT(layout_error("42"), Contains("top level"));
    CHECK_THAT(layout_error("{\"encoder_parameters\": " + oti_array(5000) + "}"),
               Contains("missing field \"blocks\" or \"symbols\""));
    CHECK_THAT(layout_error(R"({"blocks": null, "symbols": null})"), Contains("\"blocks\" or \"symbols\""));
    CHECK_THAT(layout_error(edit(librq_chunked(), "symbols", "[]")), Contains("\"blocks\" and \"symbols\""));
    CHECK_THAT(layout_error(edit(librq_chunked(), "blocks", "{}")), Contains("blocks: expected an array"));
    CHECK_THAT(layout_error(edit(librq_unchunked(), "symbols", "\"x\"")), Contains("symbols: expected an array"));
}

TEST_CASE("malformed encoder_parameters are rejected naming the field")
{
    const std::string good = librq_chunked();
    const char *field = "blocks[0].encoder_parameters";
    SECTION("11 numbers")
    {
        CHECK_THAT(layout_error(without(good, "blocks/0/encoder_parameters/11")),
                   Contains(field) && Contains("expected an array of 12 numbers 0..255"));
    }
    SECTION("13 numbers")
    {
        const std::string json = edit(good, "blocks/0/encoder_parameters",
                                      "[0, 0, 1, 0, 0, 0, 4, 0, 1, 0, 1, 8, 0]");
        CHECK_THAT(layout_error(json), Contains(field) && Contains("12 numbers"));
    }
    SECTION("a value of 256")
    {
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters/0", "256")), Contains(field));
    }
    SECTION("a fraction, a negative, a string")
    {
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters/3", "0.5")), Contains(field));
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters/3", "-1")), Contains(field));
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters/3", "\"0\"")), Contains(field));
    }
    SECTION("not an array")
    {
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters", "\"AAABAAAAEAABAAEI\"")),
                   Contains(field));
    }
    SECTION("the reserved byte set")
    {
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters/5", "1")),
                   Contains(field) && Contains("invalid OTI") && Contains("reserved"));
    }
    SECTION("an OTI that rq_oti_parse rejects (Al = 0)")
    {
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters/11", "0")),
                   Contains(field) && Contains("invalid OTI"));
    }
    SECTION("F different from the block size")
    {
        CHECK_THAT(layout_error(edit(good, "blocks/0/encoder_parameters", oti_array(65535).c_str())),
                   Contains(field) && Contains("65535") && Contains("65536"));
    }
    SECTION("the top-level OTI malformed")
    {
        CHECK_THAT(layout_error(edit(good, "encoder_parameters/5", "1")),
                   StartsWith("encoder_parameters:") && Contains("reserved"));
    }
    SECTION("no OTI for a block")
    {
        const std::string json = without(without(good, "encoder_parameters"), "blocks/1/encoder_parameters");
        CHECK_THAT(layout_error(json), Contains("blocks[1].encoder_parameters") && Contains("missing"));
    }
    SECTION("an unchunked layout without an OTI")
    {
        CHECK_THAT(layout_error(edit(librq_unchunked(), "encoder_parameters", "null")),
                   Contains("encoder_parameters"));
    }
    SECTION("an unchunked layout whose file_size is not F")
    {
        CHECK_THAT(layout_error(edit(librq_unchunked(), "file_size", "5001")),
                   Contains("file_size") && Contains("5000"));
    }
}

TEST_CASE("a block_id that is not one safe directory name is rejected")
{
    const std::string good = librq_chunked();
    for (const char *bad : {"\"../x\"", "\"/abs\"", "\".\"", "\"..\"", "\"\"", "\"a/b\"", "\"a\\\\b\"",
                            "\"a\\nb\"", "-1", "1.5", "true", "[]"}) {
        INFO(bad);
        CHECK_THAT(layout_error(edit(good, "blocks/1/block_id", bad)), Contains("blocks[1].block_id"));
    }
    const std::string long_name = "\"" + std::string(256, 'a') + "\"";
    CHECK_THAT(layout_error(edit(good, "blocks/1/block_id", long_name.c_str())), Contains("blocks[1].block_id"));
    CHECK_THAT(layout_error(without(good, "blocks/1/block_id")),
               Contains("blocks[1]: missing field \"block_id\""));
}

TEST_CASE("two blocks sharing a directory are rejected")
{
    const std::string json = edit(librq_chunked(), "blocks/1/block_id", "\"block_0\"");
    CHECK_THAT(layout_error(json), Contains("blocks[1].block_id") && Contains("blocks[0]"));
    const std::string numeric = edit(edit(librq_chunked(), "blocks/0/block_id", "\"block_3\""), "blocks/1/block_id", "3");
    CHECK_THAT(layout_error(numeric), Contains("blocks[1].block_id"));
}

TEST_CASE("symbol IDs that are not base58 of 32 bytes are rejected")
{
    std::vector<uint8_t> short_bytes(31, 0xff);
    char short_id[RQ_BASE58_ID_CAP];
    REQUIRE(rq_base58_encode(short_bytes.data(), short_bytes.size(), short_id, sizeof short_id) > 0);
    const std::string bad_short = quoted(short_id);
    const std::string good = librq_chunked();
    for (const std::string &bad : {std::string("\"../x\""), std::string("\"/etc/passwd\""), std::string("\"\""),
                                   bad_short, std::string("12"), std::string("null"),
                                   quoted(symbol_id(1) + "1")}) {
        INFO(bad);
        CHECK_THAT(layout_error(edit(good, "blocks/1/symbols/2", bad.c_str())), Contains("blocks[1].symbols[2]"));
        CHECK_THAT(layout_error(edit(librq_unchunked(), "symbols/3", bad.c_str())), StartsWith("symbols[3]:"));
    }
    CHECK_THAT(layout_error(edit(good, "blocks/1/symbols/2", "\"../x\"")),
               Contains("\"../x\" is not a base58 32-byte symbol ID"));
    CHECK_THAT(layout_error(edit(good, "blocks/0/symbols", "{}")), Contains("blocks[0].symbols"));
    CHECK_THAT(layout_error(without(good, "blocks/0/symbols")), Contains("blocks[0]: missing field \"symbols\""));
}

TEST_CASE("a symbol ID listed twice in a block is rejected naming both places")
{
    const std::string json = edit(librq_chunked(), "blocks/1/symbols/2", quoted(symbol_id(100)).c_str());
    CHECK_THAT(layout_error(json), Contains("blocks[1].symbols[2]") && Contains("duplicate") &&
                                       Contains("blocks[1].symbols[0]"));
    // The same ID in two blocks is fine: they are different directories.
    Layout layout;
    parse_ok(edit(librq_chunked(), "blocks/1/symbols/2", quoted(symbol_id(0)).c_str()), layout);
}

TEST_CASE("offsets must make the blocks contiguous from 0, in order")
{
    const std::string good = librq_chunked();
    CHECK_THAT(layout_error(edit(good, "blocks/1/original_offset", "65537")),
               Contains("blocks[1].original_offset: expected 65536, found 65537"));
    CHECK_THAT(layout_error(edit(good, "blocks/1/original_offset", "65535")),
               Contains("blocks[1].original_offset: expected 65536, found 65535"));
    CHECK_THAT(layout_error(edit(good, "blocks/0/original_offset", "1")),
               Contains("blocks[0].original_offset: expected 0, found 1"));
    CHECK_THAT(layout_error(without(good, "blocks/0/original_offset")), Contains("\"original_offset\""));
}

TEST_CASE("numbers that are not non-negative integers are rejected naming the field")
{
    const std::string good = librq_chunked();
    for (const char *bad : {"-65536", "65536.5", "\"65536\"", "true", "[]", "1e16", "1e300"}) {
        INFO(bad);
        CHECK_THAT(layout_error(edit(good, "blocks/1/original_offset", bad)), Contains("blocks[1].original_offset"));
        CHECK_THAT(layout_error(edit(good, "blocks/1/size", bad)), Contains("blocks[1].size"));
        CHECK_THAT(layout_error(edit(good, "file_size", bad)), StartsWith("file_size:"));
        CHECK_THAT(layout_error(edit(good, "blocks/1/source_symbols", bad)), Contains("blocks[1].source_symbols"));
    }
    CHECK_THAT(layout_error(edit(good, "blocks/1/original_offset", "-1")),
               Contains("expected a non-negative integer, found -1"));
    // 2^53 + 1 reads as 2^53: no longer an exact integer, so refused too.
    std::string beyond = good;
    const std::string size = "\"size\": 3392";
    beyond.replace(beyond.find(size), size.size(), "\"size\": 9007199254740993");
    CHECK_THAT(layout_error(beyond), Contains("blocks[1].size: expected a non-negative integer"));
}

TEST_CASE("a block of size 0, or sizes that do not add up to file_size, are rejected")
{
    const std::string good = librq_chunked();
    CHECK_THAT(layout_error(edit(good, "blocks/1/size", "0")), Contains("blocks[1].size"));
    CHECK_THAT(layout_error(edit(good, "file_size", "68929")),
               Contains("file_size: expected 68928") && Contains("found 68929"));
    CHECK_THAT(layout_error(edit(good, "blocks", "[]")), Contains("file_size: expected 0"));
    // file_size is optional: the model gets the sum.
    Layout layout;
    parse_ok(without(good, "file_size"), layout);
    CHECK(layout.value.file_size == 68928);
}

TEST_CASE("a hash that is not base58 of 32 bytes is rejected")
{
    for (const char *bad : {"\"\"", "\"0OIl\"", "\"../x\"", "12", "[]"}) {
        INFO(bad);
        CHECK_THAT(layout_error(edit(librq_chunked(), "blocks/0/hash", bad)), Contains("blocks[0].hash"));
        CHECK_THAT(layout_error(edit(librq_unchunked(), "hash", bad)), StartsWith("hash:"));
    }
}

TEST_CASE("source_symbols outside 1..56403 is rejected")
{
    CHECK_THAT(layout_error(edit(librq_chunked(), "blocks/0/source_symbols", "0")), Contains("blocks[0].source_symbols"));
    CHECK_THAT(layout_error(edit(librq_unchunked(), "source_symbols", "56404")), StartsWith("source_symbols:"));
}

TEST_CASE("a block that is not an object, or a field given twice, is rejected")
{
    CHECK_THAT(layout_error(edit(librq_chunked(), "blocks/1", "[]")), Contains("blocks[1]: expected an object"));
    std::string twice = librq_chunked();
    const std::string size = "\"size\": 3392,";
    twice.replace(twice.find(size), size.size(), size + " " + size);
    CHECK_THAT(layout_error(twice), Contains("blocks[1]") && Contains("\"size\" appears twice"));
}

TEST_CASE("more than a million blocks, or symbols in a block, is rejected before looking at them")
{
    std::string many = "[0";
    for (size_t i = 0; i < RQ_LAYOUT_MAX_SYMBOLS; i++) {
        many += ",0";
    }
    many += "]";
    CHECK_THAT(layout_error("{\"blocks\": " + many + "}"), Contains("blocks: more than 1000000 blocks"));
    CHECK_THAT(layout_error("{\"encoder_parameters\": " + oti_array(5000) + ", \"symbols\": " + many + "}"),
               Contains("symbols: more than 1000000 symbols"));
}

TEST_CASE("unknown fields and nulls in optional fields are accepted")
{
    const std::string json =
        edit(edit(edit(librq_chunked(), "blocks/0/extra", "{\"a\": [1, 2]}"), "blocks/1/hash", "null"), "version", "3");
    Layout layout;
    parse_ok(json, layout);
    CHECK(std::string(layout.block(1).hash) == "");
}

TEST_CASE("error messages are cut to the buffer and always NUL-terminated")
{
    const std::string json = edit(librq_chunked(), "blocks/1/original_offset", "7");
    rq_layout layout{};
    char err[12];
    std::memset(err, 'x', sizeof err);
    CHECK(rq_layout_parse(json.data(), json.size(), &layout, err, sizeof err) == RQ_ERR_LAYOUT);
    CHECK(std::string(err) == "blocks[1].o");
    CHECK(rq_layout_parse(json.data(), json.size(), &layout, nullptr, 0) == RQ_ERR_LAYOUT);
    CHECK(rq_layout_parse(nullptr, 5, &layout, err, sizeof err) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("reading a layout file reports a missing file as an I/O error and refuses huge files")
{
    const fs::path dir = fs::temp_directory_path() / ("rq_test_layout_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    Layout layout;
    char err[256];

    CHECK(rq_layout_read((dir / "absent.json").c_str(), &layout.value, err, sizeof err) == RQ_ERR_IO);
    CHECK_THAT(std::string(err), Contains("cannot open") && Contains("No such file"));

    CHECK(rq_layout_read(dir.c_str(), &layout.value, err, sizeof err) == RQ_ERR_IO);

    const fs::path good = dir / "good.json";
    std::ofstream(good) << librq_unchunked();
    REQUIRE(rq_layout_read(good.c_str(), &layout.value, err, sizeof err) == RQ_OK);
    CHECK(layout.value.file_size == 5000);
    rq_layout_free(&layout.value);

    const fs::path huge = dir / "huge.json";
    std::ofstream(huge).close();
    fs::resize_file(huge, RQ_LAYOUT_MAX_FILE_BYTES + 1u); // sparse: costs no disk
    CHECK(rq_layout_read(huge.c_str(), &layout.value, err, sizeof err) == RQ_ERR_LAYOUT);
    CHECK_THAT(std::string(err), Contains("too large"));
    fs::remove_all(dir);
}
