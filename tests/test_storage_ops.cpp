// What a storage node does to symbol directories, end to end. `rq repair`:
// directories that lost and damaged files (chunked and not, sub-blocks,
// rq-library layouts) come back identical to the fresh encode; an
// undecodable block is left as it is while the others are repaired; a
// killed repair leaves no partial file under a final name. `rq reencode`:
// a directory for new settings equals `rq encode` of the original file with
// them, also from a damaged directory; failures leave nothing behind.
#include "cli_runner.h"
#include "rq_test.h"
#include "splitmix64.h"
#include "symbol_dirs.h"
#include "test_data.h"
#include "test_json.h"
#include "runtime/symbol_repair.h"

#include <rq/rq_batch.h>

#include <cjson/cJSON.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

using rqt::CliResult;
using rqt::files_under;
using rqt::kExitNeedMore;
using rqt::kExitOk;
using rqt::parse_json;
using rqt::run_rq;
using rqt::symbol_files;
using rqt::TempDir;

namespace {

using Snapshot = std::map<std::string, std::vector<uint8_t>>;

double number(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    REQUIRE(cJSON_IsNumber(item));
    return item->valuedouble;
}

/* "" when the two hold the same files, else the first difference and how many differ. */
std::string difference(const Snapshot &actual, const Snapshot &expected)
{
    std::string first;
    size_t count = 0;
    auto note = [&](const std::string &what) {
        if (count++ == 0) {
            first = what;
        }
    };
    for (const auto &[name, bytes] : expected) {
        auto it = actual.find(name);
        if (it == actual.end()) {
            note("missing " + name);
        } else if (it->second != bytes) {
            note("different " + name);
        }
    }
    for (const auto &entry : actual) {
        if (!expected.count(entry.first)) {
            note("extra " + entry.first);
        }
    }
    return count ? first + " (" + std::to_string(count) + " files differ)" : "";
}

/* Encodes a fresh input of size bytes into dir/symbols with options; returns what it wrote. */
Snapshot encode_fresh(const TempDir &dir, size_t size, const std::vector<std::string> &options)
{
    rqt::write_input(dir / "input.bin", size, size);
    std::vector<std::string> args = {"encode", "--quiet", (dir / "input.bin").string(),
                                     (dir / "symbols").string()};
    args.insert(args.end(), options.begin(), options.end());
    CliResult r = run_rq(dir, args);
    REQUIRE(r.exit_code == kExitOk);
    return files_under(dir / "symbols");
}

/* Damages up to count of the files still there: a flipped byte, every other one also truncated. */
size_t damage_some(const std::vector<fs::path> &files, size_t count, uint64_t seed)
{
    size_t damaged = 0;
    uint64_t state = seed;
    std::set<size_t> picked;
    for (size_t n = 0; n < count && !files.empty(); n++) {
        const size_t i = rq_test_splitmix64_next(&state) % files.size();
        const fs::path &file = files[i];
        if (!fs::exists(file) || !picked.insert(i).second) {
            continue;
        }
        std::vector<uint8_t> bytes = rqt::read_file(file.string());
        bytes[bytes.size() / 2] ^= 0x5a;
        if (n % 2) {
            bytes.resize(bytes.size() - 3); /* a truncated one too */
        }
        rqt::write_bytes(file, bytes);
        damaged++;
    }
    return damaged;
}

/* Loses fraction of every block's files and damages a few more; returns how many files in all. */
size_t lose_and_damage(const fs::path &symbols, double fraction, uint64_t seed)
{
    size_t lost = 0;
    for (const auto &block : symbol_files(symbols)) {
        lost += rqt::delete_some(block.second, fraction, seed);
        lost += damage_some(block.second, 3, seed + 1000);
        seed++;
    }
    return lost;
}

/* rq repair --json on dir/symbols: the exit code and the result object. */
std::pair<int, rqt::Json> repair(const TempDir &dir, const std::vector<std::string> &options = {})
{
    std::vector<std::string> args = {"repair", "--json", (dir / "symbols").string()};
    args.insert(args.end(), options.begin(), options.end());
    CliResult r = run_rq(dir, args);
    INFO(r.err);
    REQUIRE(!r.out.empty());
    return {r.exit_code, parse_json(r.out)};
}

/* The OTI fields of chunk `index` of the layout: {Z, N}. */
std::pair<int, int> blocks_and_sub_blocks(const TempDir &dir, int index)
{
    rqt::Json layout = parse_json(rqt::read_text(dir / "symbols" / "_raptorq_layout.json"));
    const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(layout.get(), "blocks");
    const cJSON *b = cJSON_IsArray(blocks) ? cJSON_GetArrayItem(blocks, index) : layout.get();
    const cJSON *oti = cJSON_GetObjectItemCaseSensitive(b, "encoder_parameters");
    REQUIRE(cJSON_GetArraySize(oti) == 12);
    int Z = cJSON_GetArrayItem(oti, 8)->valueint;
    int N = cJSON_GetArrayItem(oti, 9)->valueint * 256 + cJSON_GetArrayItem(oti, 10)->valueint;
    return {Z, N};
}

/* Repairs a damaged copy of the fresh encode and checks it is the fresh encode again. */
void check_repair_restores(const TempDir &dir, const Snapshot &fresh, double fraction, uint64_t seed,
                           const std::vector<std::string> &options = {})
{
    const size_t lost = lose_and_damage(dir / "symbols", fraction, seed);
    REQUIRE(lost > 0);
    REQUIRE(difference(files_under(dir / "symbols"), fresh) != "");
    auto [code, result] = repair(dir, options);
    CHECK(code == kExitOk);
    CHECK(number(result.get(), "symbols_rewritten") == static_cast<double>(lost));
    CHECK(number(result.get(), "symbols_corrupt") + number(result.get(), "symbols_missing") ==
          static_cast<double>(lost));
    CHECK(difference(files_under(dir / "symbols"), fresh) == "");
}

} // namespace

