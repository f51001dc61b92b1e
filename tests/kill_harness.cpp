// Kills rq at random moments and checks what it leaves.
//
//   kill_harness --rq PATH [--kills N] [--seed S] [--size MIB] [--work DIR]
//
// For each command below it first makes a reference: the same run left to
// finish. Then, N times per command in turn, it starts the run afresh,
// sends SIGKILL (every third time SIGTERM) after a random delay between 0
// and 1.2 times the reference run's duration, and checks:
//   - every file under a final name is the reference's file of that name,
//     byte for byte (no partial or corrupt output), and nothing else is
//     there (no temporary or staging file): the entries are a subset of the
//     reference's;
//   - no layout (ec.json) without every symbol file (unit) beside it;
//   - a decode's output is absent, or the whole file;
//   - SIGTERM (sent once rq has its handler, /proc/PID/status SigCgt: rq
//     installs it when its job starts, before it writes anything): the
//     exit status is 6 (cancelled) or 0 (it had finished);
//   - a rerun to the end gives exactly the reference.
// Then, where a tmpfs can be mounted (root), each writing command runs into
// a full disk: exit status 5 and the same subset check.
// Prints one line per command and a summary; exits 1 on any violation.
#include <algorithm>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <sys/mount.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string rq_path;
int violations;

void violation(const std::string &what, const std::string &detail)
{
    std::printf("  VIOLATION %s: %s\n", what.c_str(), detail.c_str());
    violations++;
}

std::string read_all(const fs::path &p)
{
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

/* Regular files under root by relative path; directories as "" entries. */
std::map<std::string, std::string> tree(const fs::path &root)
{
    std::map<std::string, std::string> out;
    std::error_code ec;
    if (!fs::exists(root, ec))
        return out;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        std::string rel = fs::relative(it->path(), root).string();
        out[rel] = it->is_regular_file() ? read_all(it->path()) : std::string();
    }
    return out;
}

