// What a hostile or careless operator does to a symbol directory and the
// outputs of `rq`, each once a defect: FIFOs and links named like symbol
// files, device nodes and the symbol set itself as OUTPUT, killed runs'
// leftovers, layouts made to exhaust memory, two encodes into one folder.
#include "cli_runner.h"
#include "rq/rq_file.h"
#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "runtime/layout.h"
#include "runtime/temp_file.h"
#include "test_data.h"

#include <catch2/catch.hpp>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using rqt::CliResult;
using rqt::kExitInput;
using rqt::kExitInterrupted;
using rqt::kExitIo;
using rqt::kExitOk;
using rqt::run_rq;
using rqt::run_rq_within;
using rqt::TempDir;

namespace {

const std::vector<std::string> kSmall = {"--symbol-size", "1024", "--quiet"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string> &b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/* A 40 KiB input encoded into dir/sym (one chunk, block_0); returns the input's bytes. */
std::vector<uint8_t> encode_sample(const TempDir &dir, uint64_t seed = 5, size_t size = 40000)
{
    const std::vector<uint8_t> data = rqt::splitmix_bytes(seed, size);
    rqt::write_bytes(dir / "in.bin", data);
    REQUIRE(run_rq(dir, with({"encode", (dir / "in.bin").string(), (dir / "sym").string()}, kSmall))
                .exit_code == kExitOk);
    return data;
}

/* The symbol files of dir/sym/block_0, sorted. */
std::vector<fs::path> block_files(const TempDir &dir)
{
    std::vector<fs::path> files;
    for (const fs::directory_entry &e : fs::directory_iterator(dir / "sym" / "block_0")) {
        files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

cJSON *parse(const std::string &text)
{
    cJSON *json = cJSON_Parse(text.c_str());
    REQUIRE(json != nullptr);
    return json;
}

/* A number of the first block of a --json result ("good", "corrupt", "missing"). */
double block_count(const std::string &json_text, const char *key)
{
    cJSON *json = parse(json_text);
    const cJSON *block = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "blocks"), 0);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(block, key);
    REQUIRE(cJSON_IsNumber(item));
    const double value = item->valuedouble;
    cJSON_Delete(json);
    return value;
}

bool names_fifo(const fs::path &path)
{
    struct stat st;
    return lstat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

} // namespace

TEST_CASE("a FIFO named like a symbol file, or a link to one, is skipped: decode and verify do not hang")
{
    TempDir dir;
    const std::vector<uint8_t> data = encode_sample(dir);
    const std::vector<fs::path> files = block_files(dir);
    REQUIRE(files.size() > 4);
    fs::remove(files[0]);
    REQUIRE(mkfifo(files[0].c_str(), 0644) == 0);
    REQUIRE(mkfifo((dir / "outside.fifo").c_str(), 0644) == 0);
    fs::remove(files[1]);
    fs::create_symlink(dir / "outside.fifo", files[1]);

    const CliResult verify = run_rq_within(dir, {"verify", "--json", (dir / "sym").string()}, 60);
    REQUIRE(verify.exit_code == kExitOk);
    CHECK(block_count(verify.out, "symbols_corrupt") == 2);
    const CliResult decode =
        run_rq_within(dir, {"decode", "--json", (dir / "sym").string(), (dir / "out.bin").string()}, 60);
    REQUIRE(decode.exit_code == kExitOk);
    CHECK(block_count(decode.out, "symbols_corrupt") == 2);
    CHECK(rqt::read_file((dir / "out.bin").string()) == data);
}

TEST_CASE("rq decode and rq metadata with --force never replace a device, FIFO, directory or link with a regular file")
{
    TempDir dir;
    encode_sample(dir);
    const fs::path fifo = dir / "a.fifo";
    REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
    fs::create_directory(dir / "a.dir");
    rqt::write_text(dir / "target.txt", "keep me");
    fs::create_symlink(dir / "target.txt", dir / "a.link");
    std::vector<fs::path> outputs = {fifo, dir / "a.dir", dir / "a.link"};
    // As root, a device node of /dev/null's numbers: what `rq decode --force DIR /dev/null` destroyed.
    const fs::path device = dir / "null.dev";
    if (mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        outputs.push_back(device);
    }
    for (const fs::path &output : outputs) {
        CAPTURE(output);
        const CliResult decode =
            run_rq(dir, {"decode", "--force", "--quiet", (dir / "sym").string(), output.string()});
        CHECK(decode.exit_code == kExitIo);
        CHECK(decode.err.find("not a regular file") != std::string::npos);
        const CliResult metadata = run_rq(
            dir, with({"metadata", "--force", (dir / "in.bin").string(), output.string()}, kSmall));
        CHECK(metadata.exit_code == kExitIo);
        CHECK(metadata.err.find("not a regular file") != std::string::npos);
    }
    CHECK(names_fifo(fifo));
    CHECK(fs::is_directory(dir / "a.dir"));
    CHECK(fs::is_symlink(dir / "a.link"));
    CHECK(rqt::read_text(dir / "target.txt") == "keep me");
    struct stat st;
    if (lstat(device.c_str(), &st) == 0) {
        CHECK(S_ISCHR(st.st_mode));
    }
}

TEST_CASE("decode follows no link inside the symbols directory; the directory itself may be one")
{
    TempDir dir;
    const std::vector<uint8_t> data = encode_sample(dir);
    const std::vector<fs::path> files = block_files(dir);
    // A link to a good copy of the very file it replaces: read, it would count as good.
    fs::copy_file(files[0], dir / "copy");
    fs::remove(files[0]);
    fs::create_symlink(dir / "copy", files[0]);
    fs::create_symlink("/etc/passwd", dir / "sym" / "block_0" / "passwd");

    CliResult decode = run_rq(dir, {"decode", "--json", (dir / "sym").string(), (dir / "out.bin").string()});
    REQUIRE(decode.exit_code == kExitOk);
    CHECK(block_count(decode.out, "symbols_corrupt") == 1);
    CHECK(block_count(decode.out, "symbols_good") == static_cast<double>(files.size() - 1));
    CHECK(rqt::read_file((dir / "out.bin").string()) == data);

    // The symbols directory given as a link: documented as allowed.
    fs::create_directory_symlink(dir / "sym", dir / "sym.link");
    decode = run_rq(dir, {"decode", "--json", (dir / "sym.link").string(), (dir / "out2.bin").string()});
    REQUIRE(decode.exit_code == kExitOk);
    CHECK(rqt::read_file((dir / "out2.bin").string()) == data);

    // A block folder that is a link is not looked in: its symbols are missing.
    fs::rename(dir / "sym" / "block_0", dir / "elsewhere");
    fs::create_directory_symlink(dir / "elsewhere", dir / "sym" / "block_0");
    decode = run_rq(dir, {"decode", "--json", (dir / "sym").string(), (dir / "out3.bin").string()});
    CHECK(decode.exit_code == rqt::kExitNeedMore);
    CHECK_FALSE(fs::exists(dir / "out3.bin"));
    fs::remove(dir / "sym" / "block_0");
    fs::rename(dir / "elsewhere", dir / "sym" / "block_0");

    // The layout inside the symbols directory as a link: refused, naming why.
    fs::rename(dir / "sym" / "_raptorq_layout.json", dir / "layout.json");
    fs::create_symlink(dir / "layout.json", dir / "sym" / "_raptorq_layout.json");
    decode = run_rq(dir, {"decode", "--quiet", (dir / "sym").string(), (dir / "out4.bin").string()});
    CHECK(decode.exit_code == kExitIo);
    CHECK(decode.err.find("symbolic link") != std::string::npos);
    // Named with --layout it is the user's choice, and is followed.
    decode = run_rq(dir, {"decode", "--quiet", (dir / "sym").string(), (dir / "out4.bin").string(), "--layout",
                          (dir / "sym" / "_raptorq_layout.json").string()});
    CHECK(decode.exit_code == kExitOk);
}

TEST_CASE("decode refuses an OUTPUT inside the symbols directory or that is the layout, even with --force")
{
    TempDir dir;
    encode_sample(dir);
    const fs::path layout = dir / "sym" / "_raptorq_layout.json";
    const std::string before = rqt::read_text(layout);
    for (const fs::path &output : {layout, dir / "sym" / "out.bin", dir / "sym" / "block_0" / "out.bin"}) {
        CAPTURE(output);
        const CliResult decode = run_rq(dir, {"decode", "--force", "--quiet", (dir / "sym").string(), output.string()});
        CHECK(decode.exit_code == kExitIo);
        CHECK(decode.err.find("decode somewhere else") != std::string::npos);
    }
    CHECK(rqt::read_text(layout) == before);
    CHECK_FALSE(fs::exists(dir / "sym" / "out.bin"));
    // A layout named with --layout elsewhere is protected the same way.
    fs::copy_file(layout, dir / "layout.json");
    const CliResult decode = run_rq(dir, {"decode", "--force", "--quiet", (dir / "sym").string(),
                                          (dir / "layout.json").string(), "--layout", (dir / "layout.json").string()});
    CHECK(decode.exit_code == kExitIo);
    CHECK(rqt::read_text(dir / "layout.json") == before);
}

TEST_CASE("a killed run's named temporary files are removed by the next run, a live one's are kept")
{
    TempDir dir;
    const std::vector<uint8_t> data = encode_sample(dir);
    // A process that has exited: its pid names nothing running now.
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        _exit(0);
    }
    waitpid(child, nullptr, 0);
    const std::string dead = ".out.bin.rq-tmp." + std::to_string(child) + ".0";
    const std::string live = ".out.bin.rq-tmp." + std::to_string(getpid()) + ".0";
    const std::string other = ".other.bin.rq-tmp." + std::to_string(child) + ".0";
    for (const std::string &name : {dead, live, other}) {
        rqt::write_text(dir / name, "partial");
    }
    REQUIRE(run_rq(dir, {"decode", "--quiet", (dir / "sym").string(), (dir / "out.bin").string()}).exit_code ==
            kExitOk);
    CHECK(rqt::read_file((dir / "out.bin").string()) == data);
    CHECK_FALSE(fs::exists(dir / dead));
    CHECK(fs::exists(dir / live));  // its process (this test) still runs
    CHECK(fs::exists(dir / other)); // another output's
}

TEST_CASE("temporary files without O_TMPFILE: named, committed, discarded, never over a final name")
{
    TempDir dir;
    rq_temp_file_allow_unnamed(0);
    rq_temp_file t;
    const std::string final_path = (dir / "f.bin").string();
    REQUIRE(rq_temp_file_open(&t, final_path.c_str(), 0644) == 0);
    CHECK(t.path[0] != '\0');
    CHECK(fs::exists(t.path));
    REQUIRE(write(t.fd, "abc", 3) == 3);
    const std::string temp_name = t.path;
    REQUIRE(rq_temp_file_commit(&t, final_path.c_str(), 0) == 0);
    CHECK_FALSE(fs::exists(temp_name));
    CHECK(rqt::read_text(dir / "f.bin") == "abc");

    REQUIRE(rq_temp_file_open(&t, final_path.c_str(), 0644) == 0);
    REQUIRE(write(t.fd, "xyz", 3) == 3);
    CHECK(rq_temp_file_commit(&t, final_path.c_str(), 0) == -2); // exists, not replaced
    CHECK(rqt::read_text(dir / "f.bin") == "abc");
    REQUIRE(rq_temp_file_open(&t, final_path.c_str(), 0644) == 0);
    REQUIRE(write(t.fd, "xyz", 3) == 3);
    CHECK(rq_temp_file_commit(&t, final_path.c_str(), 1) == 0);
    CHECK(rqt::read_text(dir / "f.bin") == "xyz");

    REQUIRE(rq_temp_file_scratch(&t, dir.path().c_str(), "staging") == 0);
    const std::string scratch = t.path;
    CHECK(fs::exists(scratch));
    rq_temp_file_discard(&t);
    CHECK_FALSE(fs::exists(scratch));
    rq_temp_file_allow_unnamed(1);

    // The unnamed way leaves no name at any time, and replaces as asked.
    REQUIRE(rq_temp_file_open(&t, final_path.c_str(), 0644) == 0);
    CHECK(t.path[0] == '\0');
    REQUIRE(write(t.fd, "new", 3) == 3);
    CHECK(rq_temp_file_commit(&t, final_path.c_str(), 0) == -2);
    REQUIRE(rq_temp_file_open(&t, final_path.c_str(), 0644) == 0);
    REQUIRE(write(t.fd, "new", 3) == 3);
    CHECK(rq_temp_file_commit(&t, final_path.c_str(), 1) == 0);
    CHECK(rqt::read_text(dir / "f.bin") == "new");
    size_t entries = 0;
    for (const fs::directory_entry &e : fs::directory_iterator(dir.path())) {
        entries += e.path().filename() == "f.bin" ? 0 : 1;
    }
    CHECK(entries == 0);
}

TEST_CASE("writing with replace over a file of the same bytes leaves it alone; other bytes replace it")
{
    TempDir dir;
    const fs::path path = dir / "layout.json";
    const std::string head = "{\"a\":", body = std::string(9000, 'x') + "}";
    const auto inode = [&path] {
        struct stat st {};
        REQUIRE(stat(path.c_str(), &st) == 0);
        return st.st_ino;
    };
    REQUIRE(rq_write_file_atomic2(path.c_str(), head.data(), head.size(), body.data(), body.size(), 0) == 0);
    const ino_t first = inode();
    const std::string whole = head + body;
    /* The same bytes, cut elsewhere between head and body: kept. */
    CHECK(rq_write_file_atomic(path.c_str(), whole.data(), whole.size(), 1) == 0);
    CHECK(inode() == first);
    /* One byte different past the first read piece, a byte longer, a byte shorter: replaced. */
    for (std::string other : {whole.substr(0, 5000) + "y" + whole.substr(5001), whole + " ",
                              whole.substr(0, whole.size() - 1)}) {
        const ino_t before = inode();
        CHECK(rq_write_file_atomic(path.c_str(), other.data(), other.size(), 1) == 0);
        CHECK(rqt::read_text(path) == other);
        CHECK(inode() != before);
    }
    /* Without replace nothing is compared: an existing name is refused even when equal. */
    const std::string now = rqt::read_text(path);
    CHECK(rq_write_file_atomic(path.c_str(), now.data(), now.size(), 0) == -2);
}

TEST_CASE("a layout whose parse would exceed the memory budget is refused before it is parsed")
{
    TempDir dir;
    encode_sample(dir);
    // 24 MiB of small numbers: ~1 GB as a JSON tree.
    std::string junk = "[";
    junk.reserve(24u << 20);
    while (junk.size() < (24u << 20)) {
        junk += "0,";
    }
    junk += "0]";
    rqt::write_text(dir / "junk.json", junk);
    for (const char *command : {"decode", "verify"}) {
        CAPTURE(command);
        std::vector<std::string> args = {command, "--quiet", "--memory-budget", "64", (dir / "sym").string()};
        if (std::string(command) == "decode") {
            args.push_back((dir / "out.bin").string());
        }
        args.insert(args.end(), {"--layout", (dir / "junk.json").string()});
        const CliResult r = run_rq(dir, args);
        CHECK(r.exit_code == kExitInput);
        CHECK(r.err.find("the memory budget is 64 MiB") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(dir / "out.bin"));
    // Above the size cap it is not even read.
    fs::resize_file(dir / "junk.json", (uint64_t)RQ_LAYOUT_MAX_FILE_BYTES + 1);
    const CliResult r = run_rq(dir, {"verify", "--quiet", (dir / "sym").string(), "--layout", (dir / "junk.json").string()});
    CHECK(r.exit_code == kExitInput);
    CHECK(r.err.find("too large") != std::string::npos);
}

TEST_CASE("the parse cost of a layout bounds the heap its parse takes")
{
    TempDir dir;
    encode_sample(dir, 9, 300000);
    std::string numbers = "[";
    for (int i = 0; i < 100000; i++) {
        numbers += "0,";
    }
    numbers += "0]";
    const std::string texts[] = {
        rqt::read_text(dir / "sym" / "_raptorq_layout.json"),
        numbers,
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"a\":\"" + std::string(100000, 'x') + "\",\"b\":[\"\",\"\",\"\"]}",
    };
    for (const std::string &text : texts) {
        CAPTURE(text.substr(0, 40));
        const uint64_t cost = rq_layout_parse_cost(text.data(), text.size());
        // The tree cJSON builds is the larger part; measure it with the allocator's own count.
        const size_t before = mallinfo2().uordblks;
        cJSON *json = cJSON_ParseWithLength(text.data(), text.size());
        const size_t after = mallinfo2().uordblks;
        REQUIRE(json != nullptr);
        cJSON_Delete(json);
        if (after > before) { // sanitizers' allocators report nothing here
            CHECK(after - before <= cost);
        }
        rq_layout layout;
        char err[256];
        if (rq_layout_parse(text.data(), text.size(), &layout, err, sizeof err) == RQ_OK) {
            CHECK(rq_layout_model_bytes(&layout) + (after - before) <= cost);
            rq_layout_free(&layout);
        }
    }
}

TEST_CASE("an encode into a directory another encode holds fails at once and removes nothing")
{
    TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(3, 50000);
    rqt::write_bytes(dir / "in.bin", data);
    const fs::path out = dir / "sym";
    fs::create_directory(out);
    // This test holds the claim, as a running encode would, with a file of its own in it.
    const int fd = open((out / ".rq-lock").c_str(), O_RDWR | O_CREAT, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(flock(fd, LOCK_EX) == 0);
    fs::create_directory(out / "block_0");
    rqt::write_text(out / "block_0" / "theirs", "the other run's");
    for (const char *force : {"", "--force"}) {
        CAPTURE(force);
        std::vector<std::string> args = with({"encode", (dir / "in.bin").string(), out.string()}, kSmall);
        if (*force) {
            args.push_back(force);
        }
        const CliResult r = run_rq(dir, args);
        CHECK(r.exit_code == kExitInterrupted);
        CHECK(r.err.find("another encode is writing into") != std::string::npos);
        CHECK(rqt::read_text(out / "block_0" / "theirs") == "the other run's");
        CHECK(fs::exists(out / ".rq-lock"));
    }
    close(fd); // the other run ends; its lock file stays behind, unlocked, as after a kill
    fs::remove_all(out / "block_0");
    REQUIRE(run_rq(dir, with({"encode", (dir / "in.bin").string(), out.string()}, kSmall)).exit_code == kExitOk);
    CHECK_FALSE(fs::exists(out / ".rq-lock"));
    REQUIRE(run_rq(dir, {"decode", "--quiet", out.string(), (dir / "out.bin").string()}).exit_code == kExitOk);
    CHECK(rqt::read_file((dir / "out.bin").string()) == data);
}

TEST_CASE("two encodes started at once into one empty directory leave the winner's symbols whole")
{
    TempDir dir;
    // Two inputs sharing their first 64 KiB chunk: the same symbol names in block_0.
    std::vector<uint8_t> a = rqt::splitmix_bytes(11, 3u << 16);
    std::vector<uint8_t> b = a;
    std::fill(b.begin() + (1u << 16), b.end(), 7);
    rqt::write_bytes(dir / "a.bin", a);
    rqt::write_bytes(dir / "b.bin", b);
    for (int round = 0; round < 6; round++) {
        CAPTURE(round);
        const fs::path out = dir / ("sym" + std::to_string(round));
        std::vector<pid_t> pids;
        for (const char *input : {"a.bin", "b.bin"}) {
            pids.push_back(rqt::start_rq(with({"encode", (dir / input).string(), out.string(), "--block-size", "64K"},
                                              kSmall),
                                         dir / (std::string(input) + ".out"), dir / (std::string(input) + ".err")));
        }
        int successes = 0;
        for (pid_t pid : pids) {
            successes += rqt::wait_rq(pid) == kExitOk ? 1 : 0;
        }
        CHECK(successes == 1);
        const CliResult verify = run_rq(dir, {"verify", "--quiet", out.string()});
        CHECK(verify.exit_code == kExitOk);
    }
}

namespace {

/* The symbol file of dir with SBN 0 and this ESI (read from each file's payload ID). */
fs::path symbol_with_esi(const fs::path &dir, uint32_t esi)
{
    for (const fs::directory_entry &e : fs::directory_iterator(dir)) {
        const std::vector<uint8_t> head = rqt::read_file(e.path().string());
        if (head.size() >= 4 && head[0] == 0 &&
            (static_cast<uint32_t>(head[1]) << 16 | static_cast<uint32_t>(head[2]) << 8 | head[3]) == esi) {
            return e.path();
        }
    }
    FAIL("no symbol with ESI " << esi);
    return {};
}

/* Between two passes of a decode, does something to one symbol file it uses (once). */
struct Meddler {
    fs::path victim;
    bool remove; /* else its bytes are changed in place, size kept */
    bool done = false;
};

int meddle(void *user, uint64_t, uint64_t)
{
    Meddler *m = static_cast<Meddler *>(user);
    if (m->done) {
        return 0;
    }
    m->done = true;
    if (m->remove) {
        fs::remove(m->victim);
        return 0;
    }
    const int fd = open(m->victim.c_str(), O_WRONLY);
    const char junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    REQUIRE(fd >= 0);
    REQUIRE(pwrite(fd, junk, sizeof junk, 100) == static_cast<ssize_t>(sizeof junk));
    close(fd);
    return 0;
}

/* The layout without its chunk hash: a form decode accepts, which cannot catch changed symbols itself. */
void strip_hashes(const fs::path &layout)
{
    cJSON *json = parse(rqt::read_text(layout));
    cJSON_DeleteItemFromObjectCaseSensitive(json, "hash");
    char *text = cJSON_Print(json);
    rqt::write_text(layout, text);
    cJSON_free(text);
    cJSON_Delete(json);
}

} // namespace

TEST_CASE("a symbol file that vanishes or changes while a decode uses it is dropped and the block solved again")
{
    for (bool remove : {true, false}) {
        CAPTURE(remove);
        TempDir dir;
        // One 8 MiB chunk under an 8 MiB budget: decoded in several passes, so the
        // progress report after the first comes between the check and the next read.
        const std::vector<uint8_t> data = rqt::splitmix_bytes(21, 8u << 20);
        rqt::write_bytes(dir / "in.bin", data);
        rq_session *s = nullptr;
        REQUIRE(rq_session_create(&s) == RQ_OK);
        REQUIRE(rq_session_set(s, RQ_SESSION_SYMBOL_SIZE, 8192) == RQ_OK);
        REQUIRE(rq_session_set(s, RQ_SESSION_MEMORY_BUDGET, 8 << 20) == RQ_OK);
        REQUIRE(rq_session_set(s, RQ_SESSION_BLOCK_SIZE, 8 << 20) == RQ_OK);
        const fs::path sym = dir / "sym";
        REQUIRE(rq_encode_file(s, (dir / "in.bin").c_str(), sym.c_str(), nullptr) == RQ_OK);
        strip_hashes(sym / "_raptorq_layout.json");
        Meddler m{symbol_with_esi(sym / "block_0", 7), remove};
        REQUIRE(rq_session_set_progress(s, meddle, &m) == RQ_OK);
        rq_file_result result;
        const rq_status st = rq_decode_symbols(s, sym.c_str(), (dir / "out.bin").c_str(), nullptr, &result);
        const char *message = "";
        rq_session_last_error(s, &message);
        CAPTURE(message);
        REQUIRE(st == RQ_OK);
        CHECK(m.done);
        CHECK(rqt::read_file((dir / "out.bin").string()) == data);
        CHECK(result.symbols_missing + result.symbols_corrupt == 1);
        rq_file_result_free(&result);
        rq_session_destroy(s);
    }
}

TEST_CASE("a layout string holding \\u0000 is refused, not cut at the NUL")
{
    const std::string text = R"({"blocks": [{"block_id": "block_0\u0000x", "original_offset": 0, "size": 1,
        "encoder_parameters": [0,0,0,0,1,0,0,8,1,0,1,8], "symbols": []}]})";
    rq_layout layout;
    char err[256];
    CHECK(rq_layout_parse(text.data(), text.size(), &layout, err, sizeof err) == RQ_ERR_LAYOUT);
    CHECK(std::string(err).find("NUL") != std::string::npos);
    // An escaped backslash before "u0000" is no NUL.
    const std::string fine = R"({"x": "\\u0000", "blocks": []})";
    rq_status st = rq_layout_parse(fine.data(), fine.size(), &layout, err, sizeof err);
    CHECK(std::string(err).find("NUL") == std::string::npos);
    if (st == RQ_OK) {
        rq_layout_free(&layout);
    }
}

