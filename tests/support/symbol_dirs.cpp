#include "symbol_dirs.h"

#include "rq_test.h"
#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "splitmix64.h"
#include "test_data.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace rqt {

std::map<std::string, std::vector<fs::path>> symbol_files(const fs::path &dir)
{
    std::map<std::string, std::vector<fs::path>> blocks;
    for (const fs::directory_entry &block : fs::directory_iterator(dir)) {
        const std::string name = block.path().filename().string();
        if (!block.is_directory() || name.rfind("block_", 0) != 0) {
            continue;
        }
        std::vector<fs::path> &files = blocks[name];
        for (const fs::directory_entry &file : fs::directory_iterator(block.path())) {
            if (file.path().filename().string()[0] != '.') {
                files.push_back(file.path());
            }
        }
        std::sort(files.begin(), files.end());
    }
    return blocks;
}

size_t delete_some(std::vector<fs::path> files, double fraction, uint64_t seed)
{
    uint64_t state = seed;
    for (size_t i = files.size(); i > 1; i--) {
        std::swap(files[i - 1], files[rq_test_splitmix64_next(&state) % i]);
    }
    const size_t count = static_cast<size_t>(fraction * static_cast<double>(files.size()) + 0.5);
    for (size_t i = 0; i < count; i++) {
        REQUIRE(fs::remove(files[i]));
    }
    return count;
}

size_t delete_from_each_block(const fs::path &dir, double fraction, uint64_t seed)
{
    size_t deleted = 0;
    for (const auto &block : symbol_files(dir)) {
        deleted += delete_some(block.second, fraction, seed++);
    }
    return deleted;
}

std::string id_of_content(const fs::path &file)
{
    const std::vector<uint8_t> bytes = read_file(file.string());
    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash(bytes.data(), bytes.size(), hash);
    char id[RQ_BASE58_ID_CAP];
    REQUIRE(rq_base58_encode(hash, sizeof hash, id, sizeof id) > 0);
    return id;
}

} // namespace rqt
