/*
 * Access to the files under tests/data: the RFC 6330 conformance vectors
 * (cases.json, allk.json, *.packets), the transcribed tables (tables.json),
 * the official BLAKE3 vectors and the rq-library deployment samples.
 * Every loader throws std::runtime_error with the file name on a missing or
 * malformed file, so a broken checkout fails loudly instead of testing nothing.
 */
#ifndef RQ_TEST_DATA_H
#define RQ_TEST_DATA_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rqt {

/* RQ_TEST_DATA_DIR + "/" + relative. */
std::string data_path(const std::string &relative);

std::vector<uint8_t> read_file(const std::string &path);

std::vector<uint8_t> hex_decode(const std::string &hex);
std::string hex_encode(const uint8_t *data, size_t len);
std::string sha256_hex(const uint8_t *data, size_t len);

/* The first len bytes of the splitmix64-le stream for seed. */
std::vector<uint8_t> splitmix_bytes(uint64_t seed, size_t len);

struct VectorSymbol {
    uint32_t esi;
    std::string sha256; /* of the T payload bytes */
};

struct VectorBlock {
    uint32_t sbn;
    uint32_t K;
    uint32_t K_prime;
    std::vector<VectorSymbol> symbols;
};

struct VectorCase {
    std::string name;
    uint64_t seed;
    uint64_t F;
    uint32_t T, Z, N, Al;
    std::string oti_hex;
    std::string oti_from;
    std::string packets_file; /* empty when the case has none */
    std::vector<VectorBlock> blocks;

    size_t symbol_count() const;
};

/* rfc6330/cases.json */
std::vector<VectorCase> load_cases();

struct AllKEntry {
    uint32_t K_prime;
    std::string repair_sha256;      /* over the payloads of ESIs K'..K'+3 */
    std::string esi_1048576_sha256; /* payload of ESI 1048576 */
};

/* rfc6330/allk.json */
std::vector<AllKEntry> load_allk();

struct Table2Row {
    uint32_t K_prime, J, S, H, W;
};

/* The systematic index table of rfc6330/tables.json (RFC 6330 Table 2). */
std::vector<Table2Row> load_table2();

struct Blake3Vector {
    size_t input_len;  /* the input is bytes i % 251 for i in 0..input_len */
    std::string hash;  /* hex of the extended default-mode output (its first 32 bytes are the hash) */
};

/* blake3/test_vectors.json, default hash mode only. */
std::vector<Blake3Vector> load_blake3_vectors();

struct RqLibraryBlock {
    uint32_t block_id;
    uint64_t original_offset;
    uint64_t size;
    std::string hash; /* base58(BLAKE3(block bytes)) */
};

struct RqLibrarySample {
    std::string name; /* folder under rq-library/ */
    uint64_t seed;    /* the input is the first size bytes of splitmix64-le for seed */
    uint64_t size;
    uint32_t symbol_size;  /* the call's settings */
    uint32_t redundancy_factor;
    uint64_t block_size;
    std::vector<RqLibraryBlock> blocks;
};

/* rq-library/NAME/input.json and result.json. */
RqLibrarySample load_rq_library_sample(const std::string &name);

} // namespace rqt

#endif
