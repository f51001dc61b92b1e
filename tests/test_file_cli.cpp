// End-to-end tests of the file commands of `rq` (encode, decode, verify,
// metadata): the built binary is run on real files and symbol directories.
#include "cli_runner.h"
#include "symbol_dirs.h"
#include "rq_test.h"
#include "test_data.h"
#include "rq_library_sample.h"
#include "test_json.h"

#include <cjson/cJSON.h>

extern "C" {
#include "runtime/base58.h"
#include "runtime/blake3.h"
}
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

using rqt::CliResult;
using rqt::Json;
using rqt::parse_json;
using rqt::kExitInput;
using rqt::kExitIo;
using rqt::kExitNeedMore;
using rqt::kExitOk;
using rqt::kExitUsage;
using rqt::run_rq;
using rqt::TempDir;
using rqt::delete_from_each_block;
using rqt::delete_some;
using rqt::id_of_content;
using rqt::symbol_files;

namespace {

std::string print_json(const cJSON *json)
{
    char *text = cJSON_Print(json);
    REQUIRE(text != nullptr);
    std::string out(text);
    cJSON_free(text);
    return out;
}

double number(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    REQUIRE(cJSON_IsNumber(item));
    return item->valuedouble;
}

const cJSON *block_of(const cJSON *result, int index)
{
    const cJSON *block = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, "blocks"), index);
    REQUIRE(block != nullptr);
    return block;
}

/* Names in dir that start with prefix (temporary files of an output, say). */
std::vector<std::string> entries_starting_with(const fs::path &dir, const std::string &prefix)
{
    std::vector<std::string> names;
    for (const fs::directory_entry &entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0) {
            names.push_back(name);
        }
    }
    return names;
}

/* Every file under a final name in dir's block folders holds what its name says. */
void check_every_symbol_file_complete(const fs::path &dir)
{
    for (const auto &block : symbol_files(dir)) {
        for (const fs::path &file : block.second) {
            CAPTURE(file);
            CHECK(id_of_content(file) == file.filename().string());
        }
    }
}

CliResult encode(const TempDir &dir, const fs::path &input, const fs::path &out,
                 const std::vector<std::string> &options = {})
{
    std::vector<std::string> args = {"encode", "--quiet", input.string(), out.string()};
    args.insert(args.end(), options.begin(), options.end());
    return run_rq(dir, args);
}

/* decode with --json; the result object parsed when it succeeded. */
CliResult decode(const TempDir &dir, const fs::path &symbols, const fs::path &output,
                 const std::vector<std::string> &options = {})
{
    std::vector<std::string> args = {"decode", "--json", symbols.string(), output.string()};
    args.insert(args.end(), options.begin(), options.end());
    return run_rq(dir, args);
}

/* Waits until ready() holds while pid runs; false if pid exited first or after 60 s. */
bool wait_while_running(pid_t pid, const std::function<bool()> &ready)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (ready()) {
            return true;
        }
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return false;
}

bool has_symbol_file(const fs::path &dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return false;
    }
    for (const auto &block : symbol_files(dir)) {
        if (!block.second.empty()) {
            return true;
        }
    }
    return false;
}

/* Kills pid with SIGKILL and reaps it; true if it was still running. */
bool kill_now(pid_t pid)
{
    kill(pid, SIGKILL);
    bool killed = false;
    rqt::wait_rq(pid, &killed);
    return killed;
}

/* Runs rq with stderr on a pseudo-terminal (stdout to a file in dir); returns what appeared on it. */
std::string run_rq_on_terminal(const TempDir &dir, const std::vector<std::string> &args)
{
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    const char *slave = ptsname(master);
    REQUIRE(slave != nullptr);
    const pid_t pid = rqt::start_rq(args, dir / "stdout.txt", slave);
    // The bar is small: the terminal's buffer holds it until rq has exited.
    CHECK(rqt::wait_rq(pid) == kExitOk);
    fcntl(master, F_SETFL, O_NONBLOCK);
    std::string seen;
    char buf[4096];
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0) { // then EAGAIN or EIO: all read
        seen.append(buf, static_cast<size_t>(n));
    }
    close(master);
    return seen;
}