TEST_CASE("messages name an unchunked layout's chunk, and a failed encode removes the folder it made")
{
    TempDir dir;
    encode_sample(dir);
    const fs::path layout = dir / "sym" / "_raptorq_layout.json";
    cJSON *json = parse(rqt::read_text(layout));
    cJSON_ReplaceItemInObjectCaseSensitive(json, "symbols", cJSON_CreateArray());
    char *text = cJSON_Print(json);
    rqt::write_text(layout, text);
    cJSON_free(text);
    cJSON_Delete(json);
    const CliResult decode = run_rq(dir, {"decode", "--quiet", (dir / "sym").string(), (dir / "out.bin").string()});
    CHECK(decode.exit_code == rqt::kExitNeedMore);
    CHECK(decode.err.find("block (file) needs") != std::string::npos);

    // A chunk that cannot be coded in the 8 MiB budget: the encode fails after creating OUT_DIR.
    rqt::write_bytes(dir / "big.bin", rqt::splitmix_bytes(4, 12u << 20));
    const CliResult encode = run_rq(dir, with({"encode", (dir / "big.bin").string(), (dir / "new").string(),
                                               "--memory-budget", "8", "--block-size", "12M"}, kSmall));
    CHECK(encode.exit_code == kExitInput);
    CHECK_FALSE(fs::exists(dir / "new"));
}

