// End-to-end tests of the `rq` command: exit codes, the OTI it prints, and
// a file cut into packets and assembled again.
#include "cli_runner.h"
#include "rq_test.h"
#include "test_data.h"

#include <cjson/cJSON.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using rqt::kExitInput;
using rqt::kExitIo;
using rqt::kExitNeedMore;
using rqt::kExitOk;
using rqt::kExitUsage;
using rqt::run_rq;
using rqt::TempDir;
using rqt::trim;
using rqt::write_bytes;
using Result = rqt::CliResult;

std::string serialize(const rq_oti &oti)
{
    uint8_t wire[RQ_OTI_SIZE];
    REQUIRE(rq_oti_serialize(&oti, wire, sizeof wire) == RQ_OK);
    return rqt::hex_encode(wire, sizeof wire);
}

} // namespace

TEST_CASE("rq --version exits 0 and names the library version")
{
    TempDir dir;
    const Result r = run_rq(dir, {"--version"});
    CHECK(r.exit_code == kExitOk);
    const char *version = nullptr;
    REQUIRE(rq_version(&version) == RQ_OK);
    CHECK(r.out.find(version) != std::string::npos);
}

TEST_CASE("rq oti prints the OTI of the default derivation")
{
    TempDir dir;
    // F = 1000, T = 1280, Z = 1, N = 1, Al = 8 in the 12-byte wire form.
    const Result r = run_rq(dir, {"oti", "--size", "1000", "--symbol-size", "1280"});
    CHECK(r.exit_code == kExitOk);
    CHECK(trim(r.out) == "00000003e8" "00" "0500" "01" "0001" "08");

    // A large object agrees with the library's with_defaults.
    rq_oti oti{};
    REQUIRE(rq_oti_with_defaults(50000000, 65535, &oti) == RQ_OK);
    const Result big = run_rq(dir, {"oti", "--size", "50000000", "--symbol-size", "65535"});
    CHECK(big.exit_code == kExitOk);
    CHECK(trim(big.out) == serialize(oti));
}

TEST_CASE("rq oti --explicit prints the given fields")
{
    TempDir dir;
    rq_oti oti{};
    oti.transfer_length = 1000000;
    oti.symbol_size = 1000;
    oti.source_blocks = 3;
    oti.sub_blocks = 1;
    oti.alignment = 4;
    const Result r = run_rq(dir, {"oti", "--size", "1000000", "--explicit", "1000,3,1,4"});
    CHECK(r.exit_code == kExitOk);
    CHECK(trim(r.out) == serialize(oti));
}

TEST_CASE("rq oti --explicit with bad values fails with a message on stderr")
{
    TempDir dir;
    struct BadCase {
        const char *explicit_fields;
        int exit_code;
    };
    const BadCase cases[] = {
        {"1000,0,1,4", kExitInput},   // Z = 0
        {"1000,3,1,3", kExitInput},   // T not a multiple of Al
        {"1000,3,0,4", kExitInput},   // N = 0
        {"1000,3,251,4", kExitInput}, // N above T/Al
        {"70000,1,1,8", kExitInput},  // T above 65535
        {"1000,300,1,4", kExitInput}, // Z above 255
        {"1000,3,1", kExitUsage},     // three fields
        {"abc", kExitUsage},          // not numbers
    };
    for (const BadCase &c : cases) {
        CAPTURE(c.explicit_fields);
        const Result r = run_rq(dir, {"oti", "--size", "1000000", "--explicit", c.explicit_fields});
        CHECK(r.exit_code == c.exit_code);
        CHECK(!r.err.empty());
        CHECK(trim(r.out).empty());
    }
}

TEST_CASE("rq reports bad usage with exit code 2")
{
    TempDir dir;
    CHECK(run_rq(dir, {}).exit_code == kExitUsage);
    CHECK(run_rq(dir, {"no-such-command"}).exit_code == kExitUsage);
    CHECK(run_rq(dir, {"oti", "--symbol-size", "1280"}).exit_code == kExitUsage);
    CHECK(run_rq(dir, {"oti", "--size", "1000", "--no-such-option"}).exit_code == kExitUsage);
    const Result r = run_rq(dir, {"oti", "--size", "ten", "--symbol-size", "1280"});
    CHECK(r.exit_code == kExitUsage);
    CHECK(!r.err.empty());
}