/* Symbol size used by most tests: small symbols keep files small and runs fast. */
const std::vector<std::string> kSmallSymbols = {"--symbol-size", "1024"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string> &b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace

TEST_CASE("rq encode and rq decode round trip empty, tiny, exact and odd sizes unchunked")
{
    TempDir dir;
    // 0 bytes, 1 byte, exactly 8 symbols of T = 1024, and an odd size.
    for (size_t size : {size_t{0}, size_t{1}, size_t{8 * 1024}, size_t{12345}}) {
        CAPTURE(size);
        const std::string tag = std::to_string(size);
        const fs::path input = dir / ("in" + tag);
        const std::vector<uint8_t> data = rqt::write_input(input, 100 + size, size);
        const fs::path symbols = dir / ("sym" + tag);
        const CliResult e = encode(dir, input, symbols, kSmallSymbols);
        REQUIRE(e.exit_code == kExitOk);
        CHECK(e.out.empty()); // --quiet

        const Json layout = parse_json(rqt::read_text(symbols / "_raptorq_layout.json"));
        CHECK(number(layout.get(), "file_size") == static_cast<double>(size));
        if (size > 0) {
            // One chunk: the "symbols" form, "blocks" null.
            CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(layout.get(), "symbols")));
            CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(layout.get(), "blocks")));
        }

        const fs::path output = dir / ("out" + tag);
        const CliResult d = decode(dir, symbols, output);
        REQUIRE(d.exit_code == kExitOk);
        CHECK(rqt::read_file(output.string()) == data);
        const Json result = parse_json(d.out);
        CHECK(number(result.get(), "file_size") == static_cast<double>(size));
        CHECK(number(result.get(), "symbols_corrupt") == 0);
        CHECK(number(result.get(), "symbols_missing") == 0);
    }
}

TEST_CASE("rq encode with --block-size below the file size writes one folder per chunk")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 7, 100000);
    const fs::path symbols = dir / "sym";
    // 100000 bytes in 32 KiB chunks: three full chunks and one of 1696 bytes.
    const CliResult e = run_rq(dir, with({"encode", "--json", "--block-size", "32K", input.string(), symbols.string()},
                                         kSmallSymbols));
    REQUIRE(e.exit_code == kExitOk);
    const Json result = parse_json(e.out);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result.get(), "blocks")) == 4);
    // Per chunk: K = ceil(size / 1024) source and ceil(size * 0.5 / 1024) repair symbols.
    CHECK(number(result.get(), "total_source_symbols") == 3 * 32 + 2);
    CHECK(number(result.get(), "total_repair_symbols") == 3 * 16 + 1);

    const Json layout = parse_json(rqt::read_text(symbols / "_raptorq_layout.json"));
    const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(layout.get(), "blocks");
    REQUIRE(cJSON_GetArraySize(blocks) == 4);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(layout.get(), "symbols")));
    const std::map<std::string, std::vector<fs::path>> files = symbol_files(symbols);
    REQUIRE(files.size() == 4);
    for (int i = 0; i < 4; i++) {
        const cJSON *block = cJSON_GetArrayItem(blocks, i);
        CHECK(number(block, "original_offset") == 32768.0 * i);
        const std::string name = "block_" + std::to_string(i);
        CHECK(files.at(name).size() ==
              static_cast<size_t>(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(block, "symbols"))));
    }
    check_every_symbol_file_complete(symbols);

    const fs::path output = dir / "out.bin";
    REQUIRE(decode(dir, symbols, output).exit_code == kExitOk);
    CHECK(rqt::read_file(output.string()) == data);
}

