// Symbol-file checking, name against content: a file written under a name
// (the content's own ID, that ID with one character changed, or any name)
// and checked for an expected length is good exactly when the name is the
// BLAKE3/base58 ID of its bytes and the length matches, and then the bytes
// read are the file's. Also base58: a text that decodes re-encodes to
// itself, and rq_symbol_id_is_valid says yes only for 32 decoded bytes.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "fuzz_check.h"

extern "C" {
#include "runtime/base58.h"
#include "runtime/symbol_files.h"
}

namespace {

int work_dir()
{
    static int fd = [] {
        char tmpl[] = "/tmp/rq-fuzz-symbols.XXXXXX";
        FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
        return open(tmpl, O_RDONLY | O_DIRECTORY);
    }();
    return fd;
}

/* A usable file name: no '/', no NUL, not empty, not "." or "..". */
std::string as_name(std::string s)
{
    for (char &c : s)
        if (c == '/' || c == '\0')
            c = '_';
    if (s.empty() || s == "." || s == "..")
        s += "x";
    return s.substr(0, 200);
}

void check_base58(const char *c_text)
{
    std::string text = c_text;
    uint8_t raw[64];
    size_t n = 0;
    int ok = rq_base58_decode(text.c_str(), raw, sizeof raw, &n) == 0;
    FUZZ_CHECK(!rq_symbol_id_is_valid(text.c_str()) || (ok && n == 32));
    if (!ok)
        return;
    char back[128];
    size_t len = rq_base58_encode(raw, n, back, sizeof back);
    FUZZ_CHECK(len > 0 && std::string(back, len) == text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider in(data, size);
    int mode = in.ConsumeIntegralInRange<int>(0, 2);
    std::string fuzzed = in.ConsumeRandomLengthString(64);
    size_t expected = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<size_t>(0, 300);
    std::vector<uint8_t> content = in.ConsumeRemainingBytes<uint8_t>();
    if (expected == 0)
        expected = content.size();
    char id[RQ_SYMBOL_ID_MAX];
    rq_symbol_id_of(nullptr, content.data(), content.size(), id);
    check_base58(id);
    check_base58(fuzzed.c_str());
    std::string name = id;
    if (mode == 1 && !fuzzed.empty())
        name[(unsigned char)fuzzed[0] % name.size()] = fuzzed.size() > 1 ? fuzzed[1] : 'x';
    else if (mode == 2)
        name = fuzzed;
    name = as_name(name);
    int fd = openat(work_dir(), name.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(write(fd, content.data(), content.size()) == (ssize_t)content.size());
    close(fd);
    std::vector<uint8_t> buf(expected + 1);
    rq_file_identity identity;
    const char *why = nullptr;
    rq_symbol_check r = rq_symbol_file_check(nullptr, work_dir(), name.c_str(), buf.data(), expected, &identity, &why);
    bool should = name == id && expected == content.size();
    FUZZ_CHECK((r == RQ_SYMBOL_GOOD) == should);
    if (r == RQ_SYMBOL_GOOD)
        FUZZ_CHECK(content.empty() || std::memcmp(buf.data(), content.data(), content.size()) == 0);
    else
        FUZZ_CHECK(r == RQ_SYMBOL_CORRUPT && why != nullptr);
    unlinkat(work_dir(), name.c_str(), 0);
    return 0;
}
