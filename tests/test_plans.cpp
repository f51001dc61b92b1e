// Plans (core/plan.h) checked against the constraint system itself and against
// each other: a cached encoding plan replayed on fresh random data must give
// intermediate symbols that satisfy every row of A·C = D (LDPC, HDPC and LT,
// built here from the RFC 6330 definitions, not from the solver's code) and
// that equal an uncached solve of the same system with the ISIs in another
// order; decoding plans for random loss sets likewise, on every usable
// backend, on whole rows and in narrow stripes, and after the cache has
// evicted and rebuilt a plan. A plan or cache bug cannot pass silently.
// The dense way of small blocks (core/dense_combine.h) is checked the same way:
// its combinations against byte-by-byte GF(256) arithmetic, its coefficients
// against the plan's own replay, and the encoder and decoder forced each way
// against each other.
#include "rq_test.h"
#include "rq/rq_topology.h"

extern "C" {
#include "core/dense_combine.h"
#include "core/plan_cache.h"
#include "core/plan_schedule.h"
#include "runtime/dispatch.h"
#include "core/gf256.h"
#include "core/params.h"
#include "core/plan.h"
#include "core/tuple.h"
}

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

// The context these tests' plans are made in (the default one: the cache
// test evicts through its budget and puts it back).
rq_context *ctx()
{
    return rqt::default_context();
}

// The kernels of backend id; nullptr if it cannot run here.
const rq_kernels *kernels_of(rq_backend_id id)
{
    const rq_kernels *k = nullptr;
    const char *why = nullptr;
    return rq_dispatch_kernels(id, &k, &why) == RQ_OK ? k : nullptr;
}

const rq_kernels *best_kernels()
{
    return kernels_of(RQ_BACKEND_AUTO);
}

struct Block {
    rq_block_constants c;
    size_t T;
    std::vector<uint32_t> isis; // the known ISIs, in plan input order
    std::vector<uint8_t> known; // one T-byte symbol per ISI
};

// Replays a plan over `known` and returns its working rows (replay_rows) or the
// L intermediate symbols (L*T bytes) in them (replay).
// stripe 0: rq_plan_apply (its own scratch stripe); 1: rq_plan_apply_full;
// 2: rq_plan_apply with the backend's apply_plan_split taken away (core/plan.c
// then uses its row kernels, as for CUDA); otherwise the backend's apply_plan
// in stripes of that width. Rows other than the inputs start as garbage: the
// plan must clear what it needs.
std::vector<uint8_t> replay_rows(const rq_plan *plan, const rq_kernels *k, const Block &b, size_t stripe)
{
    const size_t T = b.T;
    REQUIRE(plan->n_inputs == b.isis.size());
    const size_t n_rows = plan->rows + (stripe == 0 || stripe == 2 ? 0 : plan->scratch_rows);
    std::vector<uint8_t> rows(n_rows * T + 64, 0xA5);
    rq_plan_fill_inputs(plan, k, rows.data(), T, b.known.data(), T, plan->n_inputs, T, SIZE_MAX);
    rq_kernels without_split = *k;
    without_split.apply_plan_split = nullptr;
    if (stripe == 0) {
        REQUIRE(rq_plan_apply(ctx(), plan, k, rows.data(), T, T) == RQ_OK);
    } else if (stripe == 2) {
        REQUIRE(rq_plan_apply(ctx(), plan, &without_split, rows.data(), T, T) == RQ_OK);
    } else if (stripe == 1) {
        rq_plan_apply_full(ctx(), plan, k, rows.data(), T, T);
    } else {
        for (size_t off = 0; off < T; off += stripe)
            k->apply_plan(plan->ops, plan->n_ops, rows.data() + off, T, std::min(stripe, T - off));
    }
    REQUIRE(std::all_of(rows.end() - 64, rows.end(), [](uint8_t v) { return v == 0xA5; }));
    return rows;
}

std::vector<uint8_t> replay(const rq_plan *plan, const rq_kernels *k, const Block &b, size_t stripe)
{
    const size_t T = b.T;
    const std::vector<uint8_t> rows = replay_rows(plan, k, b, stripe);
    std::vector<uint8_t> c(size_t(b.c.L) * T);
    for (uint32_t j = 0; j < b.c.L; j++) {
        REQUIRE(plan->intermediate[j] < plan->rows);
        std::memcpy(c.data() + size_t(j) * T, rows.data() + size_t(plan->intermediate[j]) * T, T);
    }
    return c;
}

void add_scaled(uint8_t *dst, const uint8_t *src, uint8_t coef, size_t T)
{
    for (size_t i = 0; i < T; i++)
        dst[i] ^= rq_gf_mul(coef, src[i]);
}

