// The kernel backends: scalar against a bit-by-bit GF(256) reference, and
// every other usable backend against scalar on odd lengths, unaligned
// pointers, all 256 coefficients and whole plans; then the RFC 6330 vectors
// through each backend, and the RQ_BACKEND override.
#include "conformance.h"
#include "rq_test.h"
#include "test_data.h"

extern "C" {
#include "backends/cpu_replay.h"
#include "backends/kernels.h"
#include "runtime/dispatch.h"
#include "runtime/kernel_self_test.h"
}

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

// GF(256) product with the RFC 6330 polynomial x^8 + x^4 + x^3 + x^2 + 1, one bit at a time.
uint8_t gf_mul_reference(uint8_t a, uint8_t b)
{
    unsigned product = 0;
    unsigned x = a;
    for (unsigned bit = 0; bit < 8; bit++) {
        if (b & (1u << bit)) {
            product ^= x;
        }
        x <<= 1;
        if (x & 0x100u) {
            x ^= 0x11Du;
        }
    }
    return static_cast<uint8_t>(product);
}

struct ReferenceKernels {
    static void xor_into(uint8_t *dst, const uint8_t *src, size_t len)
    {
        for (size_t i = 0; i < len; i++) {
            dst[i] ^= src[i];
        }
    }
    static void xor_many(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
    {
        for (size_t k = 0; k < n; k++) {
            xor_into(dst, srcs[k], len);
        }
    }
    static void xor_set(uint8_t *dst, const uint8_t *const *srcs, size_t n, size_t len)
    {
        std::memmove(dst, srcs[0], len);
        xor_many(dst, srcs + 1, n - 1, len);
    }
    static void fma_into(uint8_t *dst, const uint8_t *src, uint8_t c, size_t len)
    {
        for (size_t i = 0; i < len; i++) {
            dst[i] ^= gf_mul_reference(c, src[i]);
        }
    }
    static void scale(uint8_t *dst, uint8_t c, size_t len)
    {
        for (size_t i = 0; i < len; i++) {
            dst[i] = gf_mul_reference(c, dst[i]);
        }
    }
    static void fma_many(uint8_t *dst, const uint8_t *const *srcs, const uint8_t *coefs, size_t n, size_t len)
    {
        for (size_t k = 0; k < n; k++) {
            fma_into(dst, srcs[k], coefs[k], len);
        }
    }
};

const rq_kernels kReference = {"reference", ReferenceKernels::xor_into, ReferenceKernels::xor_many,
                               ReferenceKernels::fma_into,
                               ReferenceKernels::scale, nullptr, nullptr, nullptr, ReferenceKernels::fma_many,
                               ReferenceKernels::xor_set, nullptr, rq_stream_rows_memcpy, nullptr};

const size_t kLengths[] = {0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 1000, 4095, 4099, 65537};

std::vector<std::string> usable_backends()
{
    size_t count = 0;
    REQUIRE(rq_backend_count(&count) == RQ_OK);
    std::vector<std::string> names;
    for (size_t i = 0; i < count; i++) {
        rq_backend_info info{};
        REQUIRE(rq_backend_describe(i, &info) == RQ_OK);
        if (info.usable) {
            names.push_back(info.name);
        }
    }
    return names;
}

/*
 * Runs every kernel of `tested` and `expected` on the same random bytes at
 * every length, pointer misalignment and coefficient, comparing a
 * guard zone around the destination too.
 */
void compare_kernels(const rq_kernels &tested, const rq_kernels &expected)
{
    std::mt19937_64 rng(256);
    std::uniform_int_distribution<int> byte(0, 255);
    const size_t pad = 16;
    for (size_t len : kLengths) {
        std::vector<uint8_t> src(len + 2 * pad);
        std::vector<uint8_t> base(len + 2 * pad);
        for (uint8_t &b : src) {
            b = static_cast<uint8_t>(byte(rng));
        }
        for (uint8_t &b : base) {
            b = static_cast<uint8_t>(byte(rng));
        }
        // Every misalignment on the short lengths; two on the long ones, to keep it quick.
        for (size_t dst_off = 0; dst_off < 8; dst_off += (len > 5000 ? 5 : 1)) {
            const size_t src_off = (dst_off * 3 + 1) % 8;
            CAPTURE(tested.name, len, dst_off, src_off);
            std::vector<uint8_t> a = base, b = base;
            tested.xor_into(a.data() + pad + dst_off - 4, src.data() + pad + src_off - 4, len);
            expected.xor_into(b.data() + pad + dst_off - 4, src.data() + pad + src_off - 4, len);
            REQUIRE(a == b);
            // xor_many with 1..RQ_XOR_MANY_MAX sources at assorted misalignments.
            for (size_t n = 1; n <= RQ_XOR_MANY_MAX; n++) {
                const uint8_t *srcs[RQ_XOR_MANY_MAX];
                for (size_t k = 0; k < n; k++)
                    srcs[k] = src.data() + pad - 4 + (src_off + k * 5) % 8;
                tested.xor_many(a.data() + pad + dst_off - 4, srcs, n, len);
                expected.xor_many(b.data() + pad + dst_off - 4, srcs, n, len);
                REQUIRE(a == b);
                // fma_many over the same sources, up to its own limit: coefficients 1..255, ones among them.
                uint8_t coefs[RQ_XOR_MANY_MAX];
                for (size_t k = 0; k < n; k++)
                    coefs[k] = k % 3 == 1 ? uint8_t(1) : uint8_t(1 + byte(rng) % 255);
                if (n <= RQ_FMA_MANY_MAX) {
                    tested.fma_many(a.data() + pad + dst_off - 4, srcs, coefs, n, len);
                    expected.fma_many(b.data() + pad + dst_off - 4, srcs, coefs, n, len);
                    REQUIRE(a == b);
                }
                // xor_set: dst = the sum, never read.
                tested.xor_set(a.data() + pad + dst_off - 4, srcs, n, len);
                expected.xor_set(b.data() + pad + dst_off - 4, srcs, n, len);
                REQUIRE(a == b);
            }
            for (int c = 0; c < 256; c++) {
                CAPTURE(c);
                a = base;
                b = base;
                tested.fma_into(a.data() + pad + dst_off - 4, src.data() + pad + src_off - 4, uint8_t(c), len);
                expected.fma_into(b.data() + pad + dst_off - 4, src.data() + pad + src_off - 4, uint8_t(c), len);
                REQUIRE(a == b);
                tested.scale(a.data() + pad + dst_off - 4, uint8_t(c), len);
                expected.scale(b.data() + pad + dst_off - 4, uint8_t(c), len);
                REQUIRE(a == b);
            }
        }
    }
}

// A random plan over `rows` rows: scales (nonzero), XORs and multiply-adds.
// The kernel table of the backend called name (which must be usable).
const rq_kernels *select_kernels(const std::string &name)
{
    rq_backend_id id;
    REQUIRE(rq_backend_lookup(name.c_str(), &id) == RQ_OK);
    const rq_kernels *kernels = nullptr;
    const char *why = nullptr;
    REQUIRE(rq_dispatch_kernels(id, &kernels, &why) == RQ_OK);
    REQUIRE(kernels != nullptr);
    return kernels;
}

// A context coding with the backend called name.
rqt::Context context_on(const std::string &name)
{
    rq_backend_id id;
    REQUIRE(rq_backend_lookup(name.c_str(), &id) == RQ_OK);
    rqt::Context ctx = rqt::make_context();
    REQUIRE(rq_context_set(ctx.get(), RQ_PARAM_BACKEND, id) == RQ_OK);
    return ctx;
}

// Replays ops one at a time as kernels.h defines them, no fusing; row(r) is row r's address.
template <typename RowOf>
void replay_one_at_a_time(const std::vector<rq_op> &ops, size_t len, RowOf row)
{
    for (const rq_op &op : ops) {
        uint8_t *d = row(rq_op_dst(op));
        const uint8_t *src = row(op.src);
        if (op.src == rq_op_dst(op))
            ReferenceKernels::scale(d, rq_op_coef(op), len);
        else if (rq_op_coef(op) == 0)
            std::memmove(d, src, len);
        else
            ReferenceKernels::fma_into(d, src, rq_op_coef(op), len);
    }
}

std::vector<rq_op> random_plan(uint32_t rows, size_t n_ops, std::mt19937_64 &rng)
{
    std::uniform_int_distribution<uint32_t> row(0, rows - 1);
    std::uniform_int_distribution<int> coef(1, 255);
    std::uniform_int_distribution<int> kind(0, 4);
    std::vector<rq_op> ops;
    uint32_t dst = row(rng);
    for (size_t i = 0; i < n_ops; i++) {
        // Half the time the same row again: runs of XORs into one row are what
        // replay fuses into xor_many, so the plans must have them.
        if (rng() % 2)
            dst = row(rng);
        uint32_t src = row(rng);
        const int k = kind(rng);
        if (k == 0) { // scale, now and then by zero (a row clear)
            ops.push_back(rq_op_make(dst, dst, rng() % 8 ? uint8_t(coef(rng)) : uint8_t(0)));
            continue;
        }
        if (src == dst) {
            src = (dst + 1) % rows;
        }
        // k == 4: a copy, mostly followed by XORs into the same row as plans emit them
        ops.push_back(rq_op_make(dst, src, k == 1 ? uint8_t(1) : k == 4 ? uint8_t(0) : uint8_t(coef(rng) | 2)));
    }
    return ops;
}

} // namespace