TEST_CASE("rq packets and rq assemble round trip a file with source packets dropped")
{
    TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(77, 100000);
    const fs::path input = dir / "data.bin";
    write_bytes(input, data);

    // T = 1000, two blocks of 50 symbols, two sub-blocks.
    const Result oti_run = run_rq(dir, {"oti", "--size", "100000", "--explicit", "1000,2,2,8"});
    REQUIRE(oti_run.exit_code == kExitOk);
    const std::string oti = trim(oti_run.out);
    REQUIRE(oti.size() == 24);

    struct Selection {
        const char *esis;
        size_t per_block;
    };
    // Each leaves K + 2 = 52 symbols per block: source with gaps plus repair, high ESIs, repair only.
    const Selection selections[] = {
        {"0-39,50-61", 52},
        {"5-49,1000-1003,65536,16777214-16777215", 52},
        {"50-101", 52},
    };
    int round = 0;
    for (const Selection &s : selections) {
        CAPTURE(s.esis);
        const fs::path packets = dir / ("packets" + std::to_string(round) + ".bin");
        const fs::path output = dir / ("copy" + std::to_string(round) + ".bin");
        round++;
        const Result p = run_rq(dir, {"packets", "--oti", oti, "--esi", s.esis, "-o", packets.string(), input.string()});
        REQUIRE(p.exit_code == kExitOk);
        CHECK(fs::file_size(packets) == 2 * s.per_block * (4 + 1000));

        const Result a = run_rq(dir, {"assemble", "--oti", oti, output.string()}, packets.string());
        CHECK(a.exit_code == kExitOk);
        REQUIRE(fs::exists(output));
        CHECK(rqt::read_file(output.string()) == data);
    }
}

TEST_CASE("rq assemble --expect-sha256 writes nothing when junk packets made the object wrong")
{
    TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(79, 20000);
    write_bytes(dir / "data.bin", data);
    const Result oti_run = run_rq(dir, {"oti", "--size", "20000", "--explicit", "1000,1,1,8"});
    REQUIRE(oti_run.exit_code == kExitOk);
    const std::string oti = trim(oti_run.out);
    REQUIRE(run_rq(dir, {"packets", "--oti", oti, "--esi", "0-21", "-o", (dir / "real.bin").string(),
                         (dir / "data.bin").string()})
                .exit_code == kExitOk);
    // A packet of the right size for block 0, ESI 3, with other bytes, ahead of the real ones.
    std::vector<uint8_t> stream = {0, 0, 0, 3};
    const std::vector<uint8_t> junk = rqt::splitmix_bytes(80, 1000);
    stream.insert(stream.end(), junk.begin(), junk.end());
    const std::vector<uint8_t> real = rqt::read_file((dir / "real.bin").string());
    stream.insert(stream.end(), real.begin(), real.end());
    write_bytes(dir / "mixed.bin", stream);
    const std::string sha = rqt::sha256_hex(data.data(), data.size());

    // Without the hash nothing can tell (RFC packets carry no check): exit 0, wrong bytes.
    Result a = run_rq(dir, {"assemble", "--oti", oti, (dir / "plain.bin").string()}, (dir / "mixed.bin").string());
    CHECK(a.exit_code == kExitOk);
    CHECK(rqt::read_file((dir / "plain.bin").string()) != data);
    a = run_rq(dir, {"assemble", "--oti", oti, "--expect-sha256", sha, (dir / "checked.bin").string()},
               (dir / "mixed.bin").string());
    CHECK(a.exit_code == kExitInput);
    CHECK(a.err.find("SHA-256") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "checked.bin"));
    a = run_rq(dir, {"assemble", "--oti", oti, "--expect-sha256", sha, (dir / "checked.bin").string()},
               (dir / "real.bin").string());
    CHECK(a.exit_code == kExitOk);
    CHECK(rqt::read_file((dir / "checked.bin").string()) == data);
    CHECK(run_rq(dir, {"assemble", "--oti", oti, "--expect-sha256", "12ab", (dir / "x.bin").string()},
                 (dir / "real.bin").string())
              .exit_code == kExitUsage);
}

TEST_CASE("rq packets with --repair writes source and repair packets that assemble")
{
    TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(78, 12345);
    const fs::path input = dir / "data.bin";
    write_bytes(input, data);
    const Result oti_run = run_rq(dir, {"oti", "--size", "12345", "--symbol-size", "256"});
    REQUIRE(oti_run.exit_code == kExitOk);
    const std::string oti = trim(oti_run.out);

    const fs::path packets = dir / "all.bin";
    REQUIRE(run_rq(dir, {"packets", "--oti", oti, "--repair", "10", "-o", packets.string(), input.string()})
                .exit_code == kExitOk);
    // K = ceil(12345 / 256) = 49 source packets and ceil(4.9) = 5 repair packets.
    CHECK(fs::file_size(packets) == (49 + 5) * (4 + 256));
    const fs::path output = dir / "copy.bin";
    CHECK(run_rq(dir, {"assemble", "--oti", oti, output.string()}, packets.string()).exit_code == kExitOk);
    CHECK(rqt::read_file(output.string()) == data);
}