TEST_CASE("rq repair brings a single-block directory back to the fresh encode, byte for byte")
{
    TempDir dir;
    const Snapshot fresh = encode_fresh(dir, 300001, {"--symbol-size", "1024"});
    check_repair_restores(dir, fresh, 0.25, 1);
}

TEST_CASE("rq repair restores chunked directories, also after a whole chunk folder is lost")
{
    TempDir dir;
    const Snapshot fresh = encode_fresh(dir, 1000003, {"--symbol-size", "2048", "--block-size", "256K"});
    REQUIRE(symbol_files(dir / "symbols").size() == 4);
    check_repair_restores(dir, fresh, 0.3, 7);
    /* Only repair symbols lost (the encoding plan's way) and only source symbols lost. */
    for (const auto &block : symbol_files(dir / "symbols")) {
        REQUIRE(block.second.size() > 2);
    }
    check_repair_restores(dir, fresh, 0.05, 11);
    fs::remove_all(dir / "symbols" / "block_2");
    fs::remove(dir / "symbols" / "block_1" / symbol_files(dir / "symbols")["block_1"][0].filename());
    auto [code, result] = repair(dir);
    CHECK(code == kExitNeedMore);
    CHECK(!fs::exists(dir / "symbols" / "block_2"));
    const cJSON *b2 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result.get(), "blocks"), 2);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(b2, "decodable")));
    CHECK(number(b2, "symbols_rewritten") == 0);
    CHECK(number(b2, "symbols_needed") > 0);
    /* block_1 was repaired although block_2 could not be. */
    const cJSON *b1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result.get(), "blocks"), 1);
    CHECK(number(b1, "symbols_rewritten") == 1);
}

TEST_CASE("rq repair rebuilds only what source symbols alone or repair symbols alone lost")
{
    TempDir dir;
    const Snapshot fresh = encode_fresh(dir, 200000, {"--symbol-size", "1000"});
    rqt::Json layout = parse_json(rqt::read_text(dir / "symbols" / "_raptorq_layout.json"));
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(layout.get(), "symbols");
    REQUIRE(cJSON_GetArraySize(ids) > 250);
    const fs::path folder = dir / "symbols" / "block_0";
    for (int first : {0, 201}) { /* K = 200: the first source symbols, then repair symbols */
        for (int i = first; i < first + 20; i++) {
            REQUIRE(fs::remove(folder / cJSON_GetArrayItem(ids, i)->valuestring));
        }
        auto [code, result] = repair(dir);
        CHECK(code == kExitOk);
        CHECK(number(result.get(), "symbols_rewritten") == 20);
        CHECK(difference(files_under(dir / "symbols"), fresh) == "");
    }
}

