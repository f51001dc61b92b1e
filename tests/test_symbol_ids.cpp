// Symbol IDs match an existing deployment (tests/data/rq-library): every
// symbol file it wrote is named base58(BLAKE3(file content)), and every block
// hash it reported is base58(BLAKE3(block bytes)).
#include <catch2/catch.hpp>

#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "test_data.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string symbol_id(const uint8_t *data, size_t len)
{
    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash(data, len, hash);
    char text[RQ_BASE58_ID_CAP];
    REQUIRE(rq_base58_encode(hash, sizeof hash, text, sizeof text) > 0);
    return text;
}

/* The sample folders under rq-library/, sorted. */
std::vector<std::string> sample_names()
{
    std::vector<std::string> names;
    for (const fs::directory_entry &entry : fs::directory_iterator(rqt::data_path("rq-library"))) {
        if (entry.is_directory()) {
            names.push_back(entry.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

/* Every file in the block_* folders of a sample's symbols/, sorted. */
std::vector<fs::path> symbol_files(const std::string &sample)
{
    std::vector<fs::path> files;
    for (const fs::directory_entry &block : fs::directory_iterator(rqt::data_path("rq-library/" + sample + "/symbols"))) {
        if (!block.is_directory() || block.path().filename().string().rfind("block_", 0) != 0) {
            continue;
        }
        for (const fs::directory_entry &file : fs::directory_iterator(block.path())) {
            files.push_back(file.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

TEST_CASE("every rq-library symbol file is named base58(BLAKE3(content))")
{
    const std::vector<std::string> samples = sample_names();
    REQUIRE(samples.size() == 3);
    size_t checked = 0;
    for (const std::string &sample : samples) {
        const std::vector<fs::path> files = symbol_files(sample);
        CAPTURE(sample);
        CHECK(!files.empty());
        for (const fs::path &path : files) {
            const std::string name = path.filename().string();
            CAPTURE(name);
            CHECK(rq_symbol_id_is_valid(name.c_str()) == 1);
            const std::vector<uint8_t> content = rqt::read_file(path.string());
            CHECK(symbol_id(content.data(), content.size()) == name);
            checked++;
        }
    }
    CHECK(checked == 412);
}

TEST_CASE("every rq-library block hash is base58(BLAKE3(block bytes))")
{
    for (const std::string &name : sample_names()) {
        const rqt::RqLibrarySample sample = rqt::load_rq_library_sample(name);
        CAPTURE(name);
        const std::vector<uint8_t> input = rqt::splitmix_bytes(sample.seed, static_cast<size_t>(sample.size));
        uint64_t covered = 0;
        for (const rqt::RqLibraryBlock &block : sample.blocks) {
            CAPTURE(block.block_id);
            REQUIRE(block.original_offset == covered);
            REQUIRE(block.original_offset + block.size <= input.size());
            CHECK(symbol_id(input.data() + block.original_offset, static_cast<size_t>(block.size)) == block.hash);
            covered += block.size;
        }
        CHECK(covered == sample.size);
    }
}
