/*
 * Symbol directories as `rq encode` writes them, for the tests of the
 * commands that read and repair them: their block folders' files, losing
 * some, and checking that a file holds what its name says.
 */
#ifndef RQ_TEST_SYMBOL_DIRS_H
#define RQ_TEST_SYMBOL_DIRS_H

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rqt {

/* The symbol files of each block_* folder of dir, sorted by name (temporary '.' files left out). */
std::map<std::string, std::vector<std::filesystem::path>> symbol_files(const std::filesystem::path &dir);
/* Deletes round(fraction * n) of the files, chosen by a splitmix64 shuffle from seed; returns how many. */
size_t delete_some(std::vector<std::filesystem::path> files, double fraction, uint64_t seed);
/* Deletes a fraction of the symbol files of every block of dir; returns the total deleted. */
size_t delete_from_each_block(const std::filesystem::path &dir, double fraction, uint64_t seed);
/* base58 BLAKE3 of the file's bytes: what its name should be. */
std::string id_of_content(const std::filesystem::path &file);

} // namespace rqt

#endif