pid_t start(const std::vector<std::string> &args)
{
    std::fflush(stdout); /* or the child's copy of the buffer is printed twice */
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<char *> argv = {const_cast<char *>(rq_path.c_str())};
        for (const auto &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execv(rq_path.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

/* The exit status, or 128 + signal. */
int finish(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run(const std::vector<std::string> &args)
{
    return finish(start(args));
}

/* One command under test: how to prepare its inputs, its arguments, where it writes. */
struct Command {
    std::string name;
    std::function<void()> prepare;       /* fresh inputs and an empty output place */
    std::vector<std::string> args;       /* the run */
    std::vector<std::string> rerun_args; /* the run again over what a killed one left */
    fs::path output;                     /* a directory, or a file (decode) */
    std::string layout;                  /* inside output; "" for a file */
    bool layout_last = true;             /* the run writes the layout last (not repair's input) */
};


/*
 * What the command made: the output tree, or the output file. A stale lock
 * file is left out: a run holds the lock with flock, not by the file.
 */
std::map<std::string, std::string> snapshot(const Command &c)
{
    if (c.layout.empty())
        return {{"", read_all(c.output)}};
    std::map<std::string, std::string> t = tree(c.output);
    t.erase(".rq-lock");
    return t;
}

/* What a killed (or cancelled) run left, against the reference. */
void check_left(const Command &c, const std::map<std::string, std::string> &ref, const std::string &when)
{
    std::map<std::string, std::string> now = snapshot(c);
    if (c.layout.empty()) { /* a file: absent or whole */
        std::error_code ec;
        if (fs::exists(c.output, ec) && now.at("") != ref.at(""))
            violation(c.name + " " + when, "the output exists but is not the whole file");
        for (const auto &e : fs::directory_iterator(c.output.parent_path()))
            if (e.path().filename().string().rfind("." + c.output.filename().string(), 0) == 0)
                violation(c.name + " " + when, "temporary file left: " + e.path().string());
        return;
    }
    for (const auto &[rel, bytes] : now) {
        auto it = ref.find(rel);
        if (it == ref.end())
            violation(c.name + " " + when, "unexpected entry " + rel);
        else if (bytes != it->second)
            violation(c.name + " " + when, rel + " differs from the reference (partial or corrupt)");
    }
    if (c.layout_last && now.count(c.layout) && now.size() != ref.size())
        violation(c.name + " " + when, "the layout is there but " + std::to_string(ref.size() - now.size()) +
                                           " entries are missing");
}

/* Whether pid has a handler for SIGTERM yet (its SigCgt mask in /proc); false once it is gone. */
bool catches_term(pid_t pid)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("SigCgt:", 0) == 0)
            return (std::strtoull(line.c_str() + 7, nullptr, 16) >> (SIGTERM - 1)) & 1;
    return false;
}

/* Waits until pid catches SIGTERM, at most 2 s (a process that exits never does). */
void wait_for_handler(pid_t pid)
{
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!catches_term(pid) && std::chrono::steady_clock::now() < until) {
        siginfo_t info{};
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
            return; /* exited: finish() reaps it */
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
}

struct Stats {
    int kills = 0, mid_run = 0, finished_first = 0, terms = 0;
};

void trial(const Command &c, const std::map<std::string, std::string> &ref, double ref_seconds,
           std::mt19937_64 &rng, bool term, Stats &st)
{
    c.prepare();
    std::uniform_real_distribution<double> when(0.0, 1.2 * ref_seconds);
    double delay = when(rng);
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid = start(c.args);
    /* SIGTERM only once rq has its handler: before, the loader still runs
     * and nothing of rq can catch it (nor has it written anything). */
    if (term)
        wait_for_handler(pid);
    std::this_thread::sleep_until(t0 + std::chrono::duration<double>(delay));
    kill(pid, term ? SIGTERM : SIGKILL);
    int status = finish(pid);
    st.kills++;
    st.terms += term;
    bool finished = status == 0;
    st.finished_first += finished;
    st.mid_run += !finished;
    char what[64];
    std::snprintf(what, sizeof what, "%s after %.0f ms", term ? "SIGTERM" : "SIGKILL", delay * 1000);
    if (term && status != 0 && status != 6)
        violation(c.name + " " + what, "exit status " + std::to_string(status) + ", not 6 or 0");
    if (!term && status != 0 && status != 128 + SIGKILL)
        violation(c.name + " " + what, "exit status " + std::to_string(status));
    check_left(c, ref, what);
    int again = run(c.rerun_args);
    if (again != 0)
        violation(c.name + " rerun", "exit status " + std::to_string(again));
    else if (snapshot(c) != ref)
        violation(c.name + " rerun", "the result differs from the reference");
}

void exercise(const Command &c, int kills, std::mt19937_64 &rng)
{
    c.prepare();
    auto t0 = std::chrono::steady_clock::now();
    if (run(c.args) != 0) {
        violation(c.name, "the reference run failed");
        return;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::map<std::string, std::string> ref = snapshot(c);
    Stats st;
    for (int i = 0; i < kills; i++)
        trial(c, ref, seconds, rng, i % 3 == 2, st);
    std::printf("%-12s reference %4.0f ms; %d runs stopped (%d by SIGTERM): %d mid-run, %d had finished\n",
                c.name.c_str(), seconds * 1000, st.kills, st.terms, st.mid_run, st.finished_first);
    std::fflush(stdout);
}

void write_input(const fs::path &p, size_t bytes, uint64_t seed)
{
    std::vector<uint8_t> data(bytes);
    std::mt19937_64 g(seed);
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t v = g();
        std::memcpy(&data[i], &v, 8);
    }
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char *>(data.data()), (std::streamsize)bytes);
}

/* Copies src to dst, then deletes every k-th file (k from the share) in its subfolders or itself. */
void damaged_copy(const fs::path &src, const fs::path &dst, const std::string &skip_prefix, int every)
{
    fs::remove_all(dst);
    fs::copy(src, dst, fs::copy_options::recursive);
    int n = 0;
    for (const auto &e : fs::recursive_directory_iterator(dst)) {
        std::string name = e.path().filename().string();
        if (e.is_regular_file() && name.rfind(skip_prefix, 0) != 0 && name[0] != '.' && ++n % every == 0)
            fs::remove(e.path());
    }
}

std::vector<Command> commands(const fs::path &w)
{
    fs::path in = w / "in.bin", sym = w / "sym", ec = w / "ec";
    std::vector<Command> cs;
    auto fresh = [](const fs::path &p) { return [p] { fs::remove_all(p); }; };
    std::string i = in.string();
    cs.push_back({"encode", fresh(w / "enc"), {"encode", "--quiet", "--memory-budget", "16", i, (w / "enc").string()},
                  {"encode", "--quiet", "--force", "--memory-budget", "16", i, (w / "enc").string()}, w / "enc",
                  "_raptorq_layout.json"});
    cs.push_back({"encode-pass", fresh(w / "encp"),
                  {"encode", "--quiet", "--memory-budget", "16", "--block-size", "64M", i, (w / "encp").string()},
                  {"encode", "--quiet", "--force", "--memory-budget", "16", "--block-size", "64M", i,
                   (w / "encp").string()},
                  w / "encp", "_raptorq_layout.json"});
    cs.push_back({"decode", [=] { fs::remove(w / "out.bin"); },
                  {"decode", "--quiet", (w / "sym-damaged").string(), (w / "out.bin").string()},
                  {"decode", "--quiet", "--force", (w / "sym-damaged").string(), (w / "out.bin").string()},
                  w / "out.bin", ""});
    cs.push_back({"repair", [=] { damaged_copy(sym, w / "rep", "_raptorq", 4); },
                  {"repair", "--quiet", (w / "rep").string()}, {"repair", "--quiet", (w / "rep").string()},
                  w / "rep", "_raptorq_layout.json", false});
    cs.push_back({"ec-encode", fresh(w / "ece"),
                  {"ec", "encode", "--k", "6", "--m", "3", i, (w / "ece").string()},
                  {"ec", "encode", "--force", "--k", "6", "--m", "3", i, (w / "ece").string()}, w / "ece", "ec.json"});
    cs.push_back({"ec-decode", [=] { fs::remove(w / "ec-out.bin"); },
                  {"ec", "decode", (w / "ec-damaged").string(), (w / "ec-out.bin").string()},
                  {"ec", "decode", "--force", (w / "ec-damaged").string(), (w / "ec-out.bin").string()},
                  w / "ec-out.bin", ""});
    cs.push_back({"ec-repair", [=] { damaged_copy(ec, w / "ecr", "ec.json", 4); },
                  {"ec", "repair", (w / "ecr").string()}, {"ec", "repair", (w / "ecr").string()}, w / "ecr",
                  "ec.json", false});
    return cs;
}

/* Writing commands into a tmpfs too small for their output: exit 5, nothing partial. */
void full_disk(const fs::path &w, const std::vector<Command> &cs)
{
    fs::path disk = w / "small-disk";
    fs::create_directories(disk);
    if (mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=4m") != 0) {
        std::printf("full disk: skipped (cannot mount a tmpfs: %s)\n", std::strerror(errno));
        return;
    }
    int runs = 0;
    for (const Command &c : cs) {
        if (c.name == "repair" || c.name == "ec-repair" || c.name == "encode-pass")
            continue; /* they write into their input directory */
        c.prepare();
        run(c.args);
        std::map<std::string, std::string> ref = snapshot(c);
        Command onto = c;
        onto.output = disk / c.output.filename();
        for (std::string &a : onto.args)
            if (a == c.output.string())
                a = onto.output.string();
        int status = run(onto.args);
        runs++;
        if (status != 5)
            violation(c.name + " on a full disk", "exit status " + std::to_string(status) + ", not 5");
        check_left(onto, ref, "on a full disk");
        fs::remove_all(onto.output);
    }
    umount(disk.c_str());
    std::printf("full disk: %d commands ran into a 4 MiB tmpfs\n", runs);
}

} // namespace

