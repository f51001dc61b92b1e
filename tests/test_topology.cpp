// Machine topology and worker placement (runtime/topology.c): counts of
// hwloc synthetic machines, the exact PU and node of every worker under each
// placement policy (wrap-around included), node-bound memory, binding, the
// process-wide system topology and its JSON description.
#include "rq_test.h"

#include "runtime/topology.h"

#include <rq/rq_topology.h>

#include <cjson/cJSON.h>

#include <sched.h>

#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

struct TopologyDeleter {
    void operator()(rq_topology *t) const { rq_topology_free(t); }
};
using Topology = std::unique_ptr<rq_topology, TopologyDeleter>;

Topology load(const char *synthetic)
{
    rq_topology *t = nullptr;
    REQUIRE(rq_topology_load(synthetic, &t) == RQ_OK);
    REQUIRE(t != nullptr);
    return Topology(t);
}

std::vector<rq_worker_slot> place(const rq_topology *t, rq_placement policy, uint32_t n)
{
    std::vector<rq_worker_slot> slots(n);
    REQUIRE(rq_topology_place(t, policy, n, slots.data()) == RQ_OK);
    for (uint32_t i = 0; i < n; i++)
        CHECK(slots[i].worker == i);
    return slots;
}

// "pack:2 numa:2 core:4 pu:2": node n holds cores 4n..4n+3, core c holds PUs 2c and 2c+1.
constexpr const char *kTwoByTwo = "pack:2 numa:2 core:4 pu:2";

struct Expected {
    int pu, core, node;
};

void check_slot(const rq_worker_slot &slot, Expected want)
{
    INFO("worker " << slot.worker);
    CHECK(slot.pu == want.pu);
    CHECK(slot.core == want.core);
    CHECK(slot.node == want.node);
}

// For each worker count, every worker's slot is rule(worker).
template <typename Rule>
void check_rule(const rq_topology *t, rq_placement policy, std::initializer_list<uint32_t> counts, Rule rule)
{
    for (uint32_t n : counts) {
        INFO(n << " workers");
        std::vector<rq_worker_slot> slots = place(t, policy, n);
        for (uint32_t i = 0; i < n; i++)
            check_slot(slots[i], rule(i));
    }
}

// The rule written out for a few workers: {worker, {pu, core, node}}.
void check_examples(const rq_topology *t, rq_placement policy,
                    std::initializer_list<std::pair<uint32_t, Expected>> examples)
{
    std::vector<rq_worker_slot> slots = place(t, policy, 40);
    for (const auto &[worker, want] : examples)
        check_slot(slots[worker], want);
}

} // namespace

