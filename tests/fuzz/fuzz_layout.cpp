// The layout reader: any text either parses, and then renders back to a
// text that parses to the same layout (librq's form, and rq-library's form
// where the blocks are named so), or is refused with a message and an
// all-zero model.
#include <cstring>
#include <string>

#include "fuzz_check.h"

extern "C" {
#include "runtime/layout.h"
}

static std::string render(const rq_layout &layout)
{
    char *json = nullptr;
    FUZZ_CHECK(rq_layout_to_json(&layout, &json) == RQ_OK);
    std::string s(json);
    std::free(json);
    return s;
}

static void check_round_trip(const rq_layout &layout)
{
    std::string text = render(layout);
    rq_layout again;
    char err[256];
    FUZZ_CHECK(rq_layout_parse(text.data(), text.size(), &again, err, sizeof err) == RQ_OK);
    FUZZ_CHECK(render(again) == text);
    rq_layout_free(&again);
    char *lib = nullptr;
    if (rq_layout_to_json_rq_library(&layout, &lib) != RQ_OK)
        return;
    rq_layout other;
    rq_status st = rq_layout_parse(lib, std::strlen(lib), &other, err, sizeof err);
    if (st != RQ_OK)
        std::fprintf(stderr, "rq-library form:\n%s\nrefused: %s\n", lib, err);
    std::free(lib);
    FUZZ_CHECK(st == RQ_OK);
    FUZZ_CHECK(other.n_blocks == layout.n_blocks);
    for (size_t i = 0; i < layout.n_blocks; i++) {
        FUZZ_CHECK(other.blocks[i].original_offset == layout.blocks[i].original_offset);
        FUZZ_CHECK(other.blocks[i].size == layout.blocks[i].size);
        FUZZ_CHECK(other.blocks[i].n_symbols == layout.blocks[i].n_symbols);
        FUZZ_CHECK(std::strcmp(other.blocks[i].hash, layout.blocks[i].hash) == 0);
        for (size_t j = 0; j < layout.blocks[i].n_symbols; j++)
            FUZZ_CHECK(std::strcmp(other.blocks[i].symbols[j], layout.blocks[i].symbols[j]) == 0);
    }
    rq_layout_free(&other);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rq_layout layout;
    char err[256];
    rq_status st = rq_layout_parse(reinterpret_cast<const char *>(data), size, &layout, err, sizeof err);
    if (st != RQ_OK) {
        FUZZ_CHECK(st == RQ_ERR_LAYOUT || st == RQ_ERR_NO_MEMORY);
        FUZZ_CHECK(err[0] != '\0');
        static const rq_layout zero{};
        FUZZ_CHECK(std::memcmp(&layout, &zero, sizeof layout) == 0);
        return 0;
    }
    FUZZ_CHECK(err[0] == '\0');
    check_round_trip(layout);
    rq_layout_free(&layout);
    return 0;
}