int main(int argc, char **argv)
{
    int kills = 20;
    uint64_t seed = 1;
    size_t mib = 24;
    fs::path work;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i], v = argv[i + 1];
        if (a == "--rq")
            rq_path = v;
        else if (a == "--kills")
            kills = std::atoi(v.c_str());
        else if (a == "--seed")
            seed = std::strtoull(v.c_str(), nullptr, 10);
        else if (a == "--size")
            mib = std::strtoull(v.c_str(), nullptr, 10);
        else if (a == "--work")
            work = v;
    }
    if (rq_path.empty()) {
        std::fprintf(stderr, "usage: kill_harness --rq PATH [--kills N] [--seed S] [--size MIB] [--work DIR]\n");
        return 2;
    }
    bool own_work = work.empty();
    if (own_work) {
        char tmpl[] = "/tmp/rq-kill-harness.XXXXXX";
        work = mkdtemp(tmpl);
    }
    write_input(work / "in.bin", mib << 20, seed);
    if (run({"encode", "--quiet", "--memory-budget", "16", (work / "in.bin").string(), (work / "sym").string()}) ||
        run({"ec", "encode", "--k", "6", "--m", "3", (work / "in.bin").string(), (work / "ec").string()})) {
        std::fprintf(stderr, "kill_harness: the inputs could not be encoded\n");
        return 1;
    }
    damaged_copy(work / "sym", work / "sym-damaged", "_raptorq", 5);
    damaged_copy(work / "ec", work / "ec-damaged", "ec.json", 4);
    std::mt19937_64 rng(seed);
    std::vector<Command> cs = commands(work);
    std::printf("kill_harness: %zu MiB input, %d stops per command, seed %llu\n", mib, kills,
                (unsigned long long)seed);
    for (const Command &c : cs)
        exercise(c, kills, rng);
    full_disk(work, cs);
    if (own_work)
        fs::remove_all(work);
    std::printf("%d violations\n", violations);
    return violations ? 1 : 0;
}