// Checks A·C = D row by row, straight from RFC 6330 §5.3.3.4.
void check_constraints(const Block &b, const std::vector<uint8_t> &C)
{
    const rq_block_constants &c = b.c;
    const size_t T = b.T;
    auto sym = [&](uint32_t j) { return C.data() + size_t(j) * T; };
    std::vector<uint8_t> acc(T);
    // LDPC rows: sum over their B-part ones, the identity and two PI ones is zero.
    std::vector<std::vector<uint8_t>> ldpc(c.S, std::vector<uint8_t>(T, 0));
    for (uint32_t i = 0; i < c.B; i++) {
        uint32_t a = 1 + i / c.S, r = i % c.S;
        // The RFC sets A[b][i] = 1 at b, b+a, b+2a (mod S): a repeated row is one one.
        std::vector<uint32_t> rows;
        for (int k = 0; k < 3; k++) {
            if (std::find(rows.begin(), rows.end(), r) == rows.end())
                rows.push_back(r);
            r = (r + a) % c.S;
        }
        for (uint32_t row : rows)
            add_scaled(ldpc[row].data(), sym(i), 1, T);
    }
    for (uint32_t i = 0; i < c.S; i++) {
        add_scaled(ldpc[i].data(), sym(c.B + i), 1, T);
        add_scaled(ldpc[i].data(), sym(c.W + i % c.P), 1, T);
        add_scaled(ldpc[i].data(), sym(c.W + (i + 1) % c.P), 1, T);
        INFO("LDPC row " << i);
        REQUIRE(std::all_of(ldpc[i].begin(), ldpc[i].end(), [](uint8_t v) { return v == 0; }));
    }
    // HDPC rows: G_HDPC = MT * GAMMA, column by column from the right.
    const uint32_t ks = c.K_prime + c.S;
    for (uint32_t h = 0; h < c.H; h++) {
        std::fill(acc.begin(), acc.end(), 0);
        uint8_t g = rq_gf_alpha_pow(h); // G[h][ks-1] = alpha^h (MT's last column)
        for (uint32_t j = ks; j-- > 0;) {
            if (j + 1 < ks) {
                uint32_t r = rq_rand(j + 1, 6, c.H);
                uint32_t r2 = (r + rq_rand(j + 1, 7, c.H - 1) + 1) % c.H;
                g = rq_gf_mul(g, 2) ^ uint8_t(h == r) ^ uint8_t(h == r2);
            }
            if (g)
                add_scaled(acc.data(), sym(j), g, T);
        }
        add_scaled(acc.data(), sym(ks + h), 1, T);
        INFO("HDPC row " << h);
        REQUIRE(std::all_of(acc.begin(), acc.end(), [](uint8_t v) { return v == 0; }));
    }
    // LT rows: Enc[K', C, Tuple[K', ISI]] equals the known symbol.
    uint32_t nb[64];
    for (size_t k = 0; k < b.isis.size(); k++) {
        uint32_t n = rq_neighbours(&c, b.isis[k], nb);
        std::memcpy(acc.data(), b.known.data() + k * T, T);
        for (uint32_t j = 0; j < n; j++)
            add_scaled(acc.data(), sym(nb[j]), 1, T);
        INFO("LT row of ISI " << b.isis[k]);
        REQUIRE(std::all_of(acc.begin(), acc.end(), [](uint8_t v) { return v == 0; }));
    }
}

// Known symbols that are consistent: encode random source data with a fresh
// (uncached) encoding plan and take the symbols of the requested ISIs.
Block make_block(uint32_t K, size_t T, const std::vector<uint32_t> &isis, std::mt19937_64 &rng)
{
    Block b;
    REQUIRE(rq_block_constants_for(K, &b.c) == RQ_OK);
    b.T = T;
    b.isis = isis;
    std::vector<uint32_t> all(b.c.K_prime);
    for (uint32_t i = 0; i < b.c.K_prime; i++)
        all[i] = i;
    Block src{b.c, T, all, std::vector<uint8_t>(size_t(b.c.K_prime) * T, 0)};
    for (size_t i = 0; i < size_t(K) * T; i++)
        src.known[i] = uint8_t(rng());
    rq_plan *plan = nullptr;
    REQUIRE(rq_plan_build(ctx(), &b.c, all.data(), uint32_t(all.size()), &plan) == RQ_OK);
    std::vector<uint8_t> C = replay(plan, rq_kernels_scalar(), src, 0);
    rq_plan_free(plan);
    check_constraints(src, C);
    b.known.resize(isis.size() * T);
    uint32_t nb[64];
    for (size_t k = 0; k < isis.size(); k++) {
        uint8_t *out = b.known.data() + k * T;
        uint32_t n = rq_neighbours(&b.c, isis[k], nb);
        std::memset(out, 0, T);
        for (uint32_t j = 0; j < n; j++)
            add_scaled(out, C.data() + size_t(nb[j]) * T, 1, T);
    }
    return b;
}

// A decode's ISIs: the source less `lost` random ones (ascending in `lost`),
// distinct repair ISIs up to K + extra, the padding (known zeros), shuffled.
struct LossSet {
    std::vector<uint32_t> lost, isis;
};

LossSet lose(const rq_block_constants &c, uint32_t lost, size_t extra, std::mt19937_64 &rng)
{
    const uint32_t K = c.K;
    std::vector<uint32_t> src(K);
    for (uint32_t i = 0; i < K; i++)
        src[i] = i;
    std::shuffle(src.begin(), src.end(), rng);
    LossSet l{std::vector<uint32_t>(src.begin(), src.begin() + lost), std::vector<uint32_t>(src.begin() + lost, src.end())};
    std::sort(l.lost.begin(), l.lost.end());
    while (l.isis.size() < K + extra) {
        uint32_t isi = c.K_prime + uint32_t(rng() % (4 * K + 100));
        if (std::find(l.isis.begin() + (K - lost), l.isis.end(), isi) == l.isis.end())
            l.isis.push_back(isi);
    }
    for (uint32_t i = K; i < c.K_prime; i++)
        l.isis.push_back(i);
    std::shuffle(l.isis.begin(), l.isis.end(), rng);
    return l;
}

