// The rq-library drop-in (include/rq-library.h) through librq_library.so:
// every function and return code, the result JSON parsed back, the files
// compared byte for byte with what an rq-library deployment wrote
// (tests/data/rq-library), decoding after deleting the first symbol names
// in sorted order (as rq-go's tests do), and sessions on several threads.
#include <catch2/catch.hpp>

#include "cli_runner.h"
#include "rq-library.h"
#include "test_data.h"
#include "rq_library_sample.h"
#include "test_json.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using rqt::Json;
using rqt::TempDir;

namespace {

constexpr size_t kResultLen = 16 * 1024; // rq-go's buffer

/* A session freed on scope exit. */
struct Session {
    uintptr_t id;
    Session(uint16_t symbol_size = 1024, uint8_t redundancy = 4, uint64_t memory_mb = 1024, uint64_t limit = 4)
        : id(raptorq_init_session(symbol_size, redundancy, memory_mb, limit))
    {
        REQUIRE(id != 0);
    }
    ~Session() { raptorq_free_session(id); }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;
    std::string last_error() const
    {
        char buf[1024];
        REQUIRE(raptorq_get_last_error(id, buf, sizeof buf) == 0);
        return buf;
    }
};

struct Call {
    int32_t code;
    std::string result;
};

Call encode(const Session &s, const fs::path &input, const fs::path &out, uintptr_t block_size = 0)
{
    std::vector<char> buf(kResultLen);
    const int32_t code = raptorq_encode_file(s.id, input.c_str(), out.c_str(), block_size, buf.data(), buf.size());
    return {code, code == 0 ? std::string(buf.data()) : ""};
}

Call metadata(const Session &s, const fs::path &input, const std::string &layout, uintptr_t block_size = 0)
{
    std::vector<char> buf(4 * 1024 * 1024);
    const int32_t code =
        raptorq_create_metadata(s.id, input.c_str(), layout.c_str(), block_size, buf.data(), buf.size());
    return {code, code == 0 ? std::string(buf.data()) : ""};
}

int32_t decode(const Session &s, const fs::path &symbols, const fs::path &output, const fs::path &layout)
{
    return raptorq_decode_symbols(s.id, symbols.c_str(), output.c_str(), layout.c_str());
}

/* Deletes the first n symbol files of each block folder in sorted order; returns how many went. */
size_t delete_first_sorted(const fs::path &symbols, size_t n)
{
    size_t gone = 0;
    for (const fs::directory_entry &block : fs::directory_iterator(symbols)) {
        if (!block.is_directory()) {
            continue;
        }
        std::vector<fs::path> files;
        for (const fs::directory_entry &f : fs::directory_iterator(block.path())) {
            files.push_back(f.path());
        }
        std::sort(files.begin(), files.end());
        for (size_t i = 0; i < n && i < files.size(); i++, gone++) {
            fs::remove(files[i]);
        }
    }
    return gone;
}

} // namespace

TEST_CASE("raptorq_init_session counts ids up from 1, never reuses one, and refuses what it cannot serve")
{
    const uintptr_t a = raptorq_init_session(65535, 4, 16384, 4);
    const uintptr_t b = raptorq_init_session(65535, 4, 16384, 4);
    REQUIRE(a >= 1);
    CHECK(b == a + 1);
    CHECK(raptorq_free_session(a));
    CHECK_FALSE(raptorq_free_session(a));
    const uintptr_t c = raptorq_init_session(1024, 2, 64, 1);
    CHECK(c == b + 1);
    CHECK(raptorq_free_session(b));
    CHECK(raptorq_free_session(c));
    CHECK_FALSE(raptorq_free_session(0));
    CHECK_FALSE(raptorq_free_session(c + 1000));

    CHECK(raptorq_init_session(0, 4, 1024, 4) == 0);
    CHECK(raptorq_init_session(1024, 0, 1024, 4) == 0);
    CHECK(raptorq_init_session(1024, 4, 7, 4) == 0);
    CHECK(raptorq_init_session(1024, 4, 1024, 0) == 0);
    const uintptr_t big_limit = raptorq_init_session(1024, 4, 1024, 1u << 20);
    CHECK(big_limit != 0);
    raptorq_free_session(big_limit);
    // The largest budget the header accepts, 2^43 MB (found by fuzz_rq_library:
    // 2^63 bytes did not fit the session's signed budget), and one above it.
    const uintptr_t largest = raptorq_init_session(1024, 4, 1ull << 43, 1);
    CHECK(largest != 0);
    raptorq_free_session(largest);
    CHECK(raptorq_init_session(1024, 4, (1ull << 43) + 1, 1) == 0);
}