TEST_CASE("rq repair of blocks with sub-blocks, coded in several passes")
{
    TempDir dir;
    /* One 4 MB chunk of 2 KiB symbols with a 10 MiB budget: sub-blocks, a pass each. */
    const Snapshot fresh = encode_fresh(dir, 4000000, {"--symbol-size", "2048", "--memory-budget", "10",
                                                       "--block-size", "16M"});
    auto [Z, N] = blocks_and_sub_blocks(dir, 0);
    INFO("Z " << Z << " N " << N);
    REQUIRE(N > 1);
    check_repair_restores(dir, fresh, 0.2, 21, {"--memory-budget", "10"});
}

TEST_CASE("which symbol a layout entry is follows the order the good files agree with")
{
    rq_layout_block lb{};
    /* F = 3000, T = 8, Z = 4: blocks of 94, 94, 94 and 93 source symbols, 40 repairs in all. */
    lb.oti = rq_oti{3000, 8, 4, 1, 8};
    lb.n_symbols = 375 + 40;
    std::vector<rq_symbol_slot> slots(lb.n_symbols);
    /* No good file: librq's shares, in proportion to K (11, 11, 11, the rest 7). */
    REQUIRE(rq_layout_symbol_slots(&lb, nullptr, nullptr, 0, slots.data()) == RQ_OK);
    CHECK((slots[104].sbn == 0 && slots[104].esi == 104));
    CHECK((slots[105].sbn == 1 && slots[105].esi == 0));
    CHECK((slots[414].sbn == 3 && slots[414].esi == 99));
    /* A good file at entry 104 that is (1, 0): rq-library's order, 10 repairs each. */
    size_t index[] = {104, 300};
    rq_symbol_slot known[] = {{1, 0}, {2, 92}};
    REQUIRE(rq_layout_symbol_slots(&lb, index, known, 2, slots.data()) == RQ_OK);
    CHECK((slots[103].sbn == 0 && slots[103].esi == 103));
    CHECK((slots[414].sbn == 3 && slots[414].esi == 102));
    /* One that fits neither: refused. */
    rq_symbol_slot odd[] = {{1, 0}, {2, 93}};
    CHECK(rq_layout_symbol_slots(&lb, index, odd, 2, slots.data()) == RQ_ERR_LAYOUT);
    lb.n_symbols = 300; /* fewer entries than source symbols */
    CHECK(rq_layout_symbol_slots(&lb, nullptr, nullptr, 0, slots.data()) == RQ_ERR_LAYOUT);
}

TEST_CASE("rq repair restores an rq-library directory (every source block the same repair count)")
{
    TempDir dir;
    const Snapshot fresh = encode_fresh(dir, 700000, {"--format", "rq-library", "--symbol-size", "512",
                                                      "--memory-budget", "8"});
    check_repair_restores(dir, fresh, 0.2, 31);
}

TEST_CASE("rq repair of a whole directory touches nothing; an undecodable one is left as it is")
{
    TempDir dir;
    const Snapshot fresh = encode_fresh(dir, 100000, {"--symbol-size", "1024"});
    const fs::path some = symbol_files(dir / "symbols")["block_0"][3];
    const auto before = fs::last_write_time(some);
    auto [code, result] = repair(dir);
    CHECK(code == kExitOk);
    CHECK(number(result.get(), "symbols_rewritten") == 0);
    CHECK(fs::last_write_time(some) == before);

    rqt::delete_from_each_block(dir / "symbols", 0.5, 3);
    const Snapshot damaged = files_under(dir / "symbols");
    auto [code2, result2] = repair(dir);
    CHECK(code2 == kExitNeedMore);
    CHECK(difference(files_under(dir / "symbols"), damaged) == "");
    CHECK(number(result2.get(), "symbols_rewritten") == 0);
    CliResult text = run_rq(dir, {"repair", (dir / "symbols").string()});
    CHECK(text.exit_code == kExitNeedMore);
    CHECK(text.out.find("cannot be decoded (needs") != std::string::npos);
}

TEST_CASE("a killed rq repair leaves no partial file under a final name, and a rerun finishes it")
{
    TempDir dir;
    const Snapshot fresh = encode_fresh(dir, 6000000, {"--symbol-size", "512", "--block-size", "1M"});
    uint64_t state = 77;
    rqt::delete_from_each_block(dir / "symbols", 0.3, 100);
    for (int round = 0; round < 6; round++) {
        pid_t pid = rqt::start_rq({"repair", "--quiet", (dir / "symbols").string()}, dir / "out.txt",
                                  dir / "err.txt");
        std::this_thread::sleep_for(std::chrono::milliseconds(rq_test_splitmix64_next(&state) % 400));
        kill(pid, SIGKILL);
        rqt::wait_rq(pid);
        for (const auto &block : symbol_files(dir / "symbols")) {
            for (const fs::path &file : block.second) {
                CAPTURE(file);
                REQUIRE(rqt::id_of_content(file) == file.filename().string());
            }
        }
    }
    auto [code, result] = repair(dir);
    CHECK(code == kExitOk);
    CHECK(difference(files_under(dir / "symbols"), fresh) == "");
}

