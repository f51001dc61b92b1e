// rq-library's ABI (include/rq-library.h) with fuzzed arguments: session
// settings, buffer lengths for the error and version texts, file sizes for
// the block-size advice (the first 16 bytes), and a layout file (the rest)
// for raptorq_decode_symbols over a real symbol directory (made once per
// process by raptorq_encode_file). Every
// return code is one the header lists; a failed decode leaves no output file
// and a message; a session frees once.
#include <rq-library.h>

#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"

namespace {

struct Dir {
    std::string root, symbols, layout, output;
};

void write_file(const std::string &path, const void *p, size_t n)
{
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0 && write(fd, p, n) == (ssize_t)n);
    close(fd);
}

/* A 3000-byte file encoded once into symbols/ with 64-byte symbols. */
const Dir &dir()
{
    static Dir d = [] {
        char tmpl[] = "/tmp/rq-fuzz-rqlib.XXXXXX";
        FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
        Dir x{tmpl, std::string(tmpl) + "/symbols", std::string(tmpl) + "/layout.json",
              std::string(tmpl) + "/out.bin"};
        std::vector<uint8_t> file = rqf::seeded(7, 3000);
        write_file(x.root + "/in.bin", file.data(), file.size());
        uintptr_t s = raptorq_init_session(64, 2, 64, 1);
        char result[16384];
        FUZZ_CHECK(raptorq_encode_file(s, (x.root + "/in.bin").c_str(), x.symbols.c_str(), 1024, result,
                                       sizeof result) == 0);
        raptorq_free_session(s);
        return x;
    }();
    return d;
}

bool listed(int32_t rc)
{
    static const int32_t codes[] = {0, -1, -2, -3, -4, -5, -11, -12, -13, -14, -15, -16, -17};
    for (int32_t c : codes)
        if (rc == c)
            return true;
    return false;
}

/* The first 16 bytes: the settings and lengths, at fixed places so that seeds mean something. */
struct Args {
    uint16_t symbol_size;
    uint8_t redundancy;
    uint64_t memory_mb, limit, text_len, file_size;
};

Args args_of(const uint8_t *d)
{
    Args a;
    a.symbol_size = (uint16_t)(d[0] | d[1] << 8);
    a.redundancy = d[2];
    a.memory_mb = (uint64_t)d[3] | (uint64_t)d[4] << 8;
    if (d[15] & 1)
        a.memory_mb <<= 30; /* now and then far beyond the limit */
    a.limit = d[5] % 5;
    a.text_len = d[6] % 81;
    a.file_size = 0;
    for (int i = 0; i < 8; i++)
        a.file_size |= (uint64_t)d[7 + i] << (8 * i);
    return a;
}

void check_texts(uintptr_t s, const Args &a)
{
    size_t len = a.text_len;
    std::vector<char> buf(len + 1, 'Z');
    int32_t rc = raptorq_get_last_error(s, len ? buf.data() : nullptr, len);
    FUZZ_CHECK(rc == (len ? 0 : -1));
    if (len)
        FUZZ_CHECK(std::memchr(buf.data(), '\0', len) != nullptr);
    rc = raptorq_version(len ? buf.data() : nullptr, len);
    FUZZ_CHECK(rc == 0 || rc == -1);
    (void)raptorq_get_recommended_block_size(s, a.file_size);
}

void check_decode(uintptr_t s, const uint8_t *layout, size_t n)
{
    const Dir &d = dir();
    write_file(d.layout, layout, n);
    unlink(d.output.c_str());
    int32_t rc = raptorq_decode_symbols(s, d.symbols.c_str(), d.output.c_str(), d.layout.c_str());
    FUZZ_CHECK(listed(rc));
    struct stat st;
    bool exists = stat(d.output.c_str(), &st) == 0;
    FUZZ_CHECK(exists == (rc == 0));
    if (rc != 0) {
        char msg[512];
        FUZZ_CHECK(raptorq_get_last_error(s, msg, sizeof msg) == 0 && msg[0] != '\0');
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 16)
        return 0;
    Args a = args_of(data);
    uintptr_t s = raptorq_init_session(a.symbol_size, a.redundancy, a.memory_mb, a.limit);
    bool valid = a.symbol_size && a.redundancy && a.memory_mb >= 8 && a.memory_mb <= (1ull << 43) && a.limit;
    FUZZ_CHECK((s != 0) == valid);
    if (!s) {
        FUZZ_CHECK(raptorq_get_recommended_block_size(0, a.file_size) == 0);
        return 0;
    }
    check_texts(s, a);
    check_decode(s, data + 16, size - 16);
    FUZZ_CHECK(raptorq_free_session(s));
    FUZZ_CHECK(!raptorq_free_session(s));
    return 0;
}