TEST_CASE("rq encode's chunk hashes are the BLAKE3 of each chunk, for passes read whole or in pieces")
{
    // 12 MB and an odd tail: blocks of 64 KB symbols over 4 MiB are read in
    // pieces (one thread), smaller ones whole; a 12 MiB budget cuts blocks
    // into sub-blocks coded in several passes.
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 21, 12000017);
    std::map<std::string, std::string> first_dir;
    for (const char *budget : {"256", "12"}) {
        for (const char *threads : {"1", "3"}) {
            CAPTURE(budget, threads);
            const fs::path symbols = dir / (std::string("sym-") + budget + "-" + threads);
            REQUIRE(encode(dir, input, symbols, {"--memory-budget", budget, "--threads", threads})
                        .exit_code == kExitOk);
            const Json layout = parse_json(rqt::read_text(symbols / "_raptorq_layout.json"));
            const cJSON *block = nullptr;
            cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(layout.get(), "blocks"))
            {
                const size_t offset = size_t(number(block, "original_offset"));
                const size_t size = size_t(number(block, "size"));
                REQUIRE(offset + size <= data.size());
                uint8_t digest[RQ_BLAKE3_OUT_LEN];
                rq_blake3_hash(data.data() + offset, size, digest);
                char want[64];
                REQUIRE(rq_base58_encode(digest, sizeof digest, want, sizeof want) > 0);
                const cJSON *hash = cJSON_GetObjectItemCaseSensitive(block, "hash");
                REQUIRE(cJSON_IsString(hash));
                CHECK(std::string(hash->valuestring) == want);
            }
            // The thread count changes nothing in what is written.
            const std::string written = rqt::read_text(symbols / "_raptorq_layout.json");
            if (!first_dir.count(budget))
                first_dir[budget] = written;
            CHECK(written == first_dir[budget]);
            const fs::path output = symbols.string() + ".out";
            REQUIRE(decode(dir, symbols, output).exit_code == kExitOk);
            CHECK(rqt::read_file(output.string()) == data);
        }
    }
}

TEST_CASE("rq decode succeeds after a quarter of each block's symbol files are deleted")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 8, 300000);
    const fs::path symbols = dir / "sym";
    // R = 1.5: a third of each chunk's symbols are repair symbols, so losing a quarter is fine.
    REQUIRE(encode(dir, input, symbols, with({"--block-size", "64K", "--redundancy", "1.5"}, kSmallSymbols))
                .exit_code == kExitOk);
    const size_t deleted = delete_from_each_block(symbols, 0.25, 1234);

    const fs::path output = dir / "out.bin";
    const CliResult d = decode(dir, symbols, output);
    REQUIRE(d.exit_code == kExitOk);
    CHECK(rqt::read_file(output.string()) == data);
    const Json result = parse_json(d.out);
    CHECK(number(result.get(), "symbols_missing") == static_cast<double>(deleted));
    CHECK(number(result.get(), "symbols_corrupt") == 0);

    // The human summary names the counts.
    const fs::path again = dir / "again.bin";
    const CliResult human = run_rq(dir, {"decode", symbols.string(), again.string()});
    CHECK(human.exit_code == kExitOk);
    CHECK(human.out.find(std::to_string(deleted) + " missing") != std::string::npos);
}

TEST_CASE("rq decode rebuilds a large block after light and after heavy losses")
{
    // K = 3000 symbols of 64 bytes. A few lost symbols are rebuilt straight from the solve
    // (the plan's wanted rows), half of them lost from every intermediate symbol and Enc[]
    // (core/solver.c: combine_wanted chooses; both ways were seen taken here).
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 21, 3000 * 64);
    const fs::path symbols = dir / "sym";
    REQUIRE(encode(dir, input, symbols, {"--symbol-size", "64", "--redundancy", "3"}).exit_code == kExitOk);
    for (double share : {0.02, 0.5}) {
        CAPTURE(share);
        delete_from_each_block(symbols, share, 99);
        const fs::path output = dir / ("out" + std::to_string(int(share * 100)) + ".bin");
        REQUIRE(decode(dir, symbols, output).exit_code == kExitOk);
        CHECK(rqt::read_file(output.string()) == data);
    }
}