TEST_CASE("rq repair reports a missing directory and a bad layout, and explains itself")
{
    TempDir dir;
    CHECK(run_rq(dir, {"repair", (dir / "nowhere").string()}).exit_code == rqt::kExitIo);
    fs::create_directories(dir / "symbols");
    rqt::write_text(dir / "symbols" / "_raptorq_layout.json", "{\"symbols\": 3}");
    CHECK(run_rq(dir, {"repair", (dir / "symbols").string()}).exit_code == rqt::kExitInput);
    CliResult help = run_rq(dir, {"repair", "--help"});
    CHECK(help.exit_code == kExitOk);
    CHECK(help.out.find("exactly the missing and") != std::string::npos);
    CHECK(run_rq(dir, {"repair"}).exit_code == rqt::kExitUsage);
}

namespace {

/* rq encode of dir/input.bin with options into dir/name: what a re-encode must equal. */
Snapshot encode_reference(const TempDir &dir, const std::string &name, const std::vector<std::string> &options)
{
    std::vector<std::string> args = {"encode", "--quiet", (dir / "input.bin").string(), (dir / name).string()};
    args.insert(args.end(), options.begin(), options.end());
    REQUIRE(run_rq(dir, args).exit_code == kExitOk);
    return files_under(dir / name);
}

CliResult reencode(const TempDir &dir, const std::string &out, const std::vector<std::string> &options)
{
    std::vector<std::string> args = {"reencode", "--quiet", (dir / "symbols").string(), (dir / out).string()};
    args.insert(args.end(), options.begin(), options.end());
    return run_rq(dir, args);
}

/* Names in dir that are not the given ones (scratch files left behind, say), joined by spaces. */
std::string others_in(const fs::path &dir, const std::set<std::string> &known)
{
    std::string names;
    for (const fs::directory_entry &e : fs::directory_iterator(dir)) {
        if (!known.count(e.path().filename().string())) {
            names += e.path().filename().string() + " ";
        }
    }
    return names;
}

} // namespace

TEST_CASE("rq reencode writes what rq encode of the original file writes, for several settings")
{
    TempDir dir;
    encode_fresh(dir, 1500007, {"--symbol-size", "1024", "--block-size", "400K"});
    const std::vector<std::vector<std::string>> settings = {
        {"--symbol-size", "2048", "--redundancy", "2"},                  /* one chunk, more repair */
        {"--symbol-size", "512", "--block-size", "256K"},                /* more, smaller chunks */
        {"--symbol-size", "1400", "--block-size", "1M", "--redundancy", "1.25"}, /* chunks across old ones */
        {"--format", "rq-library", "--symbol-size", "1024"},
        {"--symbol-size", "2048", "--memory-budget", "10", "--block-size", "16M"}, /* sub-blocks */
    };
    int n = 0;
    for (const auto &options : settings) {
        const std::string name = "new" + std::to_string(n), ref = "ref" + std::to_string(n++);
        CAPTURE(name);
        const Snapshot expected = encode_reference(dir, ref, options);
        CliResult r = reencode(dir, name, options);
        INFO(r.err);
        REQUIRE(r.exit_code == kExitOk);
        CHECK(difference(files_under(dir / name), expected) == "");
    }
    CHECK(others_in(dir.path(), {"symbols", "input.bin", "new0", "new1", "new2", "new3", "new4", "ref0", "ref1",
                                 "ref2", "ref3", "ref4", "stdout.txt", "stderr.txt"}) == "");
}

TEST_CASE("rq reencode from a directory that lost a quarter of its files, and from an rq-library one")
{
    TempDir dir;
    encode_fresh(dir, 900001, {"--format", "rq-library", "--symbol-size", "512", "--memory-budget", "8"});
    rqt::delete_from_each_block(dir / "symbols", 0.25, 9);
    const std::vector<std::string> options = {"--symbol-size", "4096", "--block-size", "300K"};
    const Snapshot expected = encode_reference(dir, "ref", options);
    CliResult r = reencode(dir, "new", options);
    INFO(r.err);
    REQUIRE(r.exit_code == kExitOk);
    CHECK(difference(files_under(dir / "new"), expected) == "");
}