// The kernel tables of every usable CPU backend.
std::vector<const rq_kernels *> usable_backends()
{
    std::vector<const rq_kernels *> v;
    for (rq_backend_id id : {RQ_BACKEND_SCALAR, RQ_BACKEND_NEON, RQ_BACKEND_AVX2, RQ_BACKEND_AVX512})
        if (const rq_kernels *k = kernels_of(id))
            v.push_back(k);
    REQUIRE(!v.empty());
    return v;
}

// Every backend, whole rows and narrow stripes, gives the same C; it satisfies A·C = D.
std::vector<uint8_t> replay_everywhere(const rq_plan *plan, const Block &b)
{
    std::vector<uint8_t> ref = replay(plan, rq_kernels_scalar(), b, 0);
    check_constraints(b, ref);
    for (const rq_kernels *k : usable_backends()) {
        INFO("backend " << k->name);
        for (size_t stripe : {size_t(0), size_t(1), size_t(2), size_t(64), size_t(320)})
            REQUIRE(replay(plan, k, b, stripe) == ref);
    }
    return ref;
}

// An uncached plan for the same ISIs in another order gives the same C.
void check_uncached(const Block &b, const std::vector<uint8_t> &C, std::mt19937_64 &rng)
{
    std::vector<size_t> perm(b.isis.size());
    for (size_t i = 0; i < perm.size(); i++)
        perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    Block s{b.c, b.T, {}, std::vector<uint8_t>(b.known.size())};
    for (size_t i = 0; i < perm.size(); i++) {
        s.isis.push_back(b.isis[perm[i]]);
        std::memcpy(s.known.data() + i * b.T, b.known.data() + perm[i] * b.T, b.T);
    }
    rq_plan *plan = nullptr;
    REQUIRE(rq_plan_build(ctx(), &s.c, s.isis.data(), uint32_t(s.isis.size()), &plan) == RQ_OK);
    std::vector<uint8_t> C2 = replay(plan, best_kernels(), s, 0);
    rq_plan_free(plan);
    REQUIRE(C2 == C);
}

} // namespace

TEST_CASE("cached encoding plans replayed on fresh data match the constraints and an uncached solve")
{
    rq_gf_init();
    std::mt19937_64 rng(0x5eed);
    for (uint32_t K : {10u, 11u, 26u, 101u, 500u, 1002u, 2000u, 10000u}) { // 10000: long runs scheduled
        INFO("K = " << K);
        rq_block_constants c;
        REQUIRE(rq_block_constants_for(K, &c) == RQ_OK);
        std::vector<uint32_t> isis(c.K_prime);
        for (uint32_t i = 0; i < c.K_prime; i++)
            isis[i] = i;
        const rq_plan *plan = nullptr;
        REQUIRE(rq_plan_cache_acquire(ctx(), c.K_prime, &plan) == RQ_OK);
        // Its input rows are ordered by first use: a permutation of the inputs.
        REQUIRE(plan->input_row != nullptr);
        std::vector<uint32_t> seen(plan->input_row, plan->input_row + plan->n_inputs);
        std::sort(seen.begin(), seen.end());
        for (uint32_t i = 0; i < plan->n_inputs; i++)
            REQUIRE(seen[i] == i);
        for (int round = 0; round < 2; round++) { // the same cached plan, new data each time
            Block b = make_block(K, 96, isis, rng);
            std::vector<uint8_t> C = replay_everywhere(plan, b);
            check_uncached(b, C, rng);
        }
        // Evict it, acquire again: the rebuilt plan solves the same system.
        rq_plan_cache_release(ctx(), plan);
        int64_t limit = 0;
        REQUIRE(rq_context_get(ctx(), RQ_PARAM_CACHE_BYTES, &limit) == RQ_OK);
        REQUIRE(rq_context_set(ctx(), RQ_PARAM_CACHE_BYTES, 0) == RQ_OK);
        REQUIRE(rq_context_set(ctx(), RQ_PARAM_CACHE_BYTES, limit) == RQ_OK);
        REQUIRE(rq_plan_cache_acquire(ctx(), c.K_prime, &plan) == RQ_OK);
        Block b = make_block(K, 64, isis, rng);
        check_uncached(b, replay_everywhere(plan, b), rng);
        rq_plan_cache_release(ctx(), plan);
    }
}

namespace {

// ops scheduled by rq_plan_schedule_runs over `rows` rows (unpooled).
std::vector<rq_op> scheduled(const std::vector<rq_op> &ops, uint32_t rows, uint32_t min_run, uint32_t block)
{
    rq_plan plan{};
    plan.rows = rows;
    plan.ops = static_cast<rq_op *>(std::malloc(ops.size() * sizeof(rq_op)));
    REQUIRE(plan.ops != nullptr);
    std::memcpy(plan.ops, ops.data(), ops.size() * sizeof(rq_op));
    plan.n_ops = ops.size();
    REQUIRE(rq_plan_schedule_runs(&plan, nullptr, min_run, block) == RQ_OK);
    std::vector<rq_op> got(plan.ops, plan.ops + plan.n_ops);
    if (plan.ops_buf.base)
        rq_rows_put(&plan.ops_buf);
    else
        std::free(plan.ops);
    return got;
}

// Both op lists replayed (scalar kernels) over the same random rows give the same rows.
void check_same_rows(const std::vector<rq_op> &a_ops, const std::vector<rq_op> &b_ops, uint32_t rows,
                     std::mt19937_64 &rng)
{
    const size_t T = 48;
    std::vector<uint8_t> a(size_t(rows) * T), b;
    for (uint8_t &v : a)
        v = uint8_t(rng());
    b = a;
    rq_kernels_scalar()->apply_plan(a_ops.data(), a_ops.size(), a.data(), T, T);
    rq_kernels_scalar()->apply_plan(b_ops.data(), b_ops.size(), b.data(), T, T);
    REQUIRE(a == b);
}

} // namespace

