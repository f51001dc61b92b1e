/* The result JSON of rq-library's encode and create_metadata, from a layout model. */
#ifndef RQ_RUNTIME_COMPAT_ABI_RESULT_H
#define RQ_RUNTIME_COMPAT_ABI_RESULT_H

#include "runtime/layout.h"
#include "runtime/session_internal.h"

/*
 * Compact JSON, fields in rq-library's order: total_symbols_count,
 * total_repair_symbols, symbols_directory, blocks[] (block_id,
 * encoder_parameters, original_offset, size, symbols_count,
 * source_symbols_count, hash), layout_file_path, and layout_content when
 * not NULL. Counts as rq-library reports them: a chunk's repair count once,
 * however many source blocks got it. NULL when out of memory (free()).
 */
char *abi_result_json(const rq_layout *layout, const rq_session_settings *cfg,
                      const char *symbols_directory, const char *layout_file_path,
                      const char *layout_content);

#endif