TEST_CASE("rq decode with too few symbols exits 4 naming the block and writes nothing")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 9, 300000);
    const fs::path symbols = dir / "sym";
    REQUIRE(encode(dir, input, symbols, with({"--block-size", "64K"}, kSmallSymbols)).exit_code == kExitOk);
    // block_2 holds K = 64 source + 32 repair symbols; keep 61 of them.
    std::vector<fs::path> files = symbol_files(symbols).at("block_2");
    REQUIRE(files.size() == 96);
    delete_some(files, 35.0 / 96.0, 99);

    const fs::path output = dir / "out.bin";
    const CliResult d = run_rq(dir, {"decode", symbols.string(), output.string()});
    CHECK(d.exit_code == kExitNeedMore);
    CHECK(d.err.find("block_2") != std::string::npos);
    CHECK(d.err.find("3 more") != std::string::npos);
    CHECK_FALSE(fs::exists(output));
    CHECK(entries_starting_with(dir.path(), ".out.bin").empty());

    // verify says the same per block and exits 4 too.
    const CliResult v = run_rq(dir, {"verify", "--json", symbols.string()});
    CHECK(v.exit_code == kExitNeedMore);
    const Json result = parse_json(v.out);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(block_of(result.get(), 0), "decodable")));
    const cJSON *b2 = block_of(result.get(), 2);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(b2, "decodable")));
    CHECK(number(b2, "symbols_needed") == 3);
    CHECK(number(b2, "symbols_missing") == 35);
    const CliResult table = run_rq(dir, {"verify", symbols.string()});
    CHECK(table.exit_code == kExitNeedMore);
    CHECK(table.out.find("no (needs 3 more)") != std::string::npos);
}

TEST_CASE("rq decode skips flipped, truncated and foreign symbol files and counts them")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 10, 150000);
    const fs::path symbols = dir / "sym";
    REQUIRE(encode(dir, input, symbols, with({"--block-size", "64K"}, kSmallSymbols)).exit_code == kExitOk);
    const std::map<std::string, std::vector<fs::path>> files = symbol_files(symbols);

    // block_0: one byte flipped, one file cut in half.
    std::vector<uint8_t> flipped = rqt::read_file(files.at("block_0")[3].string());
    flipped[flipped.size() / 2] ^= 0x40;
    rqt::write_bytes(files.at("block_0")[3], flipped);
    const std::vector<uint8_t> whole = rqt::read_file(files.at("block_0")[5].string());
    rqt::write_bytes(files.at("block_0")[5], std::vector<uint8_t>(whole.begin(), whole.begin() + whole.size() / 2));
    // block_1: one file replaced by a file of block_0 under its name, one deleted.
    fs::copy_file(files.at("block_0")[7], files.at("block_1")[2], fs::copy_options::overwrite_existing);
    fs::remove(files.at("block_1")[4]);

    const fs::path output = dir / "out.bin";
    const CliResult d = decode(dir, symbols, output);
    REQUIRE(d.exit_code == kExitOk);
    CHECK(rqt::read_file(output.string()) == data);
    const Json result = parse_json(d.out);
    CHECK(number(result.get(), "symbols_corrupt") == 3);
    CHECK(number(result.get(), "symbols_missing") == 1);

    const CliResult v = run_rq(dir, {"verify", "--json", symbols.string()});
    CHECK(v.exit_code == kExitOk);
    const Json report = parse_json(v.out);
    const cJSON *b0 = block_of(report.get(), 0);
    const cJSON *b1 = block_of(report.get(), 1);
    const double b0_total = static_cast<double>(files.at("block_0").size());
    CHECK(number(b0, "symbols_good") == b0_total - 2);
    CHECK(number(b0, "symbols_corrupt") == 2);
    CHECK(number(b0, "symbols_missing") == 0);
    CHECK(number(b1, "symbols_corrupt") == 1);
    CHECK(number(b1, "symbols_missing") == 1);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b0, "decodable")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b1, "decodable")));

    // The table: block, present, good, corrupt, missing, decodable.
    const CliResult table = run_rq(dir, {"verify", symbols.string()});
    CHECK(table.exit_code == kExitOk);
    CHECK(table.out.find("block_0") != std::string::npos);
    CHECK(table.out.find("yes") != std::string::npos);
    CHECK(table.out.find("3 corrupt") != std::string::npos);
}