TEST_CASE("a long XOR run is done after its sources' last writes, never before a read of its row, "
          "and replays to the same rows")
{
    // Rows 1..70 are written one after another (the sources), row 90 reads
    // row 0 after row 40 was written (a barrier), then one run copies and
    // XORs rows 1..70 into row 0.
    const uint32_t N = 70;
    std::vector<rq_op> ops;
    std::vector<size_t> last_write(N + 1);
    for (uint32_t i = 1; i <= N; i++) {
        ops.push_back(rq_op_make(i, 80, 0));
        ops.push_back(rq_op_make(i, 81 + i % 5, 1));
        last_write[i] = ops.size() - 1;
        if (i == 40)
            ops.push_back(rq_op_make(90, 0, 0));
    }
    const size_t run_at = ops.size();
    ops.push_back(rq_op_make(0, 1, 0));
    for (uint32_t i = 2; i <= N; i++)
        ops.push_back(rq_op_make(0, i, 1));
    std::vector<rq_op> got = scheduled(ops, 91, 64, 8);
    REQUIRE(got.size() == ops.size());
    std::mt19937_64 rng(7);
    check_same_rows(ops, got, 91, rng);

    // Where each op went (ops are distinct but for the run's coefficients).
    auto where = [&](rq_op o, bool any_coef) {
        for (size_t j = 0; j < got.size(); j++)
            if (got[j].src == o.src && rq_op_dst(got[j]) == rq_op_dst(o) &&
                (any_coef || rq_op_coef(got[j]) == rq_op_coef(o)))
                return j;
        FAIL("op not found");
        return size_t(0);
    };
    size_t barrier = where(ops[last_write[40] + 1], false), first = SIZE_MAX, moved = 0;
    for (size_t j = 0; j < got.size() && first == SIZE_MAX; j++)
        if (rq_op_dst(got[j]) == 0)
            first = j;
    CHECK(barrier < first);
    CHECK(rq_op_coef(got[first]) == 0); // the run still begins with a copy
    const size_t sources_done = where(ops[last_write[N]], false);
    for (size_t k = run_at; k < ops.size(); k++) {
        uint32_t src = ops[k].src;
        INFO("XOR of row " << src);
        size_t at = where(ops[k], true);
        CHECK(at > where(ops[last_write[src]], false)); // after its source's last write
        moved += at < sources_done;
    }
    CAPTURE(moved);
    CHECK(moved >= 24); // most of rows 41..70, written after the barrier (4 to a block of 8)
}

TEST_CASE("scheduled random op lists replay to the same rows")
{
    // Small rows, short runs, small blocks: every kind of op (copies, XORs,
    // multiply-adds, scales, clears) between runs into the same rows, runs
    // reading rows other runs write, several rows gathered at one place.
    std::mt19937_64 rng(0x5c4ed01);
    const uint32_t rows = 8;
    size_t changed = 0;
    for (int round = 0; round < 3000; round++) {
        std::vector<rq_op> ops;
        const size_t n = 4 + rng() % 60;
        while (ops.size() < n) {
            uint32_t dst = uint32_t(rng() % rows), src = uint32_t(rng() % rows);
            unsigned kind = unsigned(rng() % 10);
            if (kind < 2 && src != dst) { // a run: a copy or XOR, then XORs
                size_t len = 1 + rng() % 6;
                ops.push_back(rq_op_make(dst, src, uint8_t(rng() % 2)));
                for (size_t i = 1; i < len; i++) {
                    uint32_t s = uint32_t(rng() % rows);
                    if (s != dst)
                        ops.push_back(rq_op_make(dst, s, 1));
                }
            } else if (kind < 3) {
                ops.push_back(rq_op_make(dst, dst, uint8_t(rng() % 4))); // scale (0: clear)
            } else if (src != dst) {
                ops.push_back(rq_op_make(dst, src, uint8_t(rng() % 6))); // copy, XOR or multiply-add
            }
        }
        std::vector<rq_op> got = scheduled(ops, rows, 2, uint32_t(1 + rng() % 4));
        REQUIRE(got.size() == ops.size());
        changed += std::memcmp(got.data(), ops.data(), ops.size() * sizeof(rq_op)) != 0;
        INFO("round " << round);
        check_same_rows(ops, got, rows, rng);
    }
    CAPTURE(changed);
    CHECK(changed > 1000); // most lists were reordered
}

