/*
 * rq-library's C ABI (include/rq-library.h) over librq sessions in
 * RQ_FORMAT_RQ_LIBRARY: the same files and JSON as rq-library, through the
 * same streaming jobs as `rq encode` and `rq decode`. This file checks the
 * arguments in rq-library's order, runs the job and turns librq's statuses
 * into rq-library's return codes; every failure leaves a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rq-library.h"
#include "runtime/compat/abi_result.h"
#include "runtime/compat/abi_sessions.h"
#include "runtime/file_jobs.h"
#include "runtime/session_internal.h"
#include "runtime/units.h"

#define ABI_VERSION "0.1.0"

enum {
    ABI_OK = 0,
    ABI_GENERIC = -1,
    ABI_BAD_ARGUMENT = -2,
    ABI_BAD_RESPONSE = -3,
    ABI_BUFFER_SIZE = -4,
    ABI_BAD_SESSION = -5,
    ABI_IO = -11,
    ABI_NOT_FOUND = -12,
    ABI_BAD_PATH = -13,
    ABI_ENCODE_FAILED = -14,
    ABI_DECODE_FAILED = -15,
    ABI_MEMORY = -16,
    ABI_CONCURRENCY = -17
};

/* Strict UTF-8, as Rust's CStr::to_str takes it: no overlongs, surrogates or values past U+10FFFF. */
static int valid_utf8(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        unsigned c = *p, n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
                                          : (c & 0xF8) == 0xF0 ? 3 : 4;
        if (n == 4 || (n == 1 && c < 0xC2) || (c == 0xF4 && p[1] > 0x8F) || c > 0xF4)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) || (c == 0xF0 && p[1] < 0x90))
            return 0;
        for (unsigned i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

/* -2, with a message naming the argument when the session exists. */
static int32_t bad_argument(uintptr_t id, const char *name, const char *why)
{
    abi_session *a = abi_session_acquire(id);
    if (a) {
        abi_session_set_error(a, "Invalid parameters: %s is %s", name, why);
        abi_session_release(a);
    }
    return ABI_BAD_ARGUMENT;
}

/* -2 when one of the n paths is NULL or not UTF-8. */
static int32_t check_paths(uintptr_t id, const char *const *paths, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (!paths[i])
            return bad_argument(id, names[i], "NULL");
        if (!valid_utf8(paths[i]))
            return bad_argument(id, names[i], "not valid UTF-8");
    }
    return ABI_OK;
}

uintptr_t raptorq_init_session(uint16_t symbol_size, uint8_t redundancy_factor,
                               uint64_t max_memory_mb, uint64_t concurrency_limit)
{
    if (symbol_size == 0 || redundancy_factor == 0 || max_memory_mb < RQ_MIN_MEMORY_BUDGET / RQ_MIB ||
        max_memory_mb > (1ull << 43) || concurrency_limit == 0)
        return 0;
    /* 2^43 MB is 2^63 bytes, one more than a signed budget holds. */
    uint64_t budget = max_memory_mb * RQ_MIB > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : max_memory_mb * RQ_MIB;
    rq_session *s = NULL;
    if (rq_session_create(&s) != RQ_OK)
        return 0;
    int ok = rq_session_set(s, RQ_SESSION_FORMAT, RQ_FORMAT_RQ_LIBRARY) == RQ_OK &&
             rq_session_set(s, RQ_SESSION_SYMBOL_SIZE, symbol_size) == RQ_OK &&
             rq_session_set_double(s, RQ_SESSION_REDUNDANCY, redundancy_factor) == RQ_OK &&
             rq_session_set(s, RQ_SESSION_MEMORY_BUDGET, (int64_t)budget) == RQ_OK &&
             rq_session_set(s, RQ_SESSION_CONCURRENCY_LIMIT,
                            concurrency_limit > 1024 ? 1024 : (int64_t)concurrency_limit) == RQ_OK &&
             rq_session_set(s, RQ_SESSION_FAIL_FAST, 1) == RQ_OK &&
             rq_session_set(s, RQ_SESSION_OVERWRITE, 1) == RQ_OK;
    if (!ok) {
        rq_session_destroy(s);
        return 0;
    }
    return abi_session_add(s, symbol_size, budget);
}

bool raptorq_free_session(uintptr_t session_id)
{
    return abi_session_remove(session_id) != 0;
}

