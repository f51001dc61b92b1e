/*
 * rq-library's C ABI, served by librq: link librq_library.so or the
 * self-contained librq_library.a instead of rq-library's and rebuild; the
 * calls, return codes, files on disk and result JSON stay the same
 * (README.md, "Drop-in for rq-library"). Only the raptorq_* functions are
 * exported from those libraries.
 *
 * A session is a number: ids count up from 1 and are never reused. Calls
 * on one session may come from several threads at once, and calls on
 * different sessions run in parallel; each encode and decode streams the
 * file in bounded memory (max_memory_mb) on all cores.
 *
 * Return codes of the file calls:
 *     0  success
 *    -1  another failure (cancelled, internal)
 *    -2  a NULL argument, or a path that is not UTF-8
 *    -3  the result JSON could not be made
 *    -4  the result JSON (with its NUL) does not fit result_len; the work
 *        was done (symbol files and layout written)
 *    -5  no session with this id
 *   -11  I/O: the input is a directory, output_dir is a file or cannot be
 *        created, the output cannot be written
 *   -12  the input (encode) or the layout (decode) cannot be opened
 *   -13  symbols_dir is not a directory
 *   -14  the input is empty (or cannot be encoded with these settings)
 *   -15  decoding failed: a malformed layout, too few good symbols, a hash
 *        mismatch
 *   -16  the job does not fit max_memory_mb (or the process's budget)
 *   -17  the session's concurrency limit is reached
 * After every failure raptorq_get_last_error says what went wrong.
 */
#ifndef RQ_LIBRARY_H
#define RQ_LIBRARY_H

#include <stdbool.h>
#include <stdint.h>

#if defined(RQ_BUILDING_LIBRARY)
#define RQL_API __attribute__((visibility("default")))
#else
#define RQL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A session: symbol_size is the largest symbol P' (symbols are P' rounded
 * down to a multiple of 8 from 64 up; 65535 gives 65528), redundancy_factor
 * R (a chunk of S bytes gets ceil(S*(R-1)/symbol_size) repair symbols, R
 * when S <= symbol_size), max_memory_mb the memory budget of the session's
 * running jobs together, concurrency_limit the jobs it runs at once (more
 * fail with -17). Returns 0 for values it cannot serve: symbol_size 0,
 * redundancy_factor 0, max_memory_mb below 8 or above 2^43,
 * concurrency_limit 0. A limit above 1024 is taken as 1024.
 */
RQL_API uintptr_t raptorq_init_session(uint16_t symbol_size, uint8_t redundancy_factor,
                                       uint64_t max_memory_mb, uint64_t concurrency_limit);
/* true once for a live session; false for a second free or an unknown id. Running calls finish first. */
RQL_API bool raptorq_free_session(uintptr_t session_id);

/*
 * Encodes input_path into output_dir (created if missing; an existing one
 * is written into, files of the same name replaced): output_dir/block_<n>/
 * <base58(BLAKE3(content))> per symbol, output_dir/_raptorq_layout.json.
 * block_size 0: raptorq_get_recommended_block_size's choice (0 there means
 * the whole file as one block). result gets the result JSON (compact):
 * total_symbols_count, total_repair_symbols, symbols_directory (output_dir
 * as given), blocks[] (block_id, encoder_parameters, original_offset, size,
 * symbols_count, source_symbols_count, hash), layout_file_path.
 */
RQL_API int32_t raptorq_encode_file(uintptr_t session_id, const char *input_path,
                                    const char *output_dir, uintptr_t block_size, char *result,
                                    uintptr_t result_len);
/*
 * As encode, but only the layout (symbol IDs included) is worked out and
 * written to layout_file; no symbol file is written. layout_file "": nothing
 * is written and the result carries the layout as "layout_content" (its
 * symbols_directory and layout_file_path are "").
 */
RQL_API int32_t raptorq_create_metadata(uintptr_t session_id, const char *input_path,
                                        const char *layout_file, uintptr_t block_size,
                                        char *result, uintptr_t result_len);
/*
 * Rebuilds the file at output_path (replaced if it exists) from the symbol
 * files in symbols_dir that layout_path names; damaged and missing ones are
 * skipped as long as enough good ones remain.
 */
RQL_API int32_t raptorq_decode_symbols(uintptr_t session_id, const char *symbols_dir,
                                       const char *output_path, const char *layout_path);
/*
 * The message of the session's last failure ("" on a fresh session and
 * after a success), truncated to len - 1 bytes and a NUL. 0, or -1 for a
 * NULL buf, len 0 or an unknown id.
 */
RQL_API int32_t raptorq_get_last_error(uintptr_t session_id, char *buf, uintptr_t len);
/*
 * With safe = floor(max_memory_mb * 2^20 / 1.5): 0 (one block) when
 * file_size < safe, else max(floor(safe / 4 / symbol_size), 1) *
 * symbol_size. 0 for an unknown id.
 */
RQL_API uintptr_t raptorq_get_recommended_block_size(uintptr_t session_id, uint64_t file_size);
/* "librq <version> (rq-library ABI 0.1.0)" into buf: 0, or -1 for NULL or too short. */
RQL_API int32_t raptorq_version(char *buf, uintptr_t len);

#ifdef __cplusplus
}
#endif

#endif /* RQ_LIBRARY_H */