TEST_CASE("a large plan with its long runs done piecemeal solves the same system")
{
    rq_gf_init();
    std::mt19937_64 rng(0x5c4ed);
    const uint32_t K = 10000;
    rq_block_constants c;
    REQUIRE(rq_block_constants_for(K, &c) == RQ_OK);
    std::vector<uint32_t> isis(c.K_prime);
    for (uint32_t i = 0; i < c.K_prime; i++)
        isis[i] = i;
    Block b = make_block(K, 16, isis, rng);
    rq_plan *plain = nullptr, *scheduled = nullptr;
    REQUIRE(rq_plan_build(ctx(), &c, isis.data(), c.K_prime, &plain) == RQ_OK);
    REQUIRE(rq_plan_build(ctx(), &c, isis.data(), c.K_prime, &scheduled) == RQ_OK);
    REQUIRE(rq_plan_schedule_runs(scheduled, rq_context_pool(ctx()), 64, 2048) == RQ_OK);
    REQUIRE(scheduled->n_ops == plain->n_ops);
    size_t differ = 0;
    for (size_t j = 0; j < plain->n_ops; j++)
        differ += std::memcmp(&plain->ops[j], &scheduled->ops[j], sizeof(rq_op)) != 0;
    CAPTURE(differ, plain->n_ops);
    CHECK(differ > plain->n_ops / 10); // the LDPC rows' runs moved
    std::vector<uint8_t> C = replay(plain, best_kernels(), b, 0);
    check_constraints(b, C);
    for (const rq_kernels *k : usable_backends()) {
        INFO("backend " << k->name);
        for (size_t stripe : {size_t(0), size_t(1), size_t(2)})
            REQUIRE(replay(scheduled, k, b, stripe) == C);
    }
    rq_plan_free(plain);
    rq_plan_free(scheduled);
}

TEST_CASE("wide working rows are whole cache lines apart, and never a multiple of 1 KiB")
{
    for (size_t len : {size_t(4096), size_t(6552), size_t(16384), size_t(65528), size_t(65535), size_t(65536)}) {
        CAPTURE(len);
        const size_t s = rq_row_stride(len);
        CHECK(s >= len);
        CHECK(s < len + 128);
        CHECK(s % 64 == 0);
        CHECK(s % 1024 != 0);
    }
    CHECK(rq_row_stride(65528) == 65600);
    for (size_t len : {size_t(1), size_t(16), size_t(1000), size_t(1280), size_t(4095)}) {
        CHECK(rq_row_stride(len) == len); // short rows are not padded
    }
}

TEST_CASE("rq_plan_apply on symbols wider than one stripe matches a whole-row replay")
{
    // T = 20000 at K = 101: rq_plan_apply replays in several stripes (4 KiB at
    // the least) with its own scratch stripe; the result must not depend on that.
    rq_gf_init();
    std::mt19937_64 rng(0x57219e);
    for (uint32_t K : {101u, 500u}) {
        INFO("K = " << K);
        rq_block_constants c;
        REQUIRE(rq_block_constants_for(K, &c) == RQ_OK);
        std::vector<uint32_t> isis;
        for (uint32_t i = 0; i < c.K_prime; i++)
            if (rng() % 7)
                isis.push_back(i);
        for (uint32_t i = 0; isis.size() < c.K_prime + 2; i++)
            isis.push_back(c.K_prime + 3 * i);
        rq_plan *plan = nullptr;
        REQUIRE(rq_plan_build(ctx(), &c, isis.data(), uint32_t(isis.size()), &plan) == RQ_OK);
        Block b = make_block(K, 20000, isis, rng);
        std::vector<uint8_t> ref = replay(plan, rq_kernels_scalar(), b, 1);
        check_constraints(b, ref);
        for (const rq_kernels *k : usable_backends()) {
            INFO("backend " << k->name);
            REQUIRE(replay(plan, k, b, 0) == ref);
        }
        rq_plan_free(plan);
    }
}

TEST_CASE("decoding plans for random loss sets match the constraints and an uncached solve")
{
    rq_gf_init();
    std::mt19937_64 rng(0xdec0de);
    int solved = 0;
    for (uint32_t K : {10u, 13u, 100u, 1000u, 3000u}) {
        for (int trial = 0; trial < 4; trial++) {
            INFO("K = " << K << ", trial " << trial);
            rq_block_constants c;
            REQUIRE(rq_block_constants_for(K, &c) == RQ_OK);
            // Lose a random share of the source; replace with repair ISIs, 0-2 spare.
            const uint32_t lost = uint32_t(rng() % (K / 2 + 1));
            Block b = make_block(K, 80, lose(c, lost, rng() % 3, rng).isis, rng);
            rq_plan *plan = nullptr, *ruled = nullptr;
            rq_status st = rq_plan_build(ctx(), &b.c, b.isis.data(), uint32_t(b.isis.size()), &plan);
            // The r = 2 component rule changes the elimination order only, never
            // which sets are solvable or what they solve to.
            REQUIRE(rq_plan_build_thorough(ctx(), &b.c, b.isis.data(), uint32_t(b.isis.size()), 1,
                                           &ruled) == st);
            if (st == RQ_ERR_NEED_MORE_SYMBOLS)
                continue; // a dependent set: rare, and not what this test is about
            REQUIRE(st == RQ_OK);
            std::vector<uint8_t> C = replay_everywhere(plan, b);
            rq_plan_free(plan);
            REQUIRE(replay_everywhere(ruled, b) == C);
            rq_plan_free(ruled);
            check_uncached(b, C, rng);
            solved++;
        }
    }
    REQUIRE(solved >= 15);
}