TEST_CASE("rq assemble with too few packets exits 4 and creates no output")
{
    TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(79, 100000);
    const fs::path input = dir / "data.bin";
    write_bytes(input, data);
    const Result oti_run = run_rq(dir, {"oti", "--size", "100000", "--explicit", "1000,2,1,8"});
    REQUIRE(oti_run.exit_code == kExitOk);
    const std::string oti = trim(oti_run.out);

    const fs::path packets = dir / "few.bin";
    REQUIRE(run_rq(dir, {"packets", "--oti", oti, "--esi", "0-40", "-o", packets.string(), input.string()})
                .exit_code == kExitOk);
    const fs::path output = dir / "copy.bin";
    const Result a = run_rq(dir, {"assemble", "--oti", oti, output.string()}, packets.string());
    CHECK(a.exit_code == kExitNeedMore);
    CHECK(!a.err.empty());
    CHECK_FALSE(fs::exists(output));
    // No temporary file left behind either.
    for (const fs::directory_entry &entry : fs::directory_iterator(output.parent_path())) {
        CHECK(entry.path().filename().string().rfind("copy.bin", 0) == std::string::npos);
    }
}

TEST_CASE("rq packets refuses an input file of the wrong size")
{
    TempDir dir;
    const fs::path input = dir / "data.bin";
    write_bytes(input, rqt::splitmix_bytes(80, 999));
    const Result oti_run = run_rq(dir, {"oti", "--size", "1000", "--symbol-size", "100"});
    REQUIRE(oti_run.exit_code == kExitOk);
    const fs::path packets = dir / "p.bin";
    const Result r = run_rq(dir, {"packets", "--oti", trim(oti_run.out), "-o", packets.string(), input.string()});
    CHECK(r.exit_code == kExitInput);
    CHECK(!r.err.empty());
    CHECK_FALSE(fs::exists(packets));
}

TEST_CASE("rq assemble refuses an OTI whose object would not fit the memory budget, before reading")
{
    TempDir dir;
    // F = 2^39 bytes in 65528-byte symbols: far more than half of any test machine's RAM.
    rq_oti oti{};
    REQUIRE(rq_oti_with_defaults(1ull << 39, 65535, &oti) == RQ_OK);
    uint8_t wire[RQ_OTI_SIZE];
    REQUIRE(rq_oti_serialize(&oti, wire, sizeof wire) == RQ_OK);
    rqt::write_bytes(dir / "packets", std::vector<uint8_t>(4 + 65528, 0));
    const Result r = run_rq(dir, {"assemble", "--oti", rqt::hex_encode(wire, sizeof wire),
                                     (dir / "out.bin").string()}, (dir / "packets").string());
    CHECK(r.exit_code == rqt::kExitInput);
    CHECK(r.err.find("process memory budget") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "out.bin"));
}

TEST_CASE("rq assemble does not replace an existing output without --force")
{
    TempDir dir;
    const std::vector<uint8_t> data = rqt::splitmix_bytes(81, 5000);
    const fs::path input = dir / "data.bin";
    write_bytes(input, data);
    const Result oti_run = run_rq(dir, {"oti", "--size", "5000", "--symbol-size", "500"});
    REQUIRE(oti_run.exit_code == kExitOk);
    const std::string oti = trim(oti_run.out);
    const fs::path packets = dir / "p.bin";
    REQUIRE(run_rq(dir, {"packets", "--oti", oti, "-o", packets.string(), input.string()}).exit_code == kExitOk);

    const fs::path output = dir / "copy.bin";
    write_bytes(output, {1, 2, 3});
    CHECK(run_rq(dir, {"assemble", "--oti", oti, output.string()}, packets.string()).exit_code == kExitIo);
    CHECK(rqt::read_file(output.string()) == std::vector<uint8_t>{1, 2, 3});
    CHECK(run_rq(dir, {"assemble", "--oti", oti, "--force", output.string()}, packets.string()).exit_code ==
          kExitOk);
    CHECK(rqt::read_file(output.string()) == data);
}

TEST_CASE("rq info exits 0 and names the backend")
{
    TempDir dir;
    const Result r = run_rq(dir, {"info"});
    CHECK(r.exit_code == kExitOk);
    const char *backend = nullptr;
    REQUIRE(rq_context_backend(rqt::default_context(), &backend) == RQ_OK);
    CHECK(r.out.find(backend) != std::string::npos);
}