TEST_CASE("raptorq_version and raptorq_get_last_error check their buffers")
{
    char buf[128];
    CHECK(raptorq_version(nullptr, 128) == -1);
    CHECK(raptorq_version(buf, 5) == -1);
    REQUIRE(raptorq_version(buf, sizeof buf) == 0);
    CHECK(std::string(buf) == "librq 0.2.0 (rq-library ABI 0.1.0)");

    Session s;
    CHECK(s.last_error().empty()); // fresh
    CHECK(raptorq_get_last_error(s.id, nullptr, 16) == -1);
    CHECK(raptorq_get_last_error(s.id, buf, 0) == -1);
    CHECK(raptorq_get_last_error(s.id + 1000, buf, sizeof buf) == -1);

    TempDir dir;
    CHECK(encode(s, dir / "missing.bin", dir / "out").code == -12);
    const std::string full = s.last_error();
    CHECK(full.find("missing.bin") != std::string::npos);
    char small[8];
    REQUIRE(raptorq_get_last_error(s.id, small, sizeof small) == 0);
    CHECK(std::string(small) == full.substr(0, 7));
}

TEST_CASE("raptorq_get_recommended_block_size follows rq-library's rule")
{
    Session s(65535, 4, 64);
    const uint64_t safe = static_cast<uint64_t>(64.0 * 1024 * 1024 / 1.5);
    CHECK(raptorq_get_recommended_block_size(s.id, 0) == 0);
    CHECK(raptorq_get_recommended_block_size(s.id, safe - 1) == 0);
    CHECK(raptorq_get_recommended_block_size(s.id, safe) == safe / 4 / 65535 * 65535);
    CHECK(raptorq_get_recommended_block_size(s.id, 1ull << 40) == safe / 4 / 65535 * 65535);
    Session big(65535, 4, 16384);
    CHECK(raptorq_get_recommended_block_size(big.id, 1ull << 30) == 0);
    CHECK(raptorq_get_recommended_block_size(s.id + 1000, 1ull << 40) == 0);
    Session tiny_symbols(8, 4, 8);
    CHECK(raptorq_get_recommended_block_size(tiny_symbols.id, 1ull << 30) ==
          static_cast<uint64_t>(8.0 * 1024 * 1024 / 1.5) / 4 / 8 * 8);
}

TEST_CASE("raptorq_encode_file writes what rq-library wrote and returns its result JSON")
{
    for (const char *name : {"small_1k", "single_64k", "chunked_4k"}) {
        CAPTURE(name);
        TempDir dir;
        const fs::path input = dir / "in.bin";
        const rqt::RqLibrarySample sample = rqt::write_rq_library_input(name, input);
        Session s(static_cast<uint16_t>(sample.symbol_size), static_cast<uint8_t>(sample.redundancy_factor), 1024);
        const fs::path symbols = dir / "symbols";
        const Call c = encode(s, input, symbols, sample.block_size);
        REQUIRE(c.code == 0);
        CHECK(s.last_error().empty());

        rqt::check_matches_rq_library_sample(symbols, name);
        const fs::path expected = rqt::data_path(std::string("rq-library/") + name);

        // The result: the sample's, with its paths made relative, and compact.
        Json result = rqt::parse_json(c.result);
        CHECK(c.result.find('\n') == std::string::npos);
        CHECK(std::string(cJSON_GetObjectItem(result.get(), "symbols_directory")->valuestring) == symbols.string());
        CHECK(std::string(cJSON_GetObjectItem(result.get(), "layout_file_path")->valuestring) ==
              (symbols / "_raptorq_layout.json").string());
        cJSON_ReplaceItemInObject(result.get(), "symbols_directory", cJSON_CreateString("symbols"));
        cJSON_ReplaceItemInObject(result.get(), "layout_file_path", cJSON_CreateString("symbols/_raptorq_layout.json"));
        Json sample_result = rqt::parse_json(rqt::read_text(expected / "result.json"));
        CHECK(cJSON_Compare(result.get(), sample_result.get(), 1));

        // Into the same directory again: it succeeds and changes nothing.
        REQUIRE(encode(s, input, symbols, sample.block_size).code == 0);
        rqt::check_matches_rq_library_sample(symbols, name);
    }
}

TEST_CASE("raptorq_decode_symbols rebuilds the file after the first symbol names of each block are deleted")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 41, 300000);
    for (uintptr_t block_size : {uintptr_t{0}, uintptr_t{65536}}) {
        CAPTURE(block_size);
        Session s(4096, 4, 1024);
        const fs::path symbols = dir / ("sym" + std::to_string(block_size));
        REQUIRE(encode(s, input, symbols, block_size).code == 0);
        // The first names in sorted order are a random mix of source and repair symbols.
        REQUIRE(delete_first_sorted(symbols, 20) > 0); // the last block has 10 + 28
        const fs::path output = dir / "out.bin";
        rqt::write_bytes(output, std::vector<uint8_t>(500000, 7)); // longer than the file: replaced
        const int32_t code = decode(s, symbols, output, symbols / "_raptorq_layout.json");
        INFO(s.last_error());
        REQUIRE(code == 0);
        CHECK(rqt::read_file(output.string()) == data);
        CHECK(s.last_error().empty());
    }
}