TEST_CASE("scalar kernels match a bit-by-bit GF(256) reference for all 256 coefficients")
{
    compare_kernels(*rq_kernels_scalar(), kReference);
    // A few products by hand: alpha = 2, alpha^8 = 0x1D.
    CHECK(gf_mul_reference(2, 0x80) == 0x1D);
    CHECK(gf_mul_reference(1, 0xAB) == 0xAB);
    CHECK(gf_mul_reference(0, 0xAB) == 0);
}

TEST_CASE("scalar is always compiled and usable, and one backend is active")
{
    const std::vector<std::string> names = usable_backends();
    CHECK(std::find(names.begin(), names.end(), "scalar") != names.end());
    size_t count = 0;
    REQUIRE(rq_backend_count(&count) == RQ_OK);
    int active = 0;
    for (size_t i = 0; i < count; i++) {
        rq_backend_info info{};
        REQUIRE(rq_backend_describe(i, &info) == RQ_OK);
        REQUIRE(info.name != nullptr);
        REQUIRE(info.reason != nullptr);
        CAPTURE(info.name, info.reason);
        CHECK((info.usable ? std::string(info.reason).empty() : !std::string(info.reason).empty()));
        CHECK((!info.usable || info.compiled));
        active += info.active;
    }
    CHECK(active == 1);
    rq_backend_info info{};
    CHECK(rq_backend_describe(count, &info) == RQ_ERR_INVALID_ARGUMENT);
    const char *features = nullptr;
    REQUIRE(rq_cpu_features(&features) == RQ_OK);
    CHECK(features != nullptr);
}

