// Running the built `rq` from tests; see cli_runner.h.
#include "cli_runner.h"

#include "test_data.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef RQ_CLI_PATH
#error "RQ_CLI_PATH must name the rq executable"
#endif
#ifndef RQ_TEST_BINARY_DIR
#error "RQ_TEST_BINARY_DIR must name a writable folder"
#endif
#ifndef RQ_TEST_EMULATOR
#error "RQ_TEST_EMULATOR must be defined (empty for native builds)"
#endif

namespace fs = std::filesystem;

namespace rqt {

std::string read_text(const fs::path &path)
{
    std::vector<uint8_t> bytes = read_file(path.string());
    return std::string(bytes.begin(), bytes.end());
}

void write_bytes(const fs::path &path, const std::vector<uint8_t> &bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

void write_text(const fs::path &path, const std::string &text)
{
    write_bytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

std::vector<uint8_t> write_input(const std::filesystem::path &path, uint64_t seed, size_t size)
{
    std::vector<uint8_t> data = splitmix_bytes(seed, size);
    write_bytes(path, data);
    return data;
}

std::map<std::string, std::vector<uint8_t>> files_under(const std::filesystem::path &dir)
{
    std::map<std::string, std::vector<uint8_t>> files;
    for (const std::filesystem::directory_entry &entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            files[std::filesystem::relative(entry.path(), dir).string()] = read_file(entry.path().string());
        }
    }
    return files;
}

std::string trim(const std::string &s)
{
    size_t end = s.find_last_not_of(" \n\r\t");
    return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

TempDir::TempDir()
{
    std::string pattern = std::string(RQ_TEST_BINARY_DIR) + "/cli-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    REQUIRE(mkdtemp(buf.data()) != nullptr);
    path_ = buf.data();
}

TempDir::~TempDir()
{
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

namespace {

/* The emulator's words (RQ_TEST_EMULATOR, e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu"), then rq and args. */
std::vector<std::string> command_line(const std::vector<std::string> &args)
{
    std::vector<std::string> words;
    std::istringstream emulator(RQ_TEST_EMULATOR);
    for (std::string word; emulator >> word;) {
        words.push_back(word);
    }
    words.push_back(RQ_CLI_PATH);
    words.insert(words.end(), args.begin(), args.end());
    return words;
}

} // namespace

/*
 * posix_spawn rather than fork + exec: under qemu-user (the AArch64 test
 * run) a forked child of the emulator can hang before its exec, while
 * glibc's posix_spawn (a vfork-style clone) works there as natively.
 */
pid_t start_rq(const std::vector<std::string> &args, const fs::path &out_path, const fs::path &err_path,
               const std::string &stdin_path)
{
    const std::vector<std::string> words = command_line(args);
    std::vector<char *> argv;
    for (const std::string &word : words) {
        argv.push_back(const_cast<char *>(word.c_str()));
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    REQUIRE(posix_spawn_file_actions_init(&actions) == 0);
    const std::string in = stdin_path.empty() ? "/dev/null" : stdin_path;
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::fflush(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    return pid;
}

int wait_rq(pid_t pid, bool *killed_by_signal)
{
    int status = 0;
    pid_t got;
    do {
        got = waitpid(pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    REQUIRE(got == pid);
    if (killed_by_signal != nullptr) {
        *killed_by_signal = WIFSIGNALED(status);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

CliResult run_rq(const TempDir &dir, const std::vector<std::string> &args, const std::string &stdin_path)
{
    const fs::path out_path = dir / "stdout.txt";
    const fs::path err_path = dir / "stderr.txt";
    CliResult result;
    result.exit_code = wait_rq(start_rq(args, out_path, err_path, stdin_path));
    result.out = read_text(out_path);
    result.err = read_text(err_path);
    return result;
}

CliResult run_rq_within(const TempDir &dir, const std::vector<std::string> &args, int seconds)
{
    const fs::path out_path = dir / "stdout.txt";
    const fs::path err_path = dir / "stderr.txt";
    const pid_t pid = start_rq(args, out_path, err_path, "");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    CliResult result{kTimedOut, "", ""};
    for (;;) {
        int status = 0;
        const pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) {
            result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            wait_rq(pid);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    result.out = read_text(out_path);
    result.err = read_text(err_path);
    return result;
}

bool holds_unnamed_file(pid_t pid, const fs::path &dir)
{
    std::error_code ec;
    const std::string prefix = fs::canonical(dir, ec).string() + "/";
    const std::string suffix = " (deleted)";
    for (const fs::directory_entry &fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        const std::string target = fs::read_symlink(fd.path(), ec).string();
        if (!ec && target.rfind(prefix, 0) == 0 && target.size() > suffix.size() &&
            target.compare(target.size() - suffix.size(), suffix.size(), suffix) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace rqt
