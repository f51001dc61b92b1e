// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/),
// all made by librq itself: wire OTIs of the default derivation, layouts
// that rq_create_metadata writes (librq's form and rq-library's, one block
// and chunked), an OTI followed by the encoder's packets, and seeded bytes
// for the targets that read their input as a stream of choices.
//   make_corpus OUT_DIR
#include <rq/rq.h>
#include <rq/rq_file.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "fuzz_check.h"

namespace {

std::string out_root;
int counter;

void put(const std::string &target, const std::vector<uint8_t> &bytes)
{
    std::string dir = out_root + "/" + target;
    mkdir(dir.c_str(), 0755);
    char name[32];
    std::snprintf(name, sizeof name, "/seed-%03d", counter++);
    std::ofstream(dir + name, std::ios::binary).write(reinterpret_cast<const char *>(bytes.data()),
                                                       (std::streamsize)bytes.size());
}

std::vector<uint8_t> wire_oti(uint64_t F, uint32_t P)
{
    rq_oti oti;
    std::vector<uint8_t> w(12);
    FUZZ_CHECK(rq_oti_with_defaults(F, P, &oti) == RQ_OK && rq_oti_serialize(&oti, w.data(), 12) == RQ_OK);
    return w;
}

void otis()
{
    for (auto [F, P] : {std::pair<uint64_t, uint32_t>{1, 16}, {3000, 64}, {100000, 1280}, {1u << 30, 65535},
                        {1ull << 36, 65535}, {70000, 64}}) {
        std::vector<uint8_t> w = wire_oti(F, P);
        std::vector<uint8_t> tail = rqf::seeded(F, 28); /* derive arguments */
        w.insert(w.end(), tail.begin(), tail.end());
        put("fuzz_oti", w);
    }
}

std::vector<uint8_t> read_all(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

/* Layouts of files of 3000 and 9000 bytes, one block and chunked, both formats. */
void layouts(const std::string &tmp)
{
    std::vector<uint8_t> file = rqf::seeded(1, 9000);
    for (size_t size : {3000u, 9000u}) {
        std::string in = tmp + "/in.bin";
        std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char *>(file.data()), (std::streamsize)size);
        for (int format : {RQ_FORMAT_LIBRQ, RQ_FORMAT_RQ_LIBRARY})
            for (int64_t block : {0, 4096}) {
                rq_session *s = nullptr;
                FUZZ_CHECK(rq_session_create(&s) == RQ_OK);
                rq_session_set(s, RQ_SESSION_SYMBOL_SIZE, 256);
                rq_session_set(s, RQ_SESSION_FORMAT, format);
                rq_session_set(s, RQ_SESSION_BLOCK_SIZE, block);
                rq_session_set(s, RQ_SESSION_OVERWRITE, 1);
                std::string layout = tmp + "/layout.json";
                FUZZ_CHECK(rq_create_metadata(s, in.c_str(), layout.c_str(), nullptr) == RQ_OK);
                rq_session_destroy(s);
                std::vector<uint8_t> text = read_all(layout);
                put("fuzz_layout", text);
                std::vector<uint8_t> abi = {64, 0, 2, 64, 0, 1, 40, 0, 0, 16, 0, 0, 0, 0, 0, 0}; /* T 64, R 2, 64 MB */
                abi.insert(abi.end(), text.begin(), text.end());
                put("fuzz_rq_library", abi);
            }
    }
}

/* An OTI, a seed byte, then choices that the target reads as genuine packets. */
void packet_streams()
{
    for (auto [F, P] : {std::pair<uint64_t, uint32_t>{3000, 64}, {20000, 256}, {200000, 1280}}) {
        std::vector<uint8_t> w = wire_oti(F, P);
        std::vector<uint8_t> rest = rqf::seeded(F + 1, 600);
        w.insert(w.end(), rest.begin(), rest.end());
        put("fuzz_object_decoder", w);
    }
}

void choice_streams()
{
    for (size_t len : {16u, 200u, 1500u})
        for (const char *t : {"fuzz_block_decoder", "fuzz_ec", "fuzz_symbol_file"})
            put(t, rqf::seeded(len * 7 + std::strlen(t), len));
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_corpus OUT_DIR\n");
        return 2;
    }
    out_root = argv[1];
    mkdir(out_root.c_str(), 0755);
    char tmpl[] = "/tmp/rq-make-corpus.XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
    otis();
    layouts(tmpl);
    packet_streams();
    choice_streams();
    std::string cleanup = std::string("rm -rf ") + tmpl;
    return std::system(cleanup.c_str()) == 0 ? 0 : 1;
}