TEST_CASE("raptorq_create_metadata writes the layout encode writes, or returns it, and no symbol file")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 5, 100000);
    Session s(1024, 4, 1024);
    REQUIRE(encode(s, input, dir / "symbols", 30000).code == 0);
    const std::string layout_path = (dir / "meta.json").string();
    const Call written = metadata(s, input, layout_path, 30000);
    REQUIRE(written.code == 0);
    CHECK(rqt::read_text(layout_path) == rqt::read_text(dir / "symbols" / "_raptorq_layout.json"));
    Json result = rqt::parse_json(written.result);
    CHECK(std::string(cJSON_GetObjectItem(result.get(), "symbols_directory")->valuestring).empty());
    CHECK(std::string(cJSON_GetObjectItem(result.get(), "layout_file_path")->valuestring) == layout_path);
    CHECK(cJSON_GetObjectItem(result.get(), "layout_content") == nullptr);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(result.get(), "blocks")) == 4);

    const Call returned = metadata(s, input, "", 30000);
    REQUIRE(returned.code == 0);
    Json r2 = rqt::parse_json(returned.result);
    const cJSON *content = cJSON_GetObjectItem(r2.get(), "layout_content");
    REQUIRE(cJSON_IsString(content));
    CHECK(cJSON_Compare(rqt::parse_json(content->valuestring).get(), rqt::parse_json(rqt::read_text(layout_path)).get(), 1));
    CHECK(std::string(cJSON_GetObjectItem(r2.get(), "layout_file_path")->valuestring).empty());
    size_t entries = 0;
    for (const fs::directory_entry &e : fs::directory_iterator(dir.path())) {
        (void)e;
        entries++;
    }
    CHECK(entries == 3); // in.bin, symbols, meta.json
}

TEST_CASE("raptorq_encode_file and raptorq_create_metadata return rq-library's codes, with a message")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 6, 20000);
    Session s(1024, 4, 1024);
    char buf[kResultLen];
    const char *in = input.c_str();
    const std::string out = (dir / "out").string();
    CHECK(raptorq_encode_file(s.id, nullptr, out.c_str(), 0, buf, sizeof buf) == -2);
    CHECK(s.last_error().find("input_path") != std::string::npos);
    CHECK(raptorq_encode_file(s.id, in, nullptr, 0, buf, sizeof buf) == -2);
    CHECK(raptorq_encode_file(s.id, in, out.c_str(), 0, nullptr, sizeof buf) == -2);
    CHECK(raptorq_create_metadata(s.id, in, nullptr, 0, buf, sizeof buf) == -2);
    CHECK(raptorq_encode_file(s.id, in, "bad\xff\xfe", 0, buf, sizeof buf) == -2);
    CHECK(s.last_error().find("UTF-8") != std::string::npos);
    CHECK(raptorq_encode_file(s.id, "\xc0\xaf", out.c_str(), 0, buf, sizeof buf) == -2); // overlong '/'
    CHECK(raptorq_encode_file(s.id + 1000, in, out.c_str(), 0, buf, sizeof buf) == -5);

    CHECK(encode(s, dir / "nope.bin", dir / "out").code == -12);
    rqt::write_bytes(dir / "empty.bin", {});
    CHECK(encode(s, dir / "empty.bin", dir / "out").code == -14);
    CHECK(s.last_error().find("empty") != std::string::npos);
    CHECK(encode(s, dir.path(), dir / "out").code == -11);            // input is a directory
    rqt::write_bytes(dir / "a_file", {1, 2, 3});
    CHECK(encode(s, input, dir / "a_file").code == -11);              // output_dir is a file
    CHECK(encode(s, input, dir / "a_file" / "below").code == -11);    // cannot be created
    CHECK(metadata(s, input, (dir / "no_dir" / "layout.json").string()).code == -11);

    // The result does not fit: -4, but the work is done.
    CHECK(raptorq_encode_file(s.id, in, out.c_str(), 0, buf, 10) == -4);
    CHECK(fs::exists(dir / "out" / "_raptorq_layout.json"));
    CHECK(raptorq_encode_file(s.id, in, out.c_str(), 0, buf, 0) == -4);
    CHECK(s.last_error().find("buffer") != std::string::npos);
    // A success clears the message.
    REQUIRE(encode(s, input, dir / "out").code == 0);
    CHECK(s.last_error().empty());

    // A block whose sub-blocks do not fit max_memory_mb: -16.
    Session small(65535, 4, 8);
    rqt::write_input(dir / "big.bin", 7, 16u << 20);
    CHECK(encode(small, dir / "big.bin", dir / "big", 16u << 20).code == -16);
    CHECK(small.last_error().find("MiB") != std::string::npos);
}