TEST_CASE("rq reencode fails cleanly: too few symbols, OUT_DIR inside the symbols or not empty")
{
    TempDir dir;
    encode_fresh(dir, 600000, {"--symbol-size", "1024", "--block-size", "200K"});
    const Snapshot before = files_under(dir / "symbols");
    CHECK(reencode(dir, "symbols/inner", {"--redundancy", "2"}).exit_code == rqt::kExitIo);
    CHECK(!fs::exists(dir / "symbols" / "inner"));
    fs::create_directories(dir / "busy");
    rqt::write_text(dir / "busy" / "note", "x");
    CHECK(reencode(dir, "busy", {"--redundancy", "2"}).exit_code == rqt::kExitIo);
    CHECK(others_in(dir / "busy", {"note"}) == "");

    /* The last chunk loses too much: the new chunks before it were written, then all removed again. */
    rqt::delete_some(symbol_files(dir / "symbols")["block_2"], 0.6, 4);
    CliResult r = reencode(dir, "new", {"--symbol-size", "512", "--block-size", "100K"});
    CHECK(r.exit_code == kExitNeedMore);
    CHECK(r.err.find("block_2") != std::string::npos);
    CHECK(!fs::exists(dir / "new"));
    CHECK(others_in(dir.path(), {"symbols", "input.bin", "busy", "stdout.txt", "stderr.txt"}) == "");
    CHECK(difference(files_under(dir / "symbols"), before) != "");
}

TEST_CASE("a killed rq reencode leaves no layout, no partial file and no named scratch file")
{
    TempDir dir;
    encode_fresh(dir, 6000000, {"--symbol-size", "1024", "--block-size", "1M"});
    const std::vector<std::string> options = {"--symbol-size", "2048", "--block-size", "700K"};
    const Snapshot expected = encode_reference(dir, "ref", options);
    uint64_t state = 5;
    for (int round = 0; round < 5; round++) {
        std::vector<std::string> args = {"reencode", "--quiet", "--force", (dir / "symbols").string(),
                                         (dir / "new").string()};
        args.insert(args.end(), options.begin(), options.end());
        pid_t pid = rqt::start_rq(args, dir / "out.txt", dir / "err.txt");
        std::this_thread::sleep_for(std::chrono::milliseconds(50 + rq_test_splitmix64_next(&state) % 500));
        kill(pid, SIGKILL);
        rqt::wait_rq(pid);
        CHECK(others_in(dir.path(), {"symbols", "input.bin", "ref", "new", "out.txt", "err.txt", "stdout.txt",
                                     "stderr.txt"}) == "");
        if (!fs::exists(dir / "new")) {
            continue;
        }
        for (const auto &block : symbol_files(dir / "new")) {
            for (const fs::path &file : block.second) {
                CAPTURE(file);
                REQUIRE(rqt::id_of_content(file) == file.filename().string());
            }
        }
        /* A killed run may leave its unlocked lock file (runtime/dir_lock.h), whatever came before. */
        Snapshot now = files_under(dir / "new");
        now.erase(".rq-lock");
        const bool finished = difference(now, expected) == "";
        CHECK((finished || !fs::exists(dir / "new" / "_raptorq_layout.json")));
    }
    CliResult r = reencode(dir, "new", {"--force", "--symbol-size", "2048", "--block-size", "700K"});
    REQUIRE(r.exit_code == kExitOk);
    CHECK(difference(files_under(dir / "new"), expected) == "");
}

namespace {

/* The JSON lines rq batch --json printed: its job lines by manifest line, and the summary. */
struct BatchOutput {
    std::map<size_t, rqt::Json> jobs;
    rqt::Json summary;
};

BatchOutput parse_batch(const std::string &out)
{
    BatchOutput b;
    size_t at = 0;
    while (at < out.size()) {
        size_t end = out.find('\n', at);
        std::string line = out.substr(at, end == std::string::npos ? std::string::npos : end - at);
        at = end == std::string::npos ? out.size() : end + 1;
        if (line.empty()) {
            continue;
        }
        rqt::Json j = parse_json(line);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j.get(), "summary"))) {
            b.summary = std::move(j);
        } else {
            b.jobs[static_cast<size_t>(number(j.get(), "line"))] = std::move(j);
        }
    }
    REQUIRE(b.summary != nullptr);
    return b;
}