/* A librq failure as rq-library's code; decode failures are -15, encode failures -14. */
static int32_t abi_code(rq_status st, int decoding)
{
    switch (st) {
    case RQ_OK: return ABI_OK;
    case RQ_ERR_IO:
    case RQ_ERR_EXISTS: return ABI_IO;
    case RQ_ERR_MEMORY_BUDGET: return ABI_MEMORY;
    case RQ_ERR_BUSY: return ABI_CONCURRENCY;
    case RQ_ERR_NO_MEMORY:
    case RQ_ERR_CANCELLED:
    case RQ_ERR_INTERNAL: return ABI_GENERIC;
    default: return decoding ? ABI_DECODE_FAILED : ABI_ENCODE_FAILED;
    }
}

/* Records librq's message for a failed job and returns the code. */
static int32_t job_failed(abi_session *a, rq_status st, int decoding)
{
    const char *msg = NULL;
    rq_session_last_error(a->session, &msg);
    abi_session_set_error(a, "%s", msg && *msg ? msg : rq_strerror(st));
    return abi_code(st, decoding);
}

/* rq-library's input checks: it must open (-12), be a file (-11) and not be empty (-14). */
static int32_t check_input(abi_session *a, const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        abi_session_set_error(a, "File is not found: Failed to open file \"%s\": %s", path,
                              strerror(errno));
        return ABI_NOT_FOUND;
    }
    struct stat sb;
    int r = fstat(fd, &sb);
    int err = errno;
    close(fd);
    if (r != 0 || !S_ISREG(sb.st_mode)) {
        abi_session_set_error(a, "IO error: %s: %s", path,
                              r != 0 ? strerror(err) : "not a regular file");
        return ABI_IO;
    }
    if (sb.st_size == 0) {
        abi_session_set_error(a, "Encoding failed: File is empty: \"%s\"", path);
        return ABI_ENCODE_FAILED;
    }
    return ABI_OK;
}

/* dir joined with name as rq-library prints it: no separator after "" or a trailing '/'. */
static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    const char *sep = n == 0 || dir[n - 1] == '/' ? "" : "/";
    size_t len = n + strlen(sep) + strlen(name) + 1;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%s%s%s", dir, sep, name);
    return out;
}

/* Copies the result JSON with its NUL into result; -4 if it does not fit. */
static int32_t deliver(abi_session *a, const char *json, char *result, uintptr_t result_len)
{
    if (!json) {
        abi_session_set_error(a, "Invalid response: the result JSON could not be made");
        return ABI_BAD_RESPONSE;
    }
    size_t need = strlen(json) + 1;
    if (need > result_len) {
        abi_session_set_error(a, "Bad return buffer size: the result needs %zu bytes, the buffer "
                                 "holds %zu", need, (size_t)result_len);
        return ABI_BUFFER_SIZE;
    }
    memcpy(result, json, need);
    abi_session_set_error(a, "%s", "");
    return ABI_OK;
}

/* Encode (out_dir) or metadata (layout_file; "" = hand the layout back): the job and its result. */
static int32_t run_encode(abi_session *a, const char *input, const char *out_dir,
                          const char *layout_file, uintptr_t block_size, char *result,
                          uintptr_t result_len)
{
    int32_t code = check_input(a, input);
    if (code != ABI_OK)
        return code;
    rq_layout layout;
    memset(&layout, 0, sizeof layout);
    char *layout_text = NULL;
    /* rq-library writes an encode into the working directory when output_dir is "". */
    rq_encode_request req = {.input = input,
                             .out_dir = out_dir ? (*out_dir ? out_dir : ".") : NULL,
                             .layout_path = layout_file && *layout_file ? layout_file : NULL,
                             .block_size = block_size,
                             .layout_json = layout_file && !*layout_file ? &layout_text : NULL,
                             .layout = &layout};
    rq_status st = rq_encode_run(a->session, &req, NULL);
    if (st != RQ_OK)
        return job_failed(a, st, 0);
    rq_session_settings cfg;
    rq_session_settings_get(a->session, &cfg);
    char *layout_path = out_dir ? join_path(out_dir, RQ_LAYOUT_FILE_NAME) : strdup(layout_file);
    char *json = layout_path ? abi_result_json(&layout, &cfg, out_dir ? out_dir : "", layout_path,
                                               layout_text)
                             : NULL;
    code = deliver(a, json, result, result_len);
    free(json);
    free(layout_path);
    free(layout_text);
    rq_layout_free(&layout);
    return code;
}

