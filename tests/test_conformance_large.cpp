// The vector objects above 4 MB (up to the 300 MB with_defaults case):
// minutes of work, so they carry the tag and ctest label "slow".
#include "conformance.h"
#include "rq_test.h"
#include "test_data.h"

#include <vector>

TEST_CASE("encoder symbols match the independent implementation for the vector objects above 4 MB",
          "[conformance][slow]")
{
    static const std::vector<rqt::VectorCase> cases = rqt::load_cases();
    size_t ran = 0;
    for (const rqt::VectorCase &c : cases) {
        if (c.F <= rqt::kFastCaseMaxBytes) {
            continue;
        }
        ran++;
        DYNAMIC_SECTION(c.name)
        {
            rqt::check_vector_case(c);
        }
    }
    CHECK(ran == 3);
}
