/*
 * Running the built `rq` command from a test: a scratch folder under the
 * build tree, rq run to completion with its output captured, or started in
 * the background (to be killed), and the command's exit codes.
 */
#ifndef RQ_TEST_CLI_RUNNER_H
#define RQ_TEST_CLI_RUNNER_H

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rqt {

// The CLI's documented exit codes (cli/cli_args.h).
constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInput = 3;
constexpr int kExitNeedMore = 4;
constexpr int kExitIo = 5;
constexpr int kExitInterrupted = 6;

std::string read_text(const std::filesystem::path &path);
void write_bytes(const std::filesystem::path &path, const std::vector<uint8_t> &bytes);
void write_text(const std::filesystem::path &path, const std::string &text);
/* Writes the first size bytes of splitmix64-le for seed to path and returns them. */
std::vector<uint8_t> write_input(const std::filesystem::path &path, uint64_t seed, size_t size);
/* Every regular file under dir, by its path relative to dir, with its bytes. */
std::map<std::string, std::vector<uint8_t>> files_under(const std::filesystem::path &dir);
/* s without trailing white space. */
std::string trim(const std::string &s);

/* A fresh folder under the build tree, removed again at the end of the test. */
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::filesystem::path operator/(const std::string &name) const { return path_ / name; }
    const std::filesystem::path &path() const { return path_; }

  private:
    std::filesystem::path path_;
};

struct CliResult {
    int exit_code; /* -1 if rq did not exit normally */
    std::string out;
    std::string err;
};

/*
 * Runs `rq ARGS` to completion (under RQ_TEST_EMULATOR for cross builds),
 * stdin from stdin_path (or /dev/null), stdout and stderr captured through
 * files in dir.
 */
CliResult run_rq(const TempDir &dir, const std::vector<std::string> &args,
                 const std::string &stdin_path = "");

/*
 * Starts `rq ARGS` in the background, stdin from /dev/null, stdout and
 * stderr to the given files; returns its process ID (for kill and waitpid).
 */
pid_t start_rq(const std::vector<std::string> &args, const std::filesystem::path &out_path,
               const std::filesystem::path &err_path, const std::string &stdin_path = "");

/* waitpid: the exit code, or -1 if the process did not exit normally (killed). */
int wait_rq(pid_t pid, bool *killed_by_signal = nullptr);

/*
 * run_rq, but killed (SIGKILL) if still running after `seconds`: then
 * exit_code is kTimedOut. For inputs that once made rq hang.
 */
constexpr int kTimedOut = -2;
CliResult run_rq_within(const TempDir &dir, const std::vector<std::string> &args, int seconds);

/* Whether process pid has a file open that has no name and was made in dir (O_TMPFILE). */
bool holds_unnamed_file(pid_t pid, const std::filesystem::path &dir);

} // namespace rqt

#endif