TEST_CASE("every usable backend matches scalar on odd lengths, unaligned pointers and all coefficients")
{
    for (const std::string &name : usable_backends()) {
        DYNAMIC_SECTION(name)
        {
            rqt::Context ctx = context_on(name);
            const char *active = nullptr;
            REQUIRE(rq_context_backend(ctx.get(), &active) == RQ_OK);
            CHECK(name == active);
            compare_kernels(*select_kernels(name), *rq_kernels_scalar());
        }
    }
}

TEST_CASE("every usable backend replays a plan like scalar, on whole rows and on stripes")
{
    for (const std::string &name : usable_backends()) {
        DYNAMIC_SECTION(name)
        {
            const rq_kernels *kernels = select_kernels(name);
            std::mt19937_64 rng(6330);
            const uint32_t rows = 40;
            for (size_t len : {size_t(1), size_t(13), size_t(64), size_t(100), size_t(1029)}) {
                for (size_t extra : {size_t(0), size_t(7), size_t(64)}) {
                    const size_t stride = len + extra;
                    CAPTURE(len, stride);
                    const std::vector<rq_op> ops = random_plan(rows, 500, rng);
                    std::vector<uint8_t> a = rqt::splitmix_bytes(len * 31 + extra, rows * stride + 8);
                    std::vector<uint8_t> b = a;
                    // Offset 3 so the rows start unaligned; the stripe's neighbours must not change.
                    kernels->apply_plan(ops.data(), ops.size(), a.data() + 3, stride, len);
                    rq_kernels_scalar()->apply_plan(ops.data(), ops.size(), b.data() + 3, stride, len);
                    CHECK(a == b);
                    std::vector<uint8_t> c = rqt::splitmix_bytes(len * 31 + extra, rows * stride + 8);
                    rq_replay_ops(ops.data(), ops.size(), c.data() + 3, stride, len, ReferenceKernels::scale,
                                  ReferenceKernels::fma_into, ReferenceKernels::xor_many,
                                  ReferenceKernels::fma_many, ReferenceKernels::xor_set);
                    CHECK(b == c);
                    // And one operation at a time as kernels.h defines them, no fusing.
                    std::vector<uint8_t> e = rqt::splitmix_bytes(len * 31 + extra, rows * stride + 8);
                    replay_one_at_a_time(ops, len, [&](uint32_t r) { return e.data() + 3 + size_t(r) * stride; });
                    CHECK(b == e);
                }
            }
        }
    }
}