TEST_CASE("rq decode and rq verify reject each unsafe or malformed layout, naming the field")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 11, 100000);
    const fs::path chunked = dir / "chunked";
    const fs::path single = dir / "single";
    REQUIRE(encode(dir, input, chunked, with({"--block-size", "32K"}, kSmallSymbols)).exit_code == kExitOk);
    REQUIRE(encode(dir, input, single, kSmallSymbols).exit_code == kExitOk);

    struct BadLayout {
        const char *what;
        bool chunked;
        std::function<void(cJSON *)> damage;
        const char *field; /* must appear in the message */
    };
    auto block = [](cJSON *root, int i) { return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "blocks"), i); };
    auto set_symbol = [block](int b, int s, const std::string &id) {
        return [block, b, s, id](cJSON *root) {
            cJSON *list = cJSON_GetObjectItemCaseSensitive(block(root, b), "symbols");
            cJSON_ReplaceItemInArray(list, s, cJSON_CreateString(id.c_str()));
        };
    };
    const BadLayout cases[] = {
        {"symbol ID ../x", true, set_symbol(0, 0, "../x"), "blocks[0].symbols[0]"},
        {"absolute path", true, set_symbol(1, 2, "/etc/passwd"), "blocks[1].symbols[2]"},
        {"base58 of fewer than 32 bytes", true, set_symbol(0, 1, "3yZe7d"), "blocks[0].symbols[1]"},
        {"base58 of more than 32 bytes", true, set_symbol(2, 0, std::string(50, 'z')), "blocks[2].symbols[0]"},
        {"block_id ../evil", true,
         [block](cJSON *root) { cJSON_ReplaceItemInObject(block(root, 0), "block_id", cJSON_CreateString("../evil")); },
         "blocks[0].block_id"},
        {"missing size", true, [block](cJSON *root) { cJSON_DeleteItemFromObject(block(root, 1), "size"); }, "size"},
        {"size as a string", true,
         [block](cJSON *root) { cJSON_ReplaceItemInObject(block(root, 0), "size", cJSON_CreateString("32768")); },
         "blocks[0].size"},
        {"encoder_parameters not an array", true,
         [block](cJSON *root) {
             cJSON_ReplaceItemInObject(block(root, 0), "encoder_parameters", cJSON_CreateString("x"));
         },
         "blocks[0].encoder_parameters"},
        {"unchunked symbol ID ../x", false,
         [](cJSON *root) {
             cJSON_ReplaceItemInArray(cJSON_GetObjectItemCaseSensitive(root, "symbols"), 0, cJSON_CreateString("../x"));
         },
         "symbols[0]"},
        {"unchunked missing encoder_parameters", false,
         [](cJSON *root) { cJSON_DeleteItemFromObject(root, "encoder_parameters"); }, "encoder_parameters"},
    };
    int round = 0;
    for (const BadLayout &c : cases) {
        CAPTURE(c.what);
        const fs::path symbols = c.chunked ? chunked : single;
        const Json layout = parse_json(rqt::read_text(symbols / "_raptorq_layout.json"));
        c.damage(layout.get());
        const fs::path bad = dir / ("bad" + std::to_string(round++) + ".json");
        rqt::write_text(bad, print_json(layout.get()));

        const fs::path output = dir / "out.bin";
        const CliResult d = run_rq(dir, {"decode", symbols.string(), output.string(), "--layout", bad.string()});
        CHECK(d.exit_code == kExitInput);
        CHECK(d.err.find(c.field) != std::string::npos);
        CHECK_FALSE(fs::exists(output));
        CHECK(entries_starting_with(dir.path(), ".out.bin").empty());
        const CliResult v = run_rq(dir, {"verify", symbols.string(), "--layout", bad.string()});
        CHECK(v.exit_code == kExitInput);
        CHECK(v.err.find(c.field) != std::string::npos);
    }
}

TEST_CASE("rq decode rebuilds the rq-library samples, also with a fifth of each block deleted")
{
    for (const char *name : {"small_1k", "single_64k", "chunked_4k"}) {
        CAPTURE(name);
        TempDir dir;
        const rqt::RqLibrarySample sample = rqt::load_rq_library_sample(name);
        const std::vector<uint8_t> expected = rqt::splitmix_bytes(sample.seed, sample.size);
        // A copy: tests never touch tests/data.
        const fs::path symbols = dir / "symbols";
        fs::copy(rqt::data_path(std::string("rq-library/") + name + "/symbols"), symbols, fs::copy_options::recursive);

        const fs::path output = dir / "out.bin";
        const CliResult d = decode(dir, symbols, output);
        REQUIRE(d.exit_code == kExitOk);
        CHECK(rqt::read_file(output.string()) == expected);

        REQUIRE(delete_from_each_block(symbols, 0.2, 555) > 0);
        const CliResult again = decode(dir, symbols, output, {"--force"});
        REQUIRE(again.exit_code == kExitOk);
        CHECK(rqt::read_file(output.string()) == expected);
        CHECK(number(parse_json(again.out).get(), "symbols_missing") > 0);
    }
}