TEST_CASE("rq info --json describes the machine under \"topology\" and the scheduler's defaults")
{
    TempDir dir;
    const Result r = run_rq(dir, {"info", "--json"});
    CHECK(r.exit_code == kExitOk);
    cJSON *root = cJSON_Parse(r.out.c_str());
    REQUIRE(root != nullptr);
    const cJSON *topology = cJSON_GetObjectItemCaseSensitive(root, "topology");
    REQUIRE(cJSON_IsObject(topology));
    for (const char *key : {"numa_nodes", "packages", "cores", "pus"}) {
        INFO(key);
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(topology, key);
        REQUIRE(cJSON_IsNumber(count));
        CHECK(count->valuedouble >= 1);
    }
    CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(topology, "caches")));
    CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(topology, "nodes")));
    const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(root, "defaults");
    REQUIRE(cJSON_IsObject(defaults));
    const cJSON *threads = cJSON_GetObjectItemCaseSensitive(defaults, "threads");
    REQUIRE(cJSON_IsNumber(threads));
    CHECK(threads->valuedouble >= 1);
    CHECK(cJSON_GetObjectItemCaseSensitive(defaults, "process_memory_budget")->valuedouble >=
          8.0 * 1024 * 1024);
    CHECK(std::string(cJSON_GetObjectItemCaseSensitive(defaults, "placement")->valuestring) == "compact");
    cJSON_Delete(root);
}

TEST_CASE("rq info says where a batch would run and why")
{
    TempDir dir;
    const Result text = run_rq(dir, {"info"});
    const Result json = run_rq(dir, {"info", "--json"});
    REQUIRE(text.exit_code == kExitOk);
    REQUIRE(json.exit_code == kExitOk);
    cJSON *root = cJSON_Parse(json.out.c_str());
    REQUIRE(root != nullptr);
    const cJSON *batch = cJSON_GetObjectItemCaseSensitive(root, "batch");
    REQUIRE(cJSON_IsObject(batch));
    std::string device = cJSON_GetObjectItemCaseSensitive(batch, "device")->valuestring;
    std::string reason = cJSON_GetObjectItemCaseSensitive(batch, "reason")->valuestring;
    CHECK((device == "cpu" || device == "cuda"));
    CHECK(!reason.empty());
    CHECK(text.out.find("batches    1000 blocks of K=1000, T=1280: " + device) != std::string::npos);
    CHECK(text.out.find(reason) != std::string::npos);
    cJSON_Delete(root);
    REQUIRE(setenv("RQ_BACKEND", "scalar", 1) == 0);
    const Result scalar = run_rq(dir, {"info"});
    unsetenv("RQ_BACKEND");
    CHECK(scalar.out.find("T=1280: cpu (scalar), the context's backend is scalar") != std::string::npos);
}

TEST_CASE("rq info shows the machine that HWLOC_SYNTHETIC describes")
{
    TempDir dir;
    REQUIRE(setenv("HWLOC_SYNTHETIC", "pack:2 numa:2 core:4 pu:2", 1) == 0);
    const Result r = run_rq(dir, {"info"});
    const Result json = run_rq(dir, {"info", "--json"});
    unsetenv("HWLOC_SYNTHETIC");
    CHECK(r.exit_code == kExitOk);
    CHECK(r.out.find("4 NUMA nodes, 2 packages, 16 cores, 32 PUs (synthetic)") != std::string::npos);
    CHECK(r.out.find("node 3: 4 cores, 8 PUs") != std::string::npos);
    REQUIRE(json.exit_code == kExitOk);
    cJSON *root = cJSON_Parse(json.out.c_str());
    REQUIRE(root != nullptr);
    const cJSON *topology = cJSON_GetObjectItemCaseSensitive(root, "topology");
    CHECK(cJSON_GetObjectItemCaseSensitive(topology, "numa_nodes")->valueint == 4);
    CHECK(cJSON_GetObjectItemCaseSensitive(topology, "pus")->valueint == 32);
    // One worker per core by default: 16 cores on that machine.
    const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(root, "defaults");
    CHECK(cJSON_GetObjectItemCaseSensitive(defaults, "threads")->valueint == 16);
    CHECK(r.out.find("defaults   16 worker threads per job") != std::string::npos);
    cJSON_Delete(root);
}

TEST_CASE("rq packets refuses an ESI of 2^24 or more")
{
    TempDir dir;
    const fs::path input = dir / "data.bin";
    write_bytes(input, rqt::splitmix_bytes(82, 1000));
    const Result oti_run = run_rq(dir, {"oti", "--size", "1000", "--symbol-size", "100"});
    REQUIRE(oti_run.exit_code == kExitOk);
    const fs::path packets = dir / "p.bin";
    const Result r = run_rq(
        dir, {"packets", "--oti", trim(oti_run.out), "--esi", "0,16777216", "-o", packets.string(), input.string()});
    CHECK(r.exit_code == kExitInput);
    CHECK(!r.err.empty());
    CHECK_FALSE(fs::exists(packets));
}