TEST_CASE("a synthetic machine of 2 packages x 2 nodes x 4 cores x 2 PUs is counted right")
{
    Topology t = load(kTwoByTwo);
    rq_topology_summary s{};
    rq_topology_summarize(t.get(), &s);
    CHECK(s.numa_nodes == 4);
    CHECK(s.packages == 2);
    CHECK(s.cores == 16);
    CHECK(s.pus == 32);
    CHECK(std::string(s.source) == "synthetic");
    CHECK_FALSE(rq_topology_can_bind(t.get()));
    for (uint32_t n = 0; n < 4; n++) {
        rq_topology_node node{};
        REQUIRE(rq_topology_node_info(t.get(), n, &node) == RQ_OK);
        CHECK(node.os_index == static_cast<int>(n));
        CHECK(node.cores == 4);
        CHECK(node.pus == 8);
    }
    rq_topology_node node{};
    CHECK(rq_topology_node_info(t.get(), 4, &node) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("a one-node machine without packages still counts one package")
{
    Topology t = load("numa:1 core:2 pu:1");
    rq_topology_summary s{};
    rq_topology_summarize(t.get(), &s);
    CHECK(s.numa_nodes == 1);
    CHECK(s.packages == 1);
    CHECK(s.cores == 2);
    CHECK(s.pus == 2);
}

TEST_CASE("synthetic cache levels give their sizes")
{
    Topology t = load("pack:1 l3:1 core:2 l2:1 l1d:1 pu:2");
    rq_topology_summary s{};
    rq_topology_summarize(t.get(), &s);
    CHECK(s.l1d_bytes > 0);
    CHECK(s.l2_bytes > 0);
    CHECK(s.l3_bytes > s.l2_bytes);

    Topology bare = load("numa:1 core:2 pu:1");
    rq_topology_summarize(bare.get(), &s);
    CHECK(s.l1d_bytes == 0);
    CHECK(s.l3_bytes == 0);
}

TEST_CASE("a malformed synthetic description is rejected with RQ_ERR_CONFIG")
{
    for (const char *bad : {"garbage", "pack:0", "", "core:2 pu:x", "numa:-1"}) {
        INFO("description '" << bad << "'");
        rq_topology *t = reinterpret_cast<rq_topology *>(0x1);
        CHECK(rq_topology_load(bad, &t) == RQ_ERR_CONFIG);
        CHECK(t == reinterpret_cast<rq_topology *>(0x1));
    }
    CHECK(rq_topology_load("core:1", nullptr) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("compact placement fills node by node, one worker per core, SMT siblings last")
{
    Topology t = load(kTwoByTwo);
    check_rule(t.get(), RQ_PLACEMENT_COMPACT, {1, 3, 4, 5, 16, 17, 32, 40}, [](uint32_t i) {
        uint32_t k = i % 32; // wrap-around after all 32 PUs
        int core = static_cast<int>(k % 16);
        int smt = static_cast<int>(k / 16); // first PUs of all 16 cores, then second PUs
        return Expected{2 * core + smt, core, core / 4};
    });
    check_examples(t.get(), RQ_PLACEMENT_COMPACT,
                   {{0, {0, 0, 0}}, {3, {6, 3, 0}}, {4, {8, 4, 1}}, {15, {30, 15, 3}}, {16, {1, 0, 0}},
                    {31, {31, 15, 3}}, {32, {0, 0, 0}}, {33, {2, 1, 0}}});
}

TEST_CASE("spread placement deals workers round-robin over the nodes")
{
    Topology t = load(kTwoByTwo);
    check_rule(t.get(), RQ_PLACEMENT_SPREAD, {1, 2, 4, 6, 16, 32, 37}, [](uint32_t i) {
        int node = static_cast<int>(i % 4);
        int k = static_cast<int>((i / 4) % 8); // the node's k-th entry: 4 first PUs, then 4 second
        int core = 4 * node + k % 4;
        return Expected{2 * core + k / 4, core, node};
    });
    check_examples(t.get(), RQ_PLACEMENT_SPREAD,
                   {{0, {0, 0, 0}}, {1, {8, 4, 1}}, {3, {24, 12, 3}}, {4, {2, 1, 0}}, {16, {1, 0, 0}},
                    {29, {15, 7, 1}}, {32, {0, 0, 0}}});
}

TEST_CASE("on one node without SMT compact and spread agree and wrap around")
{
    Topology t = load("numa:1 core:2 pu:1");
    for (rq_placement policy : {RQ_PLACEMENT_COMPACT, RQ_PLACEMENT_SPREAD})
        check_rule(t.get(), policy, {1, 2, 5}, [](uint32_t i) {
            int core = static_cast<int>(i % 2);
            return Expected{core, core, 0};
        });
}

TEST_CASE("no placement leaves every worker unbound on no particular node")
{
    Topology t = load(kTwoByTwo);
    std::vector<rq_worker_slot> slots = place(t.get(), RQ_PLACEMENT_NONE, 3);
    for (const rq_worker_slot &slot : slots) {
        check_slot(slot, {-1, -1, -1});
        CHECK(rq_topology_bind_thread(t.get(), &slot) == RQ_OK);
    }
}

TEST_CASE("placement rejects an unknown policy and missing slots")
{
    Topology t = load(kTwoByTwo);
    rq_worker_slot slot{};
    CHECK(rq_topology_place(t.get(), static_cast<rq_placement>(7), 1, &slot) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_topology_place(t.get(), RQ_PLACEMENT_COMPACT, 1, nullptr) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_topology_place(nullptr, RQ_PLACEMENT_COMPACT, 1, &slot) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_topology_place(t.get(), RQ_PLACEMENT_COMPACT, 0, nullptr) == RQ_OK);
}

TEST_CASE("binding on a synthetic machine does nothing and succeeds")
{
    Topology t = load(kTwoByTwo);
    cpu_set_t before;
    REQUIRE(sched_getaffinity(0, sizeof before, &before) == 0);
    std::vector<rq_worker_slot> slots = place(t.get(), RQ_PLACEMENT_COMPACT, 1);
    CHECK(rq_topology_bind_thread(t.get(), &slots[0]) == RQ_OK);
    cpu_set_t after;
    REQUIRE(sched_getaffinity(0, sizeof after, &after) == 0);
    CHECK(CPU_EQUAL(&before, &after));
}

TEST_CASE("node memory is usable on this machine and on a synthetic one")
{
    const size_t bytes = 1 << 20;
    Topology synthetic = load(kTwoByTwo);
    for (const rq_topology *t : {rq_topology_system(), static_cast<const rq_topology *>(synthetic.get())}) {
        rq_topology_summary s{};
        rq_topology_summarize(t, &s);
        INFO("source " << s.source);
        for (int node = -1; node < static_cast<int>(s.numa_nodes); node++) {
            auto *p = static_cast<unsigned char *>(rq_topology_alloc_on_node(t, bytes, node));
            REQUIRE(p != nullptr);
            std::memset(p, 0xA5, bytes);
            CHECK(p[0] == 0xA5);
            CHECK(p[bytes - 1] == 0xA5);
            rq_topology_free_on_node(t, p, bytes);
        }
        CHECK(rq_topology_alloc_on_node(t, bytes, static_cast<int>(s.numa_nodes)) == nullptr);
        CHECK(rq_topology_alloc_on_node(t, 0, 0) == nullptr);
        rq_topology_free_on_node(t, nullptr, 0);
    }
}

TEST_CASE("this machine's topology loads once, with at least one node, core and PU")
{
    std::vector<const rq_topology *> seen(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < seen.size(); i++)
        threads.emplace_back([&seen, i] { seen[i] = rq_topology_system(); });
    for (std::thread &th : threads)
        th.join();
    const rq_topology *t = rq_topology_system();
    REQUIRE(t != nullptr);
    for (const rq_topology *p : seen)
        CHECK(p == t);

    rq_topology_summary s{};
    REQUIRE(rq_topology_get_summary(&s) == RQ_OK);
    CHECK(s.numa_nodes >= 1);
    CHECK(s.packages >= 1);
    CHECK(s.cores >= 1);
    CHECK(s.pus >= s.cores);
    CHECK(std::set<std::string>{"hwloc", "synthetic", "fallback"}.count(s.source) == 1);
    CHECK(rq_topology_get_summary(nullptr) == RQ_ERR_INVALID_ARGUMENT);
}

TEST_CASE("a worker bound on this machine runs only on its PU")
{
    const rq_topology *t = rq_topology_system();
    std::vector<rq_worker_slot> slots = place(t, RQ_PLACEMENT_COMPACT, 1);
    REQUIRE(slots[0].pu >= 0);
    rq_status st = RQ_OK;
    cpu_set_t mask;
    CPU_ZERO(&mask);
    // In a thread of its own, so the test's main thread stays unbound.
    std::thread([&] {
        st = rq_topology_bind_thread(t, &slots[0]);
        sched_getaffinity(0, sizeof mask, &mask);
    }).join();
    REQUIRE(st == RQ_OK);
    if (rq_topology_can_bind(t)) {
        CHECK(CPU_COUNT(&mask) == 1);
        CHECK(CPU_ISSET(slots[0].pu, &mask));
    }
}

TEST_CASE("the topology JSON names the counts, caches and every node")
{
    char *text = nullptr;
    REQUIRE(rq_topology_describe_json(&text) == RQ_OK);
    cJSON *root = cJSON_Parse(text);
    rq_string_free(text);
    REQUIRE(root != nullptr);
    rq_topology_summary s{};
    REQUIRE(rq_topology_get_summary(&s) == RQ_OK);
    CHECK(cJSON_GetObjectItemCaseSensitive(root, "numa_nodes")->valuedouble == s.numa_nodes);
    CHECK(cJSON_GetObjectItemCaseSensitive(root, "packages")->valuedouble == s.packages);
    CHECK(cJSON_GetObjectItemCaseSensitive(root, "cores")->valuedouble == s.cores);
    CHECK(cJSON_GetObjectItemCaseSensitive(root, "pus")->valuedouble == s.pus);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "source")));
    const cJSON *caches = cJSON_GetObjectItemCaseSensitive(root, "caches");
    for (const char *key : {"l1d_bytes", "l2_bytes", "l3_bytes"})
        CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(caches, key)));
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    REQUIRE(cJSON_IsArray(nodes));
    CHECK(cJSON_GetArraySize(nodes) == static_cast<int>(s.numa_nodes));
    cJSON_Delete(root);
    CHECK(rq_topology_describe_json(nullptr) == RQ_ERR_INVALID_ARGUMENT);
    CHECK(rq_string_free(nullptr) == RQ_OK);
}

TEST_CASE("a synthetic machine's JSON lists each node's cores and PUs")
{
    Topology t = load(kTwoByTwo);
    cJSON *root = cJSON_CreateObject();
    REQUIRE(rq_topology_to_json(t.get(), root) == RQ_OK);
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    REQUIRE(cJSON_GetArraySize(nodes) == 4);
    const cJSON *node1 = cJSON_GetArrayItem(nodes, 1);
    CHECK(cJSON_GetObjectItemCaseSensitive(node1, "cores")->valueint == 4);
    CHECK(cJSON_GetObjectItemCaseSensitive(node1, "pus")->valueint == 8);
    const cJSON *pus = cJSON_GetObjectItemCaseSensitive(node1, "pu_os_indices");
    REQUIRE(cJSON_GetArraySize(pus) == 8);
    for (int k = 0; k < 8; k++)
        CHECK(cJSON_GetArrayItem(pus, k)->valueint == 8 + k);
    cJSON_Delete(root);
}