TEST_CASE("decoding plans that rebuild the wanted source symbols directly give those symbols")
{
    rq_gf_init();
    std::mt19937_64 rng(0x3a17ed);
    int direct = 0, ordinary = 0;
    for (uint32_t K : {10u, 100u, 1000u, 3000u, 10000u}) {
        for (int trial = K < 10000 ? 0 : 3; trial < 4; trial++) {
            INFO("K = " << K << ", trial " << trial);
            rq_block_constants c;
            REQUIRE(rq_block_constants_for(K, &c) == RQ_OK);
            // Few losses (the direct way) in the first trials, up to half in the last.
            const uint32_t lost =
                trial < 2 ? 1 + uint32_t(rng() % (K / 10 + 1)) : K / 3 + uint32_t(rng() % (K / 6 + 1));
            const LossSet loss = lose(c, lost, 2, rng);
            const std::vector<uint32_t> &wanted = loss.lost;
            Block b = make_block(K, 80, loss.isis, rng);
            rq_plan *plan = nullptr, *plain = nullptr;
            rq_status st = rq_plan_build_wanted(ctx(), &b.c, b.isis.data(), uint32_t(b.isis.size()), wanted.data(),
                                                uint32_t(wanted.size()), &plan);
            REQUIRE(rq_plan_build(ctx(), &b.c, b.isis.data(), uint32_t(b.isis.size()), &plain) == st);
            if (st == RQ_ERR_NEED_MORE_SYMBOLS)
                continue;
            REQUIRE(st == RQ_OK);
            // The wanted symbols, from the ordinary plan's C and the RFC's Enc[].
            const std::vector<uint8_t> C = replay(plain, best_kernels(), b, 0);
            rq_plan_free(plain);
            std::vector<uint8_t> expected(wanted.size() * b.T, 0);
            uint32_t nb[64];
            for (size_t m = 0; m < wanted.size(); m++) {
                uint32_t n = rq_neighbours(&b.c, wanted[m], nb);
                for (uint32_t j = 0; j < n; j++)
                    add_scaled(expected.data() + m * b.T, C.data() + size_t(nb[j]) * b.T, 1, b.T);
            }
            if (!plan->wanted_row) { // the ordinary way: C as always
                CHECK(plan->intermediate != nullptr);
                CHECK((replay(plan, best_kernels(), b, 0) == C));
                ordinary++;
                rq_plan_free(plan);
                continue;
            }
            CHECK(plan->intermediate == nullptr);
            REQUIRE(plan->n_wanted == wanted.size());
            direct++;
            // Every backend and replay way, then again with the inputs reordered.
            for (int reordered = 0; reordered < 2; reordered++) {
                if (reordered) // the inputs' rows and the wanted rows renumbered (the fill follows)
                    REQUIRE(rq_plan_order_inputs(plan) == RQ_OK);
                for (const rq_kernels *k : usable_backends()) {
                    for (size_t stripe : {size_t(0), size_t(1), size_t(2), size_t(64)}) {
                        INFO("backend " << k->name << ", stripe " << stripe << ", reordered " << reordered);
                        const std::vector<uint8_t> rows = replay_rows(plan, k, b, stripe);
                        std::vector<uint8_t> got(wanted.size() * b.T);
                        for (size_t m = 0; m < wanted.size(); m++) {
                            REQUIRE(plan->wanted_row[m] < plan->rows);
                            std::memcpy(got.data() + m * b.T, rows.data() + size_t(plan->wanted_row[m]) * b.T, b.T);
                        }
                        REQUIRE((got == expected));
                    }
                }
            }
            rq_plan_free(plan);
        }
    }
    CHECK(direct >= 6);
    CHECK(ordinary >= 3);
}

TEST_CASE("dense combinations match GF(256) arithmetic byte by byte, on every backend")
{
    std::mt19937_64 rng(7);
    for (const rq_kernels *k : usable_backends()) {
        for (uint32_t w : {1u, 7u, 8u, 9u, 30u}) {
            for (size_t len : {size_t(1), size_t(63), size_t(1280), size_t(70001)}) {
                const uint32_t n_out = 5;
                const size_t in_stride = len + 3, out_stride = len + 5, coef_stride = w + 2;
                std::vector<uint8_t> in(w * in_stride), coefs(n_out * coef_stride, 0xEE),
                    out(n_out * out_stride, 0x5A);
                for (auto &v : in)
                    v = uint8_t(rng());
                for (uint32_t r = 0; r < n_out; r++)
                    for (uint32_t i = 0; i < w; i++) // zeros and ones often: the kernels' special cases
                        coefs[r * coef_stride + i] = rng() % 3 == 0 ? uint8_t(rng() % 2) : uint8_t(rng());
                REQUIRE(rq_dense_combine(k, coefs.data(), coef_stride, n_out, w, in.data(), in_stride,
                                         out.data(), out_stride, len) == RQ_OK);
                for (uint32_t r = 0; r < n_out; r++) {
                    std::vector<uint8_t> want(len, 0);
                    for (uint32_t i = 0; i < w; i++)
                        add_scaled(want.data(), in.data() + i * in_stride, coefs[r * coef_stride + i], len);
                    INFO(k->name << " w=" << w << " len=" << len << " output " << r);
                    REQUIRE(std::memcmp(out.data() + r * out_stride, want.data(), len) == 0);
                    REQUIRE(std::all_of(out.begin() + r * out_stride + len, out.begin() + (r + 1) * out_stride,
                                        [](uint8_t v) { return v == 0x5A; }));
                }
            }
        }
    }
}