TEST_CASE("rq encode --format rq-library writes what rq-library wrote, byte for byte")
{
    for (const char *name : {"small_1k", "single_64k", "chunked_4k"}) {
        CAPTURE(name);
        TempDir dir;
        const fs::path input = dir / "in.bin";
        const rqt::RqLibrarySample sample = rqt::write_rq_library_input(name, input);
        const fs::path symbols = dir / "symbols";
        // rq-library's max_memory_mb 1024 is our budget; block_size 0 keeps its chunk rule.
        const CliResult e = encode(dir, input, symbols,
                                   {"--format", "rq-library", "--memory-budget", "1024", "--symbol-size",
                                    std::to_string(sample.symbol_size), "--redundancy",
                                    std::to_string(sample.redundancy_factor), "--block-size",
                                    std::to_string(sample.block_size)});
        REQUIRE(e.exit_code == kExitOk);
        rqt::check_matches_rq_library_sample(symbols, name);
    }
}

TEST_CASE("rq file commands replace existing outputs only with --force")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    const std::vector<uint8_t> data = rqt::write_input(input, 12, 20000);
    const fs::path symbols = dir / "sym";
    REQUIRE(encode(dir, input, symbols, kSmallSymbols).exit_code == kExitOk);

    // encode into a directory that is not empty.
    const std::string layout_before = rqt::read_text(symbols / "_raptorq_layout.json");
    const CliResult again = encode(dir, input, symbols, kSmallSymbols);
    CHECK(again.exit_code == kExitIo);
    CHECK(again.err.find("--force") != std::string::npos);
    CHECK(rqt::read_text(symbols / "_raptorq_layout.json") == layout_before);
    // --force over its own output: a file that holds the right bytes (a symbol, the layout) stays
    // as it is (the same inode), a damaged one is written again.
    const std::vector<fs::path> files = rqt::symbol_files(symbols).begin()->second;
    REQUIRE(files.size() >= 2);
    const fs::path kept = files[0], damaged = files[1];
    const std::vector<uint8_t> good = rqt::read_file(damaged.string());
    std::vector<uint8_t> bad = good;
    bad.back() ^= 1;
    rqt::write_bytes(damaged, bad);
    const auto inode = [](const fs::path &p) {
        struct stat st {};
        REQUIRE(stat(p.c_str(), &st) == 0);
        return st.st_ino;
    };
    const ino_t kept_inode = inode(kept), layout_inode = inode(symbols / "_raptorq_layout.json");
    CHECK(encode(dir, input, symbols, with({"--force"}, kSmallSymbols)).exit_code == kExitOk);
    CHECK(inode(kept) == kept_inode);
    CHECK(inode(symbols / "_raptorq_layout.json") == layout_inode);
    CHECK(rqt::read_file(damaged.string()) == good);

    // decode onto an existing file.
    const fs::path output = dir / "out.bin";
    rqt::write_bytes(output, {1, 2, 3});
    CHECK(decode(dir, symbols, output).exit_code == kExitIo);
    CHECK(rqt::read_file(output.string()) == std::vector<uint8_t>{1, 2, 3});
    CHECK(decode(dir, symbols, output, {"--force"}).exit_code == kExitOk);
    CHECK(rqt::read_file(output.string()) == data);

    // metadata onto an existing layout file.
    const fs::path layout = dir / "layout.json";
    rqt::write_text(layout, "keep");
    CHECK(run_rq(dir, with({"metadata", "-q", input.string(), layout.string()}, kSmallSymbols)).exit_code == kExitIo);
    CHECK(rqt::read_text(layout) == "keep");
    CHECK(run_rq(dir, with({"metadata", "-q", "--force", input.string(), layout.string()}, kSmallSymbols)).exit_code ==
          kExitOk);
    CHECK(rqt::read_text(layout) == layout_before);
}