std::string job_line(const std::string &op, const fs::path &input, const fs::path &output = {})
{
    std::string line = "{\"op\": \"" + op + "\", \"input\": \"" + input.string() + "\"";
    if (!output.empty()) {
        line += ", \"output\": \"" + output.string() + "\"";
    }
    return line + "}\n";
}

} // namespace

TEST_CASE("rq batch: 200 small and 3 large jobs with 5 failing ones under a 64 MiB budget")
{
    TempDir dir;
    fs::create_directories(dir / "in");
    std::string manifest = "# a storage node's night\n";
    std::map<size_t, size_t> sizes; /* manifest line -> input size */
    size_t line = 1;
    for (int i = 0; i < 203; i++) {
        const size_t size = i < 200 ? 1 + static_cast<size_t>(i) * 997 % 60000 : (16u << 20) + static_cast<size_t>(i);
        const fs::path input = dir / "in" / ("f" + std::to_string(i));
        rqt::write_input(input, 1000 + static_cast<uint64_t>(i), size);
        manifest += job_line("encode", input, dir / "out" / ("f" + std::to_string(i)));
        sizes[++line] = size;
        if (i == 100) {
            manifest += "\n";
            line++;
        }
    }
    /* The failing five: a missing input, an output that is not empty, a malformed layout, too few symbols, no directory. */
    fs::create_directories(dir / "taken");
    rqt::write_text(dir / "taken" / "x", "x");
    fs::create_directories(dir / "badlayout");
    rqt::write_text(dir / "badlayout" / "_raptorq_layout.json", "{\"blocks\": 7}");
    rqt::write_input(dir / "short.bin", 3, 200000);
    REQUIRE(run_rq(dir, {"encode", "--quiet", (dir / "short.bin").string(), (dir / "short")}).exit_code == kExitOk);
    rqt::delete_from_each_block(dir / "short", 0.6, 1);
    manifest += job_line("encode", dir / "missing.bin", dir / "m");
    manifest += job_line("encode", dir / "short.bin", dir / "taken");
    manifest += job_line("decode", dir / "badlayout", dir / "bad.bin");
    manifest += job_line("decode", dir / "short", dir / "short.out");
    manifest += job_line("repair", dir / "nowhere");
    const std::map<size_t, int> failing = {{line + 1, rqt::kExitIo}, {line + 2, rqt::kExitIo},
                                           {line + 3, rqt::kExitInput}, {line + 4, kExitNeedMore},
                                           {line + 5, rqt::kExitIo}};
    rqt::write_text(dir / "jobs.jsonl", manifest);

    CliResult r = run_rq(dir, {"batch", "--json", "--memory-budget", "64", "--large", "8", "--concurrency", "4",
                               (dir / "jobs.jsonl").string()});
    CHECK(r.exit_code == rqt::kExitIo); /* the first failure in manifest order */
    BatchOutput b = parse_batch(r.out);
    CHECK(b.jobs.size() == 208);
    CHECK(number(b.summary.get(), "failed") == 5);
    CHECK(number(b.summary.get(), "succeeded") == 203);
    for (const auto &[at, job] : b.jobs) {
        CAPTURE(at);
        const bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(job.get(), "ok"));
        CHECK(ok == !failing.count(at));
        if (failing.count(at)) {
            CHECK(number(job.get(), "exit_code") == failing.at(at));
        }
    }
    /* Buffers within the budget, and no file held whole: the 16 MiB inputs would show. The bound is over
       the peak of a batch of one small job, which holds what rq itself needs (and, under qemu, the
       emulator's translated code). */
    const double peak_mib = number(b.summary.get(), "peak_rss_kib") / 1024;
    rqt::write_text(dir / "one.jsonl", job_line("encode", dir / "in" / "f1", dir / "one"));
    CliResult base = run_rq(dir, {"batch", "--json", "--memory-budget", "64", (dir / "one.jsonl").string()});
    REQUIRE(base.exit_code == kExitOk);
    const double base_mib = number(parse_batch(base.out).summary.get(), "peak_rss_kib") / 1024;
    INFO("peak RSS " << peak_mib << " MiB, " << base_mib << " MiB for one small job");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    WARN("peak RSS not checked under a sanitizer (its shadow memory counts): " << peak_mib << " MiB");
#else
    CHECK(peak_mib < base_mib + 64 + 8);