TEST_CASE("every usable CPU backend replays a plan over split rows like one operation at a time")
{
    // Rows 0..23 at rows, 24..39 in a scratch buffer of another stride.
    for (const std::string &name : usable_backends()) {
        if (name == "cuda")
            continue; // no apply_plan_split: core/plan.c uses its row kernels (tests/test_plans.cpp)
        DYNAMIC_SECTION(name)
        {
            const rq_kernels *kernels = select_kernels(name);
            REQUIRE(kernels->apply_plan_split != nullptr);
            std::mt19937_64 rng(0x5b17);
            const uint32_t rows = 40, first_scratch = 24;
            for (size_t len : {size_t(1), size_t(64), size_t(100), size_t(1029)}) {
                CAPTURE(len);
                const std::vector<rq_op> ops = random_plan(rows, 600, rng);
                const size_t stride = len + 5, scratch_stride = len + 64;
                std::vector<uint8_t> main_rows = rqt::splitmix_bytes(len + 1, first_scratch * stride);
                std::vector<uint8_t> scratch = rqt::splitmix_bytes(len + 2, (rows - first_scratch) * scratch_stride);
                std::vector<uint8_t> ref_rows = main_rows, ref_scratch = scratch;
                kernels->apply_plan_split(ops.data(), ops.size(), main_rows.data(), stride, scratch.data(),
                                          scratch_stride, first_scratch, len);
                auto row = [&](uint32_t r) {
                    return r < first_scratch ? ref_rows.data() + r * stride
                                             : ref_scratch.data() + (r - first_scratch) * scratch_stride;
                };
                replay_one_at_a_time(ops, len, row);
                CHECK(main_rows == ref_rows);
                CHECK(scratch == ref_scratch);
            }
        }
    }
}