TEST_CASE("a plan's dense coefficients give the intermediate symbols its replay gives")
{
    std::mt19937_64 rng(11);
    for (uint32_t K : {1u, 2u, 10u, 30u, 101u}) {
        rq_block_constants c;
        REQUIRE(rq_block_constants_for(K, &c) == RQ_OK);
        // A decoding set: some source symbols lost, repairs instead, in shuffled order.
        std::vector<uint32_t> isis;
        for (uint32_t i = 0; i < c.K_prime + 3; i++)
            isis.push_back(i < K && rng() % 4 == 0 ? c.K_prime + 100 + i : i);
        std::shuffle(isis.begin(), isis.end(), rng);
        const size_t T = 97;
        Block b = make_block(K, T, isis, rng);
        rq_plan *plan = nullptr;
        REQUIRE(rq_plan_build(ctx(), &b.c, b.isis.data(), uint32_t(b.isis.size()), &plan) == RQ_OK);
        const std::vector<uint8_t> C = replay(plan, best_kernels(), b, 1);
        uint8_t *coef_rows = nullptr;
        size_t stride = 0;
        REQUIRE(rq_plan_coefficients(ctx(), plan, best_kernels(), plan->n_inputs, &coef_rows, &stride) == RQ_OK);
        REQUIRE(stride >= plan->n_inputs);
        std::vector<uint8_t> coefs(size_t(c.L) * plan->n_inputs), got(size_t(c.L) * T);
        for (uint32_t j = 0; j < c.L; j++)
            std::memcpy(coefs.data() + size_t(j) * plan->n_inputs,
                        coef_rows + size_t(plan->intermediate[j]) * stride, plan->n_inputs);
        std::free(coef_rows);
        REQUIRE(rq_dense_combine(best_kernels(), coefs.data(), plan->n_inputs, c.L, plan->n_inputs,
                                 b.known.data(), T, got.data(), T, T) == RQ_OK);
        INFO("K=" << K);
        CHECK(got == C);
        rq_plan_free(plan);
    }
}

TEST_CASE("encoder and decoder give the same bytes the dense way and the plan's way")
{
    std::mt19937_64 rng(13);
    for (uint32_t K : {1u, 3u, 10u, 16u, 40u}) {
        // T = 20000: the plan's way replays in several stripes (rq_plan_replay).
        for (size_t T : {size_t(1), size_t(16), size_t(1280), size_t(4100), size_t(20000)}) {
            std::vector<uint8_t> source(size_t(K) * T);
            for (auto &v : source)
                v = uint8_t(rng());
            // Every source symbol but a random quarter, and repairs to make up K + 1.
            std::vector<uint32_t> esis;
            for (uint32_t i = 0; i < K; i++)
                if (rng() % 4)
                    esis.push_back(i);
            for (uint32_t r = 0; esis.size() < K + 1; r++)
                esis.push_back(K + r * 3);
            std::vector<std::vector<uint8_t>> symbols[3], decoded(3);
            for (int p = 0; p < 3; p++) {
                rqt::Context dense_ctx = rqt::make_context();
                REQUIRE(rq_context_set(dense_ctx.get(), RQ_PARAM_DENSE, p) == RQ_OK);
                rq_encoder *raw_enc = nullptr;
                REQUIRE(rq_encoder_create_in(dense_ctx.get(), &raw_enc, K, T, source.data(),
                                             source.size()) == RQ_OK);
                rqt::Encoder enc(raw_enc);
                for (uint32_t esi = 0; esi < K + 12; esi++)
                    symbols[p].push_back(rqt::encoder_symbol(enc.get(), esi, T));
                rq_decoder *raw_dec = nullptr;
                REQUIRE(rq_decoder_create_in(dense_ctx.get(), &raw_dec, K, T) == RQ_OK);
                rqt::Decoder dec(raw_dec);
                for (uint32_t esi : esis) {
                    const std::vector<uint8_t> sym = rqt::encoder_symbol(enc.get(), esi, T);
                    REQUIRE(rq_decoder_add_symbol(dec.get(), esi, sym.data(), T) == RQ_OK);
                }
                REQUIRE(rq_decoder_decode(dec.get()) == RQ_OK);
                decoded[p].assign(source.size(), 0);
                REQUIRE(rq_decoder_source(dec.get(), decoded[p].data(), decoded[p].size()) == RQ_OK);
            }
            INFO("K=" << K << " T=" << T);
            CHECK(symbols[1] == symbols[2]);
            CHECK(symbols[0] == symbols[2]);
            for (uint32_t i = 0; i < K; i++)
                CHECK(std::memcmp(symbols[2][i].data(), source.data() + size_t(i) * T, T) == 0);
            for (int p = 0; p < 3; p++)
                CHECK(decoded[p] == source);
        }
    }
}

namespace {

// Encodes K symbols of T random bytes, loses every tenth source symbol to
// repairs, decodes, and checks the source comes back.
void round_trip(uint32_t K, size_t T, rq_context *in = nullptr)
{
    CAPTURE(K, T);
    std::mt19937_64 rng(K);
    std::vector<uint8_t> source(size_t(K) * T);
    for (size_t i = 0; i < source.size(); i += 8) {
        uint64_t v = rng();
        std::memcpy(source.data() + i, &v, std::min<size_t>(8, source.size() - i));
    }
    auto enc = rqt::make_encoder(K, T, source, in);
    auto dec = rqt::make_decoder(K, T, in);
    for (uint32_t esi = 0, repair = K; esi < K; esi++) {
        const uint32_t use = esi % 10 == 3 ? repair++ : esi;
        const std::vector<uint8_t> sym = rqt::encoder_symbol(enc.get(), use, T);
        if (use == esi)
            REQUIRE(std::memcmp(sym.data(), source.data() + size_t(esi) * T, T) == 0);
        REQUIRE(rq_decoder_add_symbol(dec.get(), use, sym.data(), T) == RQ_OK);
    }
    rq_status st = rq_decoder_decode(dec.get());
    for (uint32_t extra = 0; st == RQ_ERR_NEED_MORE_SYMBOLS && extra < 4; extra++) {
        const std::vector<uint8_t> sym = rqt::encoder_symbol(enc.get(), 2 * K + extra, T);
        REQUIRE(rq_decoder_add_symbol(dec.get(), 2 * K + extra, sym.data(), T) == RQ_OK);
        st = rq_decoder_decode(dec.get());
    }
    REQUIRE(st == RQ_OK);
    std::vector<uint8_t> out(source.size());
    REQUIRE(rq_decoder_source(dec.get(), out.data(), out.size()) == RQ_OK);
    CHECK(out == source);
}

} // namespace