#endif

    /* Every good output decodes to its input: a second batch, decoding all 203. */
    std::string decodes;
    for (int i = 0; i < 203; i++) {
        decodes += job_line("decode", dir / "out" / ("f" + std::to_string(i)), dir / "back" / ("f" + std::to_string(i)));
    }
    fs::create_directories(dir / "back");
    rqt::write_text(dir / "decodes.jsonl", decodes);
    CliResult d = run_rq(dir, {"batch", "--quiet", "--memory-budget", "64", "--large", "8",
                               (dir / "decodes.jsonl").string()});
    REQUIRE(d.exit_code == kExitOk);
    for (int i = 0; i < 203; i++) {
        const std::string name = "f" + std::to_string(i);
        CHECK(rqt::read_file((dir / "back" / name).string()) == rqt::read_file((dir / "in" / name).string()));
    }
}

TEST_CASE("rq batch refuses a malformed manifest before running anything, and stops with --fail-fast")
{
    TempDir dir;
    rqt::write_input(dir / "a.bin", 1, 5000);
    rqt::write_text(dir / "m.jsonl", job_line("encode", dir / "a.bin", dir / "a") + "{\"op\": \"encode\", \"input\": 3}\n");
    CliResult r = run_rq(dir, {"batch", (dir / "m.jsonl").string()});
    CHECK(r.exit_code == rqt::kExitInput);
    CHECK(r.err.find("m.jsonl:2: \"input\" must be a non-empty string") != std::string::npos);
    CHECK(!fs::exists(dir / "a"));
    for (const std::string bad : {"{\"op\": \"zip\", \"input\": \"x\"}", "{\"op\": \"repair\", \"input\": \"x\", \"output\": \"y\"}",
                                  "{\"op\": \"encode\", \"input\": \"x\", \"output\": \"y\", \"threads\": 4}", "[1]"}) {
        rqt::write_text(dir / "bad.jsonl", bad + "\n");
        CAPTURE(bad);
        CHECK(run_rq(dir, {"batch", (dir / "bad.jsonl").string()}).exit_code == rqt::kExitInput);
    }
    /* --fail-fast with one worker: the failure stops the batch; the rest are reported as not run. */
    std::string jobs = job_line("encode", dir / "missing.bin", dir / "m");
    for (int i = 0; i < 5; i++) {
        jobs += job_line("encode", dir / "a.bin", dir / ("a" + std::to_string(i)));
    }
    rqt::write_text(dir / "ff.jsonl", jobs);
    CliResult f = run_rq(dir, {"batch", "--json", "--fail-fast", "--concurrency", "1", (dir / "ff.jsonl").string()});
    CHECK(f.exit_code == rqt::kExitIo);
    BatchOutput b = parse_batch(f.out);
    CHECK(number(b.summary.get(), "not_run") == 5);
    CHECK(!fs::exists(dir / "a0"));
    CHECK(run_rq(dir, {"batch"}).exit_code == rqt::kExitUsage);
    CHECK(run_rq(dir, {"batch", "--help"}).out.find("one JSON object per") != std::string::npos);
}

namespace {

struct JobsSession {
    rq_session *s = nullptr;
    JobsSession() { REQUIRE(rq_session_create(&s) == RQ_OK); }
    ~JobsSession() { rq_session_destroy(s); }
};

struct Ended {
    std::vector<size_t> order;
    std::vector<rq_status> status;
};

void note_end(void *user, size_t i, const rq_file_job_outcome *o)
{
    auto *e = static_cast<Ended *>(user);
    e->order.push_back(i);
    e->status.push_back(o->status);
}

void free_outcomes(std::vector<rq_file_job_outcome> &outcomes)
{
    for (auto &o : outcomes)
        rq_file_result_free(&o.result);
}

} // namespace