TEST_CASE("raptorq_decode_symbols returns rq-library's codes, with a message")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 8, 50000);
    Session s(1024, 4, 1024);
    const fs::path symbols = dir / "symbols";
    REQUIRE(encode(s, input, symbols).code == 0);
    const fs::path layout = symbols / "_raptorq_layout.json";
    const fs::path output = dir / "out.bin";
    CHECK(raptorq_decode_symbols(s.id, nullptr, output.c_str(), layout.c_str()) == -2);
    CHECK(raptorq_decode_symbols(s.id, symbols.c_str(), nullptr, layout.c_str()) == -2);
    CHECK(raptorq_decode_symbols(s.id, symbols.c_str(), output.c_str(), nullptr) == -2);
    CHECK(decode(s, symbols, output, dir / "no_layout.json") == -12);
    // The layout is checked first.
    CHECK(decode(s, dir / "no_symbols", output, dir / "no_layout.json") == -12);
    CHECK(decode(s, dir / "no_symbols", output, layout) == -13);
    CHECK(decode(s, input, output, layout) == -13); // a file, not a directory
    CHECK(raptorq_decode_symbols(s.id + 1000, symbols.c_str(), output.c_str(), layout.c_str()) == -5);
    CHECK(decode(s, symbols, dir / "no_dir" / "out.bin", layout) == -11);
    CHECK(decode(s, symbols, dir.path(), layout) == -11); // output is a directory

    rqt::write_text(dir / "bad.json", "{\"blocks\": [{\"block_id\": 0}]}");
    CHECK(decode(s, symbols, output, dir / "bad.json") == -15);
    CHECK(s.last_error().find("blocks[0]") != std::string::npos);
    rqt::write_text(dir / "empty.json", "");
    CHECK(decode(s, symbols, output, dir / "empty.json") == -15);

    // Too few symbols (49 source and 147 repair symbols, 46 left): -15, and no output.
    delete_first_sorted(symbols, 150);
    CHECK(decode(s, symbols, output, layout) == -15);
    CHECK(s.last_error().find("more") != std::string::npos);
    CHECK_FALSE(fs::exists(output));
}

TEST_CASE("a session's concurrency limit fails the call beyond it with -17")
{
    TempDir dir;
    const fs::path big = dir / "big.bin";
    rqt::write_input(big, 9, 48u << 20);
    rqt::write_input(dir / "small.bin", 10, 1000);
    Session s(65535, 4, 1024, 1);
    std::atomic<bool> done{false};
    std::thread worker([&] {
        CHECK(encode(s, big, dir / "big_out").code == 0);
        done = true;
    });
    // Once the big encode has made its directory it holds the session's one slot.
    while (!done && !fs::exists(dir / "big_out")) {
        std::this_thread::yield();
    }
    bool refused = false;
    int tries = 0;
    while (!done && !refused) {
        const Call c = encode(s, dir / "small.bin", dir / ("small_out" + std::to_string(tries++ % 2)));
        refused = c.code == -17;
        REQUIRE((c.code == 0 || c.code == -17));
    }
    worker.join();
    CHECK(refused);
    CHECK(encode(s, dir / "small.bin", dir / "small_after").code == 0);
}

TEST_CASE("sessions on several threads encode and decode at once, each with its own results")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 11, 3u << 20);
    constexpr int kThreads = 4;
    std::vector<int32_t> codes(kThreads * 2, -100);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&, t] {
            Session s(4096, 2, 256);
            const fs::path symbols = dir / ("sym" + std::to_string(t));
            codes[2 * t] = encode(s, input, symbols, 1u << 20).code;
            codes[2 * t + 1] = decode(s, symbols, dir / ("out" + std::to_string(t)), symbols / "_raptorq_layout.json");
        });
    }
    for (std::thread &t : threads) {
        t.join();
    }
    for (int t = 0; t < kThreads; t++) {
        CHECK(codes[2 * t] == 0);
        CHECK(codes[2 * t + 1] == 0);
        CHECK(rqt::read_file((dir / ("out" + std::to_string(t))).string()) == data);
        CHECK(rqt::files_under(dir / ("sym" + std::to_string(t))) == rqt::files_under(dir / "sym0"));
    }
}
