#include "test_data.h"

#include "runtime/sha256.h"
#include "splitmix64.h"

#include <cjson/cJSON.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#ifndef RQ_TEST_DATA_DIR
#error "RQ_TEST_DATA_DIR must name the tests/data folder"
#endif

namespace rqt {
namespace {

struct JsonDeleter {
    void operator()(cJSON *json) const { cJSON_Delete(json); }
};
using JsonPtr = std::unique_ptr<cJSON, JsonDeleter>;

[[noreturn]] void fail(const std::string &where, const std::string &what)
{
    throw std::runtime_error(where + ": " + what);
}

JsonPtr load_json(const std::string &relative)
{
    const std::string path = data_path(relative);
    std::vector<uint8_t> bytes = read_file(path);
    std::string text(bytes.begin(), bytes.end());
    JsonPtr root(cJSON_ParseWithLength(text.c_str(), text.size()));
    if (!root) {
        fail(path, "not valid JSON");
    }
    return root;
}

const cJSON *member(const cJSON *object, const char *name, const std::string &where)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (item == nullptr) {
        fail(where, std::string("missing field \"") + name + "\"");
    }
    return item;
}

uint64_t integer(const cJSON *object, const char *name, const std::string &where)
{
    const cJSON *item = member(object, name, where);
    if (!cJSON_IsNumber(item) || item->valuedouble < 0 || item->valuedouble > 9007199254740992.0 ||
        std::floor(item->valuedouble) != item->valuedouble) {
        fail(where, std::string("field \"") + name + "\" is not a non-negative integer");
    }
    return static_cast<uint64_t>(item->valuedouble);
}

uint32_t integer32(const cJSON *object, const char *name, const std::string &where)
{
    uint64_t value = integer(object, name, where);
    if (value > UINT32_MAX) {
        fail(where, std::string("field \"") + name + "\" is above 2^32");
    }
    return static_cast<uint32_t>(value);
}

std::string string_field(const cJSON *object, const char *name, const std::string &where)
{
    const cJSON *item = member(object, name, where);
    if (!cJSON_IsString(item)) {
        fail(where, std::string("field \"") + name + "\" is not a string");
    }
    return item->valuestring;
}

const cJSON *array_field(const cJSON *object, const char *name, const std::string &where)
{
    const cJSON *item = member(object, name, where);
    if (!cJSON_IsArray(item)) {
        fail(where, std::string("field \"") + name + "\" is not an array");
    }
    return item;
}

VectorBlock parse_block(const cJSON *json, const std::string &where)
{
    VectorBlock block;
    block.sbn = integer32(json, "sbn", where);
    block.K = integer32(json, "K", where);
    block.K_prime = integer32(json, "Kprime", where);
    const cJSON *symbol;
    cJSON_ArrayForEach(symbol, array_field(json, "symbols", where))
    {
        block.symbols.push_back({integer32(symbol, "esi", where), string_field(symbol, "sha256", where)});
    }
    return block;
}

VectorCase parse_case(const cJSON *json, const std::string &file)
{
    VectorCase c;
    c.name = string_field(json, "name", file);
    const std::string where = file + " case " + c.name;
    c.seed = integer(json, "seed", where);
    c.F = integer(json, "F", where);
    c.T = integer32(json, "T", where);
    c.Z = integer32(json, "Z", where);
    c.N = integer32(json, "N", where);
    c.Al = integer32(json, "Al", where);
    c.oti_hex = string_field(json, "oti_hex", where);
    c.oti_from = string_field(json, "oti_from", where);
    const cJSON *packets = member(json, "packets_file", where);
    if (cJSON_IsString(packets)) {
        c.packets_file = packets->valuestring;
    } else if (!cJSON_IsNull(packets)) {
        fail(where, "packets_file is neither a string nor null");
    }
    const cJSON *block;
    cJSON_ArrayForEach(block, array_field(json, "blocks", where))
    {
        c.blocks.push_back(parse_block(block, where));
    }
    return c;
}

} // namespace

std::string data_path(const std::string &relative)
{
    return std::string(RQ_TEST_DATA_DIR) + "/" + relative;
}

std::vector<uint8_t> read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fail(path, "cannot open");
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        fail(path, "read error");
    }
    return bytes;
}

std::vector<uint8_t> hex_decode(const std::string &hex)
{
    auto nibble = [&hex](char ch) -> uint8_t {
        if (ch >= '0' && ch <= '9') {
            return static_cast<uint8_t>(ch - '0');
        }
        if (ch >= 'a' && ch <= 'f') {
            return static_cast<uint8_t>(ch - 'a' + 10);
        }
        if (ch >= 'A' && ch <= 'F') {
            return static_cast<uint8_t>(ch - 'A' + 10);
        }
        fail("hex \"" + hex + "\"", "not a hex digit");
    };
    if (hex.size() % 2 != 0) {
        fail("hex \"" + hex + "\"", "odd length");
    }
    std::vector<uint8_t> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); i++) {
        out[i] = static_cast<uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
    }
    return out;
}

