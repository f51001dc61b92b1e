/* cJSON in tests: an owning handle and a parse that fails the test on bad JSON. */
#ifndef RQ_TEST_TEST_JSON_H
#define RQ_TEST_TEST_JSON_H

#include <catch2/catch.hpp>
#include <cjson/cJSON.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rqt {

struct JsonDeleter {
    void operator()(cJSON *p) const { cJSON_Delete(p); }
};
using Json = std::unique_ptr<cJSON, JsonDeleter>;

inline Json parse_json(const std::string &text)
{
    Json json(cJSON_Parse(text.c_str()));
    REQUIRE(json != nullptr);
    return json;
}

/* Two JSON texts are the same value (formatting aside). */
inline bool same_json(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b)
{
    Json x = parse_json(std::string(a.begin(), a.end())), y = parse_json(std::string(b.begin(), b.end()));
    return cJSON_Compare(x.get(), y.get(), 1);
}

} // namespace rqt

#endif
