// `rq ec`: a file into k+m unit files and back from any units that survive,
// lost and damaged units rewritten byte for byte, undecodable patterns
// refused without writing, the recoverability report, and bad input.
#include "support/cli_runner.h"
#include "support/rq_test.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using rqt::run_rq;

namespace {

std::vector<uint8_t> bytes_of(const fs::path &p)
{
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::string unit(const fs::path &dir, int u) { return (dir / ("unit_" + std::to_string(u))).string(); }

} // namespace

TEST_CASE("rq ec encode, decode from survivors, and repair to the same bytes")
{
    rqt::TempDir dir;
    struct Case {
        std::string k, m, scheme, cell;
        size_t size;
        std::vector<int> lost;
    };
    for (const Case &c : {Case{"6", "3", "raptorq", "65536", 1000000, {0, 4, 7}},
                          Case{"10", "4", "raptorq-mds", "1040", 123457, {1, 2, 3, 12}},
                          Case{"3", "2", "raptorq", "1048576", 7, {0, 1}},
                          Case{"3", "2", "raptorq", "4096", 0, {2, 4}},
                          Case{"4", "2", "raptorq-mds", "1000", 8000, {3, 5}}}) {
        CAPTURE(c.k, c.m, c.scheme, c.cell, c.size);
        fs::remove_all(dir / "u");
        const std::vector<uint8_t> data = rqt::write_input(dir / "in", 5 + c.size, c.size);
        rqt::CliResult r = run_rq(dir, {"ec", "encode", "--quiet", "--k", c.k, "--m", c.m, "--scheme", c.scheme,
                                        "--cell", c.cell, (dir / "in").string(), (dir / "u").string()});
        REQUIRE(r.exit_code == rqt::kExitOk);
        const auto fresh = rqt::files_under(dir / "u");
        REQUIRE(fresh.size() == size_t(std::stoi(c.k) + std::stoi(c.m) + 1)); // units and ec.json

        // The first lost unit is deleted, the second truncated, the rest overwritten in the middle.
        for (size_t i = 0; i < c.lost.size(); i++) {
            const std::string p = unit(dir / "u", c.lost[i]);
            if (i == 0) {
                fs::remove(p);
            } else if (i == 1) {
                fs::resize_file(p, fs::file_size(p) / 2);
            } else {
                std::vector<uint8_t> b = bytes_of(p);
                b[b.size() / 2] ^= 1;
                rqt::write_bytes(p, b);
            }
        }
        r = run_rq(dir, {"ec", "decode", "--quiet", "--force", (dir / "u").string(), (dir / "out").string()});
        REQUIRE(r.exit_code == rqt::kExitOk);
        CHECK(bytes_of(dir / "out") == data);

        r = run_rq(dir, {"ec", "repair", "--json", (dir / "u").string()});
        REQUIRE(r.exit_code == rqt::kExitOk);
        CHECK(r.out.find("\"units_rewritten\":" + std::to_string(c.lost.size())) != std::string::npos);
        CHECK(rqt::files_under(dir / "u") == fresh);
    }
}

TEST_CASE("rq ec refuses what it cannot rebuild and writes nothing")
{
    rqt::TempDir dir;
    rqt::write_input(dir / "in", 3, 300000);
    REQUIRE(run_rq(dir, {"ec", "encode", "--quiet", "--k", "10", "--m", "4", "--cell", "4096",
                         (dir / "in").string(), (dir / "u").string()})
                .exit_code == rqt::kExitOk);
    const auto fresh = rqt::files_under(dir / "u");
    rqt::CliResult check = run_rq(dir, {"ec", "check", "--k", "10", "--m", "4", "--json"});
    REQUIRE(check.exit_code == rqt::kExitOk);
    CHECK(check.out.find("{\"units\":4,\"patterns\":1001,\"undecodable\":4}") != std::string::npos);

    SECTION("check --list names raptorq 10+4's four bad patterns, and decode refuses exactly those")
    {
        rqt::CliResult listed = run_rq(dir, {"ec", "check", "--k", "10", "--m", "4", "--list", "--json"});
        REQUIRE(listed.exit_code == rqt::kExitOk);
        CHECK(listed.out.find("\"undecodable\":4,\"undecodable_patterns\":[[0,1,4,8],[0,8,11,13],[1,6,9,11],"
                              "[7,8,10,11]]") != std::string::npos);
        CHECK(listed.out.find("\"undecodable\":0,\"undecodable_patterns\":[]") != std::string::npos);
        rqt::CliResult text = run_rq(dir, {"ec", "check", "--k", "10", "--m", "4", "--list"});
        CHECK(text.out.find("  lost 0 8 11 13\n") != std::string::npos);
        for (int u : {0, 8, 11, 13})
            fs::remove(unit(dir / "u", u));
        rqt::CliResult r = run_rq(dir, {"ec", "decode", (dir / "u").string(), (dir / "out").string()});
        CHECK(r.exit_code == rqt::kExitNeedMore);
        CHECK(!fs::exists(dir / "out"));
        REQUIRE(run_rq(dir, {"ec", "repair", (dir / "u").string()}).exit_code == rqt::kExitNeedMore);
        // Unit 13 back (re-encoding makes the same bytes) and 12 lost instead: 0 8 11 12 rebuilds.
        REQUIRE(run_rq(dir, {"ec", "encode", "--quiet", "--k", "10", "--m", "4", "--cell", "4096",
                             (dir / "in").string(), (dir / "v").string()})
                    .exit_code == rqt::kExitOk);
        fs::copy_file(unit(dir / "v", 13), unit(dir / "u", 13));
        fs::remove(unit(dir / "u", 12));
        r = run_rq(dir, {"ec", "decode", (dir / "u").string(), (dir / "out").string()});
        CHECK(r.exit_code == rqt::kExitOk);
        CHECK(rqt::read_text(dir / "out") == rqt::read_text(dir / "in"));
    }

    SECTION("five lost units of 10+4")
    {
        for (int u : {0, 1, 2, 3, 4})
            fs::remove(unit(dir / "u", u));
        rqt::CliResult r = run_rq(dir, {"ec", "decode", (dir / "u").string(), (dir / "out").string()});
        CHECK(r.exit_code == rqt::kExitNeedMore);
        CHECK(r.err.find("cannot be rebuilt") != std::string::npos);
        CHECK(!fs::exists(dir / "out"));
        r = run_rq(dir, {"ec", "repair", (dir / "u").string()});
        CHECK(r.exit_code == rqt::kExitNeedMore);
        CHECK(rqt::files_under(dir / "u").size() == fresh.size() - 5);
    }
    SECTION("a unit replaced by a directory is left out by decode and never replaced by repair")
    {
        fs::remove(unit(dir / "u", 5));
        fs::create_directory(unit(dir / "u", 5));
        rqt::CliResult r = run_rq(dir, {"ec", "decode", (dir / "u").string(), (dir / "out").string()});
        CHECK(r.exit_code == rqt::kExitOk);
        r = run_rq(dir, {"ec", "repair", (dir / "u").string()});
        CHECK(r.exit_code == rqt::kExitIo);
        CHECK(fs::is_directory(unit(dir / "u", 5)));
    }
    SECTION("an existing output needs --force, and an encode into a full directory too")
    {
        rqt::write_text(dir / "out", "keep");
        rqt::CliResult r = run_rq(dir, {"ec", "decode", (dir / "u").string(), (dir / "out").string()});
        CHECK(r.exit_code == rqt::kExitIo);
        CHECK(rqt::read_text(dir / "out") == "keep");
        r = run_rq(dir, {"ec", "encode", "--k", "3", "--m", "2", (dir / "in").string(), (dir / "u").string()});
        CHECK(r.exit_code == rqt::kExitIo);
        CHECK(rqt::files_under(dir / "u") == fresh);
    }
    SECTION("a malformed manifest is bad input")
    {
        rqt::write_text(dir / "u" / "ec.json", "{\"format\":\"librq-ec\",\"k\":3}");
        rqt::CliResult r = run_rq(dir, {"ec", "decode", (dir / "u").string(), (dir / "out").string()});
        CHECK(r.exit_code == rqt::kExitInput);
        CHECK(r.err.find("ec.json") != std::string::npos);
    }
}

TEST_CASE("rq ec rejects bad options with specific messages")
{
    rqt::TempDir dir;
    rqt::write_input(dir / "in", 3, 1000);
    struct Bad {
        std::vector<std::string> args;
        int exit;
        std::string says;
    };
    for (const Bad &b : {Bad{{"ec", "encode", "--m", "2", "in", "u"}, rqt::kExitUsage, "--k and --m"},
                         Bad{{"ec", "decode", "--list", "u", "out"}, rqt::kExitUsage, "--list is an option of ec check"},
                         Bad{{"ec", "encode", "--k", "3", "--m", "2", "--scheme", "rs", "in", "u"}, rqt::kExitUsage, "raptorq-mds"},
                         Bad{{"ec", "encode", "--k", "20", "--m", "4", "--scheme", "raptorq-mds", "in", "u"}, rqt::kExitInput, "20+4"},
                         Bad{{"ec", "encode", "--k", "3", "--m", "2", "--cell", "0", "in", "u"}, rqt::kExitInput, "cell"},
                         Bad{{"ec", "encode", "--k", "3", "--m", "2", "missing", "u"}, rqt::kExitIo, "missing"},
                         Bad{{"ec", "check", "--k", "0", "--m", "2"}, rqt::kExitUsage, "--k and --m"},
                         Bad{{"ec", "frobnicate"}, rqt::kExitUsage, "unknown action"},
                         Bad{{"ec", "decode", "u"}, rqt::kExitUsage, "two paths"}}) {
        std::vector<std::string> args = b.args;
        for (std::string &a : args)
            if (a == "in" || a == "u" || a == "missing")
                a = (dir / a).string();
        CAPTURE(b.args);
        rqt::CliResult r = run_rq(dir, args);
        CHECK(r.exit_code == b.exit);
        CAPTURE(r.err);
        CHECK(r.err.find(b.says) != std::string::npos);
        CHECK(!fs::exists(dir / "u" / "ec.json"));
    }
    rqt::CliResult help = run_rq(dir, {"ec", "--help"});
    CHECK(help.exit_code == rqt::kExitOk);
    CHECK(help.out.find("raptorq-mds") != std::string::npos);
    CHECK(run_rq(dir, {"help", "ec"}).out == help.out);
}