TEST_CASE("symbol files cut under 4 bytes or emptied or unreadable or replaced by directories are skipped as damaged")
{
    TempDir dir;
    const std::vector<uint8_t> data = encode_sample(dir);
    const std::vector<fs::path> files = block_files(dir);
    REQUIRE(files.size() > 8);
    rqt::write_bytes(files[0], {1, 2, 3});
    rqt::write_bytes(files[1], {});
    fs::remove(files[2]);
    fs::create_directory(files[2]);
    fs::create_directory(files[2] / "inside");
    REQUIRE(chmod(files[3].c_str(), 0) == 0);
    // Readable all the same as root; otherwise an unreadable file is damaged too.
    const double unreadable = access(files[3].c_str(), R_OK) == 0 ? 0 : 1;

    const CliResult verify = run_rq(dir, {"verify", "--json", (dir / "sym").string()});
    CHECK(block_count(verify.out, "symbols_corrupt") == 3 + unreadable);
    CHECK(block_count(verify.out, "symbols_missing") == 0);
    const CliResult decode = run_rq(dir, with({"decode", (dir / "sym").string(), (dir / "out.bin").string()}, kSmall));
    REQUIRE(decode.exit_code == kExitOk);
    CHECK(rqt::read_file((dir / "out.bin").string()) == data);
    chmod(files[3].c_str(), 0644);
}