TEST_CASE("rq_run_file_jobs runs encode, decode, verify and failing jobs side by side and reports each")
{
    TempDir dir;
    std::vector<std::vector<uint8_t>> data;
    for (int i = 0; i < 4; i++)
        data.push_back(rqt::write_input(dir / ("in" + std::to_string(i)), 40 + (uint64_t)i, 30000 + 1000 * (size_t)i));
    const rq_job_setting small[] = {{RQ_SESSION_SYMBOL_SIZE, 1024}};
    std::vector<std::string> p;
    for (const char *name : {"in0", "s0", "in1", "s1", "missing", "s2", "in3", "s3", "s0", "out0"})
        p.push_back((dir / name).string());
    std::vector<rq_file_job> jobs = {
        {RQ_JOB_ENCODE, p[0].c_str(), p[1].c_str(), nullptr, small, 1, 0},
        {RQ_JOB_ENCODE, p[2].c_str(), p[3].c_str(), nullptr, small, 1, 0},
        {RQ_JOB_ENCODE, p[4].c_str(), p[5].c_str(), nullptr, nullptr, 0, 0}, /* no such input */
        {RQ_JOB_ENCODE, p[6].c_str(), p[7].c_str(), nullptr, nullptr, 0, 0},
    };
    JobsSession session;
    Ended ended;
    rq_jobs_options opt{2, 0, 0, note_end, &ended};
    std::vector<rq_file_job_outcome> out(jobs.size());
    CHECK(rq_run_file_jobs(session.s, jobs.data(), jobs.size(), &opt, out.data()) == RQ_ERR_IO);
    CHECK(ended.order.size() == 4);
    for (size_t i : {0u, 1u, 3u}) {
        INFO("job " << i);
        CHECK(out[i].ran);
        CHECK(out[i].status == RQ_OK);
        CHECK(out[i].result.json != nullptr);
    }
    CHECK(out[0].result.source_symbols == 30); /* the job's symbol size: 30000 bytes in 1024-byte symbols */
    CHECK(out[2].status == RQ_ERR_IO);
    CHECK(std::string(out[2].message).find("missing") != std::string::npos);
    free_outcomes(out);

    // Then decode and verify what they wrote: all succeed.
    std::vector<rq_file_job> second = {
        {RQ_JOB_DECODE, p[8].c_str(), p[9].c_str(), nullptr, nullptr, 0, 0},
        {RQ_JOB_VERIFY, p[3].c_str(), nullptr, nullptr, nullptr, 0, 0},
    };
    std::vector<rq_file_job_outcome> out2(second.size());
    rq_jobs_options plain{0, 0, 0, nullptr, nullptr};
    REQUIRE(rq_run_file_jobs(session.s, second.data(), second.size(), &plain, out2.data()) == RQ_OK);
    CHECK(rqt::read_file(p[9]) == data[0]);
    free_outcomes(out2);
}

TEST_CASE("rq_run_file_jobs with fail_fast starts nothing after a failure, and a progress callback cancels")
{
    TempDir dir;
    rqt::write_input(dir / "in", 50, 20000);
    std::vector<std::string> outs;
    for (int i = 0; i < 6; i++)
        outs.push_back((dir / ("s" + std::to_string(i))).string());
    const std::string in = (dir / "in").string(), missing = (dir / "missing").string();
    std::vector<rq_file_job> jobs;
    jobs.push_back({RQ_JOB_ENCODE, missing.c_str(), outs[0].c_str(), nullptr, nullptr, 0, 0});
    for (int i = 1; i < 6; i++)
        jobs.push_back({RQ_JOB_ENCODE, in.c_str(), outs[(size_t)i].c_str(), nullptr, nullptr, 0, 0});
    JobsSession session;
    std::vector<rq_file_job_outcome> out(jobs.size());
    SECTION("fail_fast")
    {
        rq_jobs_options opt{1, 0, 1, nullptr, nullptr};
        CHECK(rq_run_file_jobs(session.s, jobs.data(), jobs.size(), &opt, out.data()) == RQ_ERR_IO);
        CHECK(out[0].ran);
        for (size_t i = 1; i < jobs.size(); i++)
            CHECK_FALSE(out[i].ran);
        CHECK_FALSE(fs::exists(outs[1]));
    }
    SECTION("cancelled by the session's progress callback after two jobs")
    {
        rq_session_set_progress(
            session.s, [](void *, uint64_t done, uint64_t) { return done >= 2 ? 1 : 0; }, nullptr);
        rq_jobs_options opt{1, 0, 0, nullptr, nullptr};
        CHECK(rq_run_file_jobs(session.s, jobs.data(), jobs.size(), &opt, out.data()) == RQ_ERR_CANCELLED);
        CHECK_FALSE(out[5].ran);
        const char *msg = "";
        rq_session_last_error(session.s, &msg);
        CHECK(std::string(msg).find("cancelled") != std::string::npos);
    }
    free_outcomes(out);
    const rq_file_job bad = {RQ_JOB_ENCODE, nullptr, nullptr, nullptr, nullptr, 0, 0};
    rq_jobs_options opt{1, 0, 0, nullptr, nullptr};
    rq_file_job_outcome one;
    CHECK(rq_run_file_jobs(session.s, &bad, 1, &opt, &one) == RQ_ERR_INVALID_ARGUMENT);
}