TEST_CASE("every usable backend's stream_rows copies rows where they are told, aligned or not")
{
    for (const std::string &name : usable_backends()) {
        DYNAMIC_SECTION(name)
        {
            const rq_kernels *kernels = select_kernels(name);
            const uint32_t to[] = {3, 0, 5, 1, 4, 2};
            const size_t n = 6;
            // Strides that keep rows 64-byte aligned (the streaming stores) and ones that do not.
            for (size_t len : {size_t(64), size_t(100), size_t(1280)}) {
                for (size_t stride : {len, len + 64, len + 3}) {
                    CAPTURE(len, stride);
                    const std::vector<uint8_t> src = rqt::splitmix_bytes(len, n * (len + 7));
                    for (const uint32_t *map : {to, static_cast<const uint32_t *>(nullptr)}) {
                        // 64-byte aligned rows, so that aligned strides give aligned rows.
                        std::vector<uint8_t> a(n * stride + 128, 0xEE), b = a;
                        uint8_t *ra = a.data() + (64 - uintptr_t(a.data()) % 64);
                        uint8_t *rb = b.data() + (64 - uintptr_t(b.data()) % 64);
                        kernels->stream_rows(ra, stride, map, src.data(), len + 7, n, len);
                        rq_stream_rows_memcpy(rb, stride, map, src.data(), len + 7, n, len);
                        CHECK(std::equal(ra, ra + n * stride, rb)); // the bytes between rows too
                    }
                }
            }
        }
    }
}

TEST_CASE("every usable backend replays one plan over a batch of blocks like scalar")
{
    for (const std::string &name : usable_backends()) {
        DYNAMIC_SECTION(name)
        {
            const rq_kernels *kernels = select_kernels(name);
            std::mt19937_64 rng(4242);
            const uint32_t rows = 30;
            const size_t blocks = 5, len = 333, stride = 340, block_stride = rows * stride + 11;
            const std::vector<rq_op> ops = random_plan(rows, 300, rng);
            std::vector<uint8_t> a = rqt::splitmix_bytes(77, blocks * block_stride + 4);
            std::vector<uint8_t> b = a;
            kernels->apply_plan_batch(ops.data(), ops.size(), a.data() + 1, blocks, block_stride, stride, len);
            for (size_t blk = 0; blk < blocks; blk++)
                rq_kernels_scalar()->apply_plan(ops.data(), ops.size(), b.data() + 1 + blk * block_stride, stride,
                                                len);
            CHECK(a == b);
        }
    }
}

TEST_CASE("every usable backend's dense GF(256) matrix product matches a bytewise reference")
{
    for (const std::string &name : usable_backends()) {
        DYNAMIC_SECTION(name)
        {
            const rq_kernels *kernels = select_kernels(name);
            // Shapes around the AVX-512 kernel's blocks (8 outputs, 256 inputs, 128
            // bytes) and the generic one's runs (8 inputs), zeros and ones among
            // the coefficients.
            struct Shape {
                size_t m, k, len;
            };
            for (const Shape &sh : {Shape{4, 6, 1000}, Shape{15, 100, 1280}, Shape{9, 257, 130},
                                    Shape{17, 300, 333}, Shape{1, 1, 1}, Shape{3, 0, 64}, Shape{8, 16, 127}}) {
                const size_t m = sh.m, k = sh.k, len = sh.len, in_stride = len + 3, out_stride = len + 1;
                CAPTURE(m, k, len);
                std::vector<uint8_t> matrix = rqt::splitmix_bytes(5 + m, m * k);
                for (size_t x = 0; x < matrix.size(); x += 7)
                    matrix[x] = uint8_t(x % 2); // zeros and ones
                const std::vector<uint8_t> in = rqt::splitmix_bytes(6 + k, k * in_stride + 1);
                std::vector<uint8_t> out(m * out_stride, 0xEE), expected(m * out_stride, 0xEE);
                kernels->gf_matmul(matrix.data(), m, k, in.data(), in_stride, out.data(), out_stride, len);
                for (size_t i = 0; i < m; i++)
                    for (size_t x = 0; x < len; x++) {
                        uint8_t acc = 0;
                        for (size_t j = 0; j < k; j++)
                            acc ^= gf_mul_reference(matrix[i * k + j], in[j * in_stride + x]);
                        expected[i * out_stride + x] = acc;
                    }
                CHECK(out == expected); // the bytes between rows are left alone too

                // The same product over row pointers, rows in reverse order.
                std::vector<const uint8_t *> in_rows(k);
                std::vector<uint8_t *> out_rows(m);
                for (size_t j = 0; j < k; j++)
                    in_rows[j] = in.data() + (k - 1 - j) * in_stride;
                for (size_t i = 0; i < m; i++)
                    out_rows[i] = out.data() + (m - 1 - i) * out_stride;
                std::vector<uint8_t> reversed(m * k);
                for (size_t i = 0; i < m; i++)
                    for (size_t j = 0; j < k; j++)
                        reversed[(m - 1 - i) * k + (k - 1 - j)] = matrix[i * k + j];
                std::fill(out.begin(), out.end(), 0xEE);
                kernels->gf_matmul_ptrs(reversed.data(), m, k, in_rows.data(), out_rows.data(), len);
                CHECK(out == expected);
            }
        }
    }
}

