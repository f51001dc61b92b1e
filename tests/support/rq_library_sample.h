/* The samples an rq-library deployment wrote (tests/data/rq-library): their inputs and outputs. */
#ifndef RQ_TEST_RQ_LIBRARY_SAMPLE_H
#define RQ_TEST_RQ_LIBRARY_SAMPLE_H

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "test_data.h"
#include "test_json.h"

namespace rqt {

/* Loads sample `name` and writes its input file to path. */
inline RqLibrarySample write_rq_library_input(const std::string &name, const std::filesystem::path &path)
{
    RqLibrarySample sample = load_rq_library_sample(name);
    write_input(path, sample.seed, sample.size);
    return sample;
}

/*
 * Checks that the symbol directory `ours` holds what an rq-library
 * deployment wrote for sample `name` (tests/data/rq-library/NAME/symbols):
 * the same layout file and the same symbol files, byte for byte (the
 * layout in serde_json's pretty form, as rq-library writes it).
 */
inline void check_matches_rq_library_sample(const std::filesystem::path &ours_dir, const std::string &name)
{
    std::map<std::string, std::vector<uint8_t>> ours = files_under(ours_dir);
    std::map<std::string, std::vector<uint8_t>> theirs = files_under(data_path("rq-library/" + name + "/symbols"));
    const std::string layout = "_raptorq_layout.json";
    REQUIRE(ours.count(layout) == 1);
    CHECK(same_json(ours[layout], theirs[layout]));
    CHECK(std::string(ours[layout].begin(), ours[layout].end()) ==
          std::string(theirs[layout].begin(), theirs[layout].end()));
    CHECK(ours.size() == theirs.size());
    CHECK(ours == theirs);
}

} // namespace rqt

#endif