/* The checks and the job of encode (target = output_dir) and metadata (target = layout_file). */
static int32_t encode_call(uintptr_t id, const char *input_path, const char *target,
                           int metadata_only, uintptr_t block_size, char *result, uintptr_t result_len)
{
    const char *paths[] = {input_path, target};
    const char *names[] = {"input_path", metadata_only ? "layout_file" : "output_dir"};
    int32_t code = check_paths(id, paths, names, 2);
    if (code != ABI_OK)
        return code;
    if (!result)
        return bad_argument(id, "result_buffer", "NULL");
    abi_session *a = abi_session_acquire(id);
    if (!a)
        return ABI_BAD_SESSION;
    code = run_encode(a, input_path, metadata_only ? NULL : target, metadata_only ? target : NULL,
                      block_size, result, result_len);
    abi_session_release(a);
    return code;
}

int32_t raptorq_encode_file(uintptr_t session_id, const char *input_path, const char *output_dir,
                            uintptr_t block_size, char *result, uintptr_t result_len)
{
    return encode_call(session_id, input_path, output_dir, 0, block_size, result, result_len);
}

int32_t raptorq_create_metadata(uintptr_t session_id, const char *input_path,
                                const char *layout_file, uintptr_t block_size, char *result,
                                uintptr_t result_len)
{
    return encode_call(session_id, input_path, layout_file, 1, block_size, result, result_len);
}

/* rq-library's decode checks: the layout opens (-12) before symbols_dir is a directory (-13). */
static int32_t check_decode_paths(abi_session *a, const char *symbols_dir, const char *layout_path)
{
    int fd = open(layout_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        abi_session_set_error(a, "File is not found: Failed to open file \"%s\": %s", layout_path,
                              strerror(errno));
        return ABI_NOT_FOUND;
    }
    close(fd);
    struct stat sb;
    if (stat(symbols_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        abi_session_set_error(a, "Invalid path: Symbols directory does not exist: %s", symbols_dir);
        return ABI_BAD_PATH;
    }
    return ABI_OK;
}

int32_t raptorq_decode_symbols(uintptr_t session_id, const char *symbols_dir,
                               const char *output_path, const char *layout_path)
{
    const char *paths[] = {symbols_dir, output_path, layout_path};
    const char *names[] = {"symbols_dir", "output_path", "layout_path"};
    int32_t code = check_paths(session_id, paths, names, 3);
    if (code != ABI_OK)
        return code;
    abi_session *a = abi_session_acquire(session_id);
    if (!a)
        return ABI_BAD_SESSION;
    code = check_decode_paths(a, symbols_dir, layout_path);
    if (code == ABI_OK) {
        rq_file_result r;
        memset(&r, 0, sizeof r);
        rq_status st = rq_decode_symbols(a->session, symbols_dir, output_path, layout_path, &r);
        rq_file_result_free(&r);
        code = st == RQ_OK ? ABI_OK : job_failed(a, st, 1);
        if (code == ABI_OK)
            abi_session_set_error(a, "%s", "");
    }
    abi_session_release(a);
    return code;
}

int32_t raptorq_get_last_error(uintptr_t session_id, char *buf, uintptr_t len)
{
    if (!buf || len == 0)
        return -1;
    abi_session *a = abi_session_acquire(session_id);
    if (!a)
        return -1;
    abi_session_get_error(a, buf, len);
    abi_session_release(a);
    return 0;
}

uintptr_t raptorq_get_recommended_block_size(uintptr_t session_id, uint64_t file_size)
{
    abi_session *a = abi_session_acquire(session_id);
    if (!a)
        return 0;
    uint64_t chunk = 0;
    rq_status st = rq_recommended_block_size(a->session, file_size, &chunk);
    abi_session_release(a);
    /* A chunk as large as the file is rq-library's "one block": 0. */
    return st != RQ_OK || chunk >= file_size ? 0 : (uintptr_t)chunk;
}

int32_t raptorq_version(char *buf, uintptr_t len)
{
    const char *v = NULL;
    rq_version(&v);
    if (!buf || len == 0)
        return -1;
    int n = snprintf(buf, len, "librq %s (rq-library ABI " ABI_VERSION ")", v);
    if (n < 0 || (uintptr_t)n >= len) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}