TEST_CASE("the CUDA backend is usable only with a device, and says why not")
{
    size_t count = 0;
    REQUIRE(rq_backend_count(&count) == RQ_OK);
    for (size_t i = 0; i < count; i++) {
        rq_backend_info info{};
        REQUIRE(rq_backend_describe(i, &info) == RQ_OK);
        if (std::string(info.name) != "cuda")
            continue;
        CAPTURE(info.compiled, info.usable, info.reason);
        if (!info.usable) {
            CHECK(std::string(info.reason).size() > 0);
            WARN("CUDA tests skipped: " << info.reason);
        }
        CHECK_FALSE(info.active); // never chosen without being asked for
        return;
    }
    FAIL("no cuda entry in the backend list");
}

TEST_CASE("every usable backend produces the vector symbols")
{
    static const std::vector<rqt::VectorCase> cases = rqt::load_cases();
    for (const std::string &name : usable_backends()) {
        for (const rqt::VectorCase &c : cases) {
            if (c.F > rqt::kFastCaseMaxBytes) {
                continue;
            }
            DYNAMIC_SECTION(name << " " << c.name)
            {
                rqt::Context ctx = context_on(name);
                rqt::check_vector_case(c, ctx.get());
            }
        }
    }
}

TEST_CASE("selecting an unknown backend is refused and changes nothing")
{
    rq_backend_id id;
    CHECK(rq_backend_lookup("no-such-backend", &id) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_backend_lookup(nullptr, &id) == RQ_ERR_INVALID_ARGUMENT);
    rqt::Context ctx = rqt::make_context();
    const char *before = nullptr;
    REQUIRE(rq_context_backend(ctx.get(), &before) == RQ_OK);
    CHECK(rq_context_set(ctx.get(), RQ_PARAM_BACKEND, 99) == RQ_ERR_CONFIG);
    char why[256];
    REQUIRE(rq_context_last_error(ctx.get(), why, sizeof why) == RQ_OK);
    CHECK(std::string(why).find("RQ_PARAM_BACKEND") != std::string::npos);
    const char *after = nullptr;
    REQUIRE(rq_context_backend(ctx.get(), &after) == RQ_OK);
    CHECK(std::string(before) == after);
    int64_t value = -1;
    REQUIRE(rq_context_get(ctx.get(), RQ_PARAM_BACKEND, &value) == RQ_OK);
    CHECK(value == RQ_BACKEND_AUTO);
}