TEST_CASE("a decode of more than 4 MB in one stripe orders its plan's inputs and round-trips")
{
    // K = 600, T = 8000: 4.8 MB held, one stripe (ORDER_INPUTS_BYTES in core/block_decoder.c).
    round_trip(600, 8000);
}

TEST_CASE("a block filled with streaming stores still round-trips")
{
    // RQ_PARAM_STREAM_FILL_BYTES = 1 sends every block through stream_rows
    // (encoder and decoder). At T = 1280 the replay runs in one stripe, so the
    // decoder also orders its plan's input rows first (ORDER_INPUTS_BYTES in
    // core/block_decoder.c); at T = 65528 it does not.
    rqt::Context streaming = rqt::make_context();
    REQUIRE(rq_context_set(streaming.get(), RQ_PARAM_STREAM_FILL_BYTES, 1) == RQ_OK);
    const bool wide = GENERATE(true, false);
    round_trip(wide ? 80 : 4000, wide ? 65528 : 1280, streaming.get());
}

namespace {
size_t streamed_fills;
void counting_stream_rows(uint8_t *rows, size_t stride, const uint32_t *to, const uint8_t *src,
                          size_t src_stride, size_t n, size_t len)
{
    streamed_fills++;
    rq_stream_rows_memcpy(rows, stride, to, src, src_stride, n, len);
}
} // namespace

extern "C" rq_status rq_context_create_with(const rq_kernels *kernels, rq_context **out);

TEST_CASE("encoding streams blocks from RQ_PARAM_STREAM_FILL_BYTES on, decoding from half of it")
{
    const uint32_t K = 100;
    const size_t T = 64, bytes = K * T;
    rq_kernels counting = *rq_kernels_scalar();
    counting.stream_rows = counting_stream_rows;
    rq_context *raw = nullptr;
    REQUIRE(rq_context_create_with(&counting, &raw) == RQ_OK);
    rqt::Context c(raw);
    std::vector<uint8_t> source(bytes);
    for (size_t i = 0; i < bytes; i++)
        source[i] = uint8_t(i * 131 + 7);
    for (size_t from : {bytes, bytes + 1}) {
        CAPTURE(from);
        REQUIRE(rq_context_set(c.get(), RQ_PARAM_STREAM_FILL_BYTES, int64_t(from)) == RQ_OK);
        streamed_fills = 0;
        auto enc = rqt::make_encoder(K, T, source, c.get());
        CHECK(streamed_fills == (from == bytes ? 1u : 0u));
        // K symbols held, the first source symbol replaced by a repair one.
        REQUIRE(rq_context_set(c.get(), RQ_PARAM_STREAM_FILL_BYTES, int64_t(2 * from)) == RQ_OK);
        auto dec = rqt::make_decoder(K, T, c.get());
        for (uint32_t esi = 1; esi <= K; esi++) {
            const std::vector<uint8_t> sym = rqt::encoder_symbol(enc.get(), esi, T);
            REQUIRE(rq_decoder_add_symbol(dec.get(), esi, sym.data(), T) == RQ_OK);
        }
        streamed_fills = 0;
        REQUIRE(rq_decoder_decode(dec.get()) == RQ_OK);
        CHECK(streamed_fills == (from == bytes ? 1u : 0u));
        std::vector<uint8_t> out(bytes);
        REQUIRE(rq_decoder_source(dec.get(), out.data(), out.size()) == RQ_OK);
        CHECK(out == source);
    }
}

TEST_CASE("by default the fill streams from a size set by the last-level cache")
{
    const uint64_t MiB = 1 << 20;
    CHECK(rq_stream_fill_for_cache(32 * MiB) == 12 * MiB);
    CHECK(rq_stream_fill_for_cache(2 * MiB) == 768 * 1024);
    CHECK(rq_stream_fill_for_cache(480 * MiB) == 48 * MiB); // counted up to 128 MiB
    CHECK(rq_stream_fill_for_cache(0) == 12 * MiB);         // size unknown
    rq_topology_summary machine{};
    REQUIRE(rq_topology_get_summary(&machine) == RQ_OK);
    const uint64_t llc = machine.l3_bytes ? machine.l3_bytes : machine.l2_bytes;
    CHECK(rq_stream_fill_bytes(ctx()) == rq_stream_fill_for_cache(llc));
    CHECK(rq_stream_fill_bytes(rqt::make_context().get()) == rq_stream_fill_for_cache(llc));
    int64_t def = -1;
    REQUIRE(rq_param_bounds(RQ_PARAM_STREAM_FILL_BYTES, nullptr, nullptr, &def) == RQ_OK);
    CHECK(def == 0);
}