std::string hex_encode(const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (size_t i = 0; i < len; i++) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 15]);
    }
    return out;
}

std::string sha256_hex(const uint8_t *data, size_t len)
{
    char hex[2 * RQ_SHA256_SIZE + 1];
    rq_sha256_hex(data, len, hex);
    return hex;
}

std::vector<uint8_t> splitmix_bytes(uint64_t seed, size_t len)
{
    std::vector<uint8_t> out(len);
    rq_test_splitmix64_fill(seed, out.data(), len);
    return out;
}

size_t VectorCase::symbol_count() const
{
    size_t count = 0;
    for (const VectorBlock &block : blocks) {
        count += block.symbols.size();
    }
    return count;
}

std::vector<VectorCase> load_cases()
{
    const std::string file = "rfc6330/cases.json";
    JsonPtr root = load_json(file);
    if (string_field(root.get(), "prng", file) != "splitmix64-le") {
        fail(file, "unknown prng");
    }
    std::vector<VectorCase> cases;
    const cJSON *json;
    cJSON_ArrayForEach(json, array_field(root.get(), "cases", file))
    {
        cases.push_back(parse_case(json, file));
    }
    if (cases.empty()) {
        fail(file, "no cases");
    }
    return cases;
}

std::vector<AllKEntry> load_allk()
{
    const std::string file = "rfc6330/allk.json";
    JsonPtr root = load_json(file);
    if (string_field(root.get(), "prng", file) != "splitmix64-le" || integer(root.get(), "T", file) != 8 ||
        integer(root.get(), "Z", file) != 1 || integer(root.get(), "N", file) != 1 ||
        integer(root.get(), "Al", file) != 1) {
        fail(file, "unexpected generator or parameters");
    }
    std::vector<AllKEntry> entries;
    const cJSON *json;
    cJSON_ArrayForEach(json, array_field(root.get(), "entries", file))
    {
        entries.push_back({integer32(json, "K", file), string_field(json, "repair_sha256", file),
                           string_field(json, "esi_1048576_sha256", file)});
    }
    return entries;
}

std::vector<Table2Row> load_table2()
{
    const std::string file = "rfc6330/tables.json";
    JsonPtr root = load_json(file);
    std::vector<Table2Row> rows;
    const cJSON *row;
    cJSON_ArrayForEach(row, array_field(root.get(), "systematic_indices", file))
    {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != 5) {
            fail(file, "a systematic_indices row is not 5 numbers");
        }
        uint32_t v[5];
        for (int i = 0; i < 5; i++) {
            const cJSON *item = cJSON_GetArrayItem(row, i);
            if (!cJSON_IsNumber(item) || item->valuedouble < 0) {
                fail(file, "a systematic_indices entry is not a number");
            }
            v[i] = static_cast<uint32_t>(item->valuedouble);
        }
        rows.push_back({v[0], v[1], v[2], v[3], v[4]});
    }
    return rows;
}

std::vector<Blake3Vector> load_blake3_vectors()
{
    const std::string file = "blake3/test_vectors.json";
    JsonPtr root = load_json(file);
    std::vector<Blake3Vector> vectors;
    const cJSON *json;
    cJSON_ArrayForEach(json, array_field(root.get(), "cases", file))
    {
        vectors.push_back({static_cast<size_t>(integer(json, "input_len", file)), string_field(json, "hash", file)});
    }
    if (vectors.empty()) {
        fail(file, "no cases");
    }
    return vectors;
}

RqLibrarySample load_rq_library_sample(const std::string &name)
{
    RqLibrarySample sample;
    sample.name = name;
    const std::string input_file = "rq-library/" + name + "/input.json";
    JsonPtr input = load_json(input_file);
    sample.seed = integer(input.get(), "seed", input_file);
    sample.size = integer(input.get(), "size", input_file);
    sample.symbol_size = integer32(input.get(), "symbol_size", input_file);
    sample.redundancy_factor = integer32(input.get(), "redundancy_factor", input_file);
    sample.block_size = integer(input.get(), "block_size", input_file);

    const std::string result_file = "rq-library/" + name + "/result.json";
    JsonPtr result = load_json(result_file);
    const cJSON *json;
    cJSON_ArrayForEach(json, array_field(result.get(), "blocks", result_file))
    {
        sample.blocks.push_back({integer32(json, "block_id", result_file), integer(json, "original_offset", result_file),
                                 integer(json, "size", result_file), string_field(json, "hash", result_file)});
    }
    if (sample.blocks.empty()) {
        fail(result_file, "no blocks");
    }
    return sample;
}

} // namespace rqt