TEST_CASE("rq metadata writes the layout rq encode writes, and no symbol files")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 13, 100000);
    for (const std::vector<std::string> &options :
         {with({"--block-size", "32K"}, kSmallSymbols), with({"--redundancy", "2.25"}, kSmallSymbols)}) {
        const fs::path symbols = dir / "sym";
        const fs::path meta = dir / "meta";
        fs::remove_all(symbols);
        fs::remove_all(meta);
        fs::create_directory(meta);
        REQUIRE(encode(dir, input, symbols, options).exit_code == kExitOk);
        const CliResult m = run_rq(dir, with({"metadata", "--json", input.string(), (meta / "layout.json").string()},
                                             options));
        REQUIRE(m.exit_code == kExitOk);
        CHECK(number(parse_json(m.out).get(), "file_size") == 100000);
        CHECK(rqt::read_text(meta / "layout.json") == rqt::read_text(symbols / "_raptorq_layout.json"));
        // Nothing but the layout beside it.
        std::vector<std::string> names = entries_starting_with(meta, "");
        CHECK(names == std::vector<std::string>{"layout.json"});
    }
}

TEST_CASE("a killed rq encode leaves no partial file under a final name")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 14, 64u << 20);
    struct Run {
        const char *what;
        std::vector<std::string> options;
        std::function<bool(const fs::path &)> started; /* kill once this holds */
    };
    const Run runs[] = {
        // 16 MiB budget: many chunks; killed once the first symbol files are there.
        {"many chunks", {"--memory-budget", "16"}, has_symbol_file},
        // One 64 MiB chunk coded in several passes through a staging file.
        {"one chunk in passes", {"--memory-budget", "16", "--block-size", "64M"}, nullptr},
    };
    for (const Run &run : runs) {
        CAPTURE(run.what);
        const fs::path out = dir / "sym";
        fs::remove_all(out);
        std::vector<std::string> args = with({"encode", "--quiet", input.string(), out.string()}, run.options);
        const pid_t pid = rqt::start_rq(args, dir / "stdout.txt", dir / "stderr.txt");
        // Without a test of its own: killed while its (unnamed) staging file is open.
        const bool started = wait_while_running(pid, [&] {
            return run.started ? run.started(out) : rqt::holds_unnamed_file(pid, out);
        });
        REQUIRE(started);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        REQUIRE(kill_now(pid));

        CHECK_FALSE(fs::exists(out / "_raptorq_layout.json"));
        check_every_symbol_file_complete(out);
        // Only block folders and the (unlocked) lock file: no staging or temporary file.
        for (const fs::directory_entry &entry : fs::directory_iterator(out)) {
            const std::string name = entry.path().filename().string();
            CAPTURE(name);
            CHECK((name == ".rq-lock" || (entry.is_directory() && name.rfind("block_", 0) == 0)));
        }
    }
}