// Sets an environment variable for one scope (these tests run single-threaded).
struct EnvVar {
    std::string name;
    EnvVar(const char *n, const char *value) : name(n) { REQUIRE(setenv(n, value, 1) == 0); }
    ~EnvVar() { unsetenv(name.c_str()); }
};

TEST_CASE("RQ_BACKEND=scalar through rq_context_from_env makes a context code with scalar")
{
    EnvVar env("RQ_BACKEND", "scalar");
    rqt::Context ctx = rqt::make_context();
    REQUIRE(rq_context_from_env(ctx.get()) == RQ_OK);
    const char *name = nullptr;
    REQUIRE(rq_context_backend(ctx.get(), &name) == RQ_OK);
    CHECK(std::string(name) == "scalar");
    const std::vector<uint8_t> source = rqt::splitmix_bytes(1, 100);
    rqt::Encoder encoder = rqt::make_encoder(10, 10, source, ctx.get());
    CHECK(rqt::encoder_symbol(encoder.get(), 0, 10) == std::vector<uint8_t>(source.begin(), source.begin() + 10));
    // The environment reaches only the context that asked for it.
    REQUIRE(rq_context_backend(rqt::default_context(), &name) == RQ_OK);
    CHECK(std::string(name) == select_kernels("auto")->name);
}

TEST_CASE("RQ_BACKEND naming a missing backend makes coding calls fail and says why")
{
    EnvVar env("RQ_BACKEND", "no-such-backend");
    rqt::Context ctx = rqt::make_context();
    CHECK(rq_context_from_env(ctx.get()) == RQ_ERR_BACKEND_UNAVAILABLE);
    const char *name = nullptr;
    CHECK(rq_context_backend(ctx.get(), &name) == RQ_ERR_BACKEND_UNAVAILABLE);
    char why[256];
    REQUIRE(rq_context_last_error(ctx.get(), why, sizeof why) == RQ_OK);
    CHECK(std::string(why).find("RQ_BACKEND=no-such-backend") != std::string::npos);
    CHECK(std::string(why).find("scalar") != std::string::npos);

    const std::vector<uint8_t> source(100, 7);
    rq_encoder *encoder = nullptr;
    CHECK(rq_encoder_create_in(ctx.get(), &encoder, 10, 10, source.data(), source.size()) ==
          RQ_ERR_BACKEND_UNAVAILABLE);
    CHECK(encoder == nullptr);
    rq_decoder *decoder = nullptr;
    CHECK(rq_decoder_create_in(ctx.get(), &decoder, 10, 10) == RQ_ERR_BACKEND_UNAVAILABLE);
    CHECK(decoder == nullptr);
    // Choosing a backend by parameter makes it code again.
    REQUIRE(rq_context_set(ctx.get(), RQ_PARAM_BACKEND, RQ_BACKEND_SCALAR) == RQ_OK);
    rqt::Encoder again = rqt::make_encoder(10, 10, source, ctx.get());
}