TEST_CASE("rq assemble fed one packet a million times stays in bounded memory and says what is missing")
{
    TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(4, 100000);
    rqt::write_bytes(dir / "in.bin", data);
    const CliResult oti = run_rq(dir, {"oti", "--size", "100000", "--symbol-size", "16"});
    REQUIRE(oti.exit_code == kExitOk);
    const std::string hex = oti.out.substr(0, oti.out.find_first_of(" \n"));
    const CliResult one = run_rq(dir, {"packets", "--oti", hex, "--esi", "7", "-o", (dir / "one.pkt").string(),
                                       (dir / "in.bin").string()});
    REQUIRE(one.exit_code == kExitOk);
    const std::vector<uint8_t> packet = rqt::read_file((dir / "one.pkt").string());
    REQUIRE(packet.size() == 20);
    std::vector<uint8_t> stream;
    stream.reserve(packet.size() * 1000000);
    for (int i = 0; i < 1000000; i++)
        stream.insert(stream.end(), packet.begin(), packet.end());
    rqt::write_bytes(dir / "stream.pkt", stream);
    stream = {};

    const CliResult r = run_rq(dir, {"assemble", "--oti", hex, (dir / "out.bin").string()},
                               (dir / "stream.pkt").string());
    CHECK(r.exit_code == rqt::kExitNeedMore);
    CHECK(r.err.find("999999") != std::string::npos); // the repeats are counted
    CHECK_FALSE(fs::exists(dir / "out.bin"));
    struct rusage ru;
    REQUIRE(getrusage(RUSAGE_CHILDREN, &ru) == 0);
    // The 20 MB stream is read, not kept: far below its size (ru_maxrss in KiB).
    CHECK(ru.ru_maxrss < 64 * 1024);
}