TEST_CASE("a killed rq decode leaves no output file")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 15, 16u << 20);
    const fs::path symbols = dir / "sym";
    REQUIRE(encode(dir, input, symbols, {"--memory-budget", "16"}).exit_code == kExitOk);
    delete_from_each_block(symbols, 0.2, 77); // decoding then has repair work to do

    const fs::path output = dir / "out.bin";
    const pid_t pid = rqt::start_rq({"decode", "--quiet", symbols.string(), output.string()}, dir / "stdout.txt",
                                    dir / "stderr.txt");
    REQUIRE(wait_while_running(pid, [&] { return rqt::holds_unnamed_file(pid, dir.path()); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(kill_now(pid));
    CHECK_FALSE(fs::exists(output));
    // The output was being written without a name: nothing of it is left.
    CHECK(entries_starting_with(dir.path(), ".out.bin").empty());
}

TEST_CASE("rq file commands check their options strictly")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 16, 1000);
    const std::string in = input.string();
    const std::string out = (dir / "sym").string();
    struct BadOption {
        std::vector<std::string> args;
        int exit_code;
        const char *named; /* in the message */
    };
    const BadOption cases[] = {
        {{"--redundancy", "1.5x"}, kExitUsage, "--redundancy"},
        {{"--redundancy", "-2"}, kExitUsage, "--redundancy"},
        {{"--redundancy", "0.5"}, kExitInput, "redundancy"},
        {{"--symbol-size", "70000"}, kExitInput, "symbol_size"},
        {{"--symbol-size", "12abc"}, kExitUsage, "--symbol-size"},
        {{"--memory-budget", "4"}, kExitInput, "memory_budget"},
        {{"--concurrency", "0"}, kExitInput, "concurrency"},
        {{"--threads", " 1"}, kExitUsage, "--threads"},
        {{"--threads", "5000"}, kExitInput, "threads"},
        {{"--placement", "sideways"}, kExitUsage, "compact, spread, none"},
        {{"--fail-fast=1"}, kExitUsage, "--fail-fast"},
        {{"--block-size", "12Q"}, kExitUsage, "--block-size"},
        {{"--block-size", "M"}, kExitUsage, "--block-size"},
        {{"--backend", "no-such"}, kExitUsage, "scalar"},
        {{"--no-such-option"}, kExitUsage, "--no-such-option"},
    };
    for (const BadOption &c : cases) {
        CAPTURE(c.args);
        const CliResult r = run_rq(dir, with({"encode", in, out}, c.args));
        CHECK(r.exit_code == c.exit_code);
        CHECK(r.err.find(c.named) != std::string::npos);
        CHECK_FALSE(fs::exists(out));
    }
    CHECK(run_rq(dir, {"encode", in}).exit_code == kExitUsage);
    CHECK(run_rq(dir, {"verify", out, "extra"}).exit_code == kExitUsage);
    CHECK(run_rq(dir, {"metadata", in, out, "--layout", "x"}).exit_code == kExitUsage);
    // Good values with suffixes and a fractional factor are accepted.
    CHECK(run_rq(dir, {"encode", "-q", "--block-size", "1k", "--redundancy", "1.25", "--threads", "2",
                       "--concurrency", "1", "--memory-budget", "8", "--backend", "auto", in, out})
              .exit_code == kExitOk);
}

TEST_CASE("rq help lists the file commands and each explains itself")
{
    TempDir dir;
    const CliResult list = run_rq(dir, {"help"});
    CHECK(list.exit_code == kExitOk);
    for (const char *command : {"encode", "decode", "verify", "metadata"}) {
        CAPTURE(command);
        CHECK(list.out.find(std::string("  ") + command) != std::string::npos);
        const CliResult help = run_rq(dir, {command, "--help"});
        CHECK(help.exit_code == kExitOk);
        CHECK(help.out.find(std::string("Usage: rq ") + command) != std::string::npos);
        CHECK(help.out.find("--memory-budget") != std::string::npos);
        CHECK(help.out.find("Exit codes") != std::string::npos);
    }
    CHECK(run_rq(dir, {"encode", "--help"}).out.find("_raptorq_layout.json") != std::string::npos);
}

TEST_CASE("rq encode draws a progress bar only when stderr is a terminal")
{
    TempDir dir;
    const fs::path input = dir / "in.bin";
    rqt::write_input(input, 17, 1u << 20);
    const std::string bar = run_rq_on_terminal(dir, {"encode", input.string(), (dir / "a").string()});
    CHECK(bar.find('\r') != std::string::npos);
    CHECK(bar.find("100%") != std::string::npos);
    CHECK(bar.find("MB/s") != std::string::npos);
    CHECK(bar.back() == '\n');
    CHECK(rqt::read_text(dir / "stdout.txt").find("chunks") != std::string::npos);

    CHECK(run_rq_on_terminal(dir, {"encode", "--quiet", input.string(), (dir / "b").string()}).empty());
    // Not a terminal: the summary on stdout, nothing on stderr.
    const CliResult plain = run_rq(dir, {"decode", (dir / "a").string(), (dir / "out.bin").string()});
    CHECK(plain.exit_code == kExitOk);
    CHECK(plain.err.empty());
    CHECK(plain.out.find("1048576 bytes") != std::string::npos);
}