namespace broken {
// Each runs the scalar kernel, then spoils one byte of what it wrote.
const rq_kernels &ref() { return *rq_kernels_scalar(); }
void spoil(uint8_t *p, size_t len) { if (len) p[len / 2] ^= 0x10; }
void xor_into(uint8_t *d, const uint8_t *s, size_t len) { ref().xor_into(d, s, len); spoil(d, len); }
void xor_many(uint8_t *d, const uint8_t *const *s, size_t n, size_t len) { ref().xor_many(d, s, n, len); spoil(d, len); }
void xor_set(uint8_t *d, const uint8_t *const *s, size_t n, size_t len) { ref().xor_set(d, s, n, len); spoil(d, len); }
void fma_into(uint8_t *d, const uint8_t *s, uint8_t c, size_t len) { ref().fma_into(d, s, c, len); spoil(d, len); }
void scale(uint8_t *d, uint8_t c, size_t len) { ref().scale(d, c, len); spoil(d, len); }
void fma_many(uint8_t *d, const uint8_t *const *s, const uint8_t *c, size_t n, size_t len)
{
    ref().fma_many(d, s, c, n, len);
    spoil(d, len);
}
void apply_plan(const rq_op *ops, size_t n, uint8_t *rows, size_t stride, size_t len)
{
    ref().apply_plan(ops, n, rows, stride, len);
    spoil(rows, len);
}
void apply_plan_batch(const rq_op *ops, size_t n, uint8_t *rows, size_t blocks, size_t bs, size_t stride,
                      size_t len)
{
    ref().apply_plan_batch(ops, n, rows, blocks, bs, stride, len);
    spoil(rows + bs, len);
}
void apply_plan_split(const rq_op *ops, size_t n, uint8_t *rows, size_t stride, uint8_t *scratch, size_t ss,
                      uint32_t first, size_t len)
{
    ref().apply_plan_split(ops, n, rows, stride, scratch, ss, first, len);
    spoil(rows, len);
}
void gf_matmul(const uint8_t *m, size_t r, size_t k, const uint8_t *in, size_t is, uint8_t *out, size_t os,
               size_t len)
{
    ref().gf_matmul(m, r, k, in, is, out, os, len);
    spoil(out + os, len);
}
void gf_matmul_ptrs(const uint8_t *m, size_t r, size_t k, const uint8_t *const *in, uint8_t *const *out,
                    size_t len)
{
    ref().gf_matmul_ptrs(m, r, k, in, out, len);
    spoil(out[r - 1], len);
}
void stream_rows(uint8_t *rows, size_t stride, const uint32_t *to, const uint8_t *src, size_t ss, size_t n,
                 size_t len)
{
    ref().stream_rows(rows, stride, to, src, ss, n, len);
    spoil(rows, len);
}
} // namespace broken

TEST_CASE("the dispatcher's self-test catches a wrong result in any entry of a kernel table")
{
    REQUIRE(rq_kernels_self_test(rq_kernels_scalar(), rq_kernels_scalar()) == nullptr);
    for (const std::string &name : usable_backends()) {
        INFO(name);
        CHECK(rq_kernels_self_test(select_kernels(name), rq_kernels_scalar()) == nullptr);
    }
    struct Case {
        const char *entry;
        void (*spoil)(rq_kernels &);
    };
    const Case cases[] = {
        {"xor_into", [](rq_kernels &k) { k.xor_into = broken::xor_into; }},
        {"xor_many", [](rq_kernels &k) { k.xor_many = broken::xor_many; }},
        {"xor_set", [](rq_kernels &k) { k.xor_set = broken::xor_set; }},
        {"fma_into", [](rq_kernels &k) { k.fma_into = broken::fma_into; }},
        {"scale", [](rq_kernels &k) { k.scale = broken::scale; }},
        {"fma_many", [](rq_kernels &k) { k.fma_many = broken::fma_many; }},
        {"apply_plan", [](rq_kernels &k) { k.apply_plan = broken::apply_plan; }},
        {"apply_plan_batch", [](rq_kernels &k) { k.apply_plan_batch = broken::apply_plan_batch; }},
        {"apply_plan_split", [](rq_kernels &k) { k.apply_plan_split = broken::apply_plan_split; }},
        {"gf_matmul", [](rq_kernels &k) { k.gf_matmul = broken::gf_matmul; }},
        {"gf_matmul_ptrs", [](rq_kernels &k) { k.gf_matmul_ptrs = broken::gf_matmul_ptrs; }},
        {"stream_rows", [](rq_kernels &k) { k.stream_rows = broken::stream_rows; }},
    };
    for (const Case &c : cases) {
        INFO(c.entry);
        rq_kernels k = *rq_kernels_scalar();
        c.spoil(k);
        const char *failed = rq_kernels_self_test(&k, rq_kernels_scalar());
        REQUIRE(failed != nullptr);
        CHECK(std::string(failed).find(c.entry) != std::string::npos);
    }
}
