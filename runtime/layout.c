/*
 * The layout file, parsed into an rq_layout and written back. The parse is
 * the trust boundary of decoding: block directories and symbol IDs become
 * paths, so every name is checked before it leaves this file, and every
 * number is checked to be an exact integer before it becomes an offset.
 */
#define _GNU_SOURCE
#include "runtime/layout.h"

#include "runtime/base58.h"
#include "runtime/fs_util.h"
#include "runtime/json_pretty.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest integer a JSON number (an IEEE double) holds exactly and unambiguously. */
#define MAX_EXACT_INTEGER 9007199254740991.0
/* Longest block directory name, as most file systems allow (NAME_MAX). */
#define MAX_DIR_NAME 255u
/* "blocks[<index>]" fits WHERE_CAP, and that plus ".<field name>" PATH_CAP. */
#define WHERE_CAP 32u
#define PATH_CAP 64u

typedef struct parse_ctx {
    char *err;
    size_t err_len;
} parse_ctx;

/* Writes the message into err and returns RQ_ERR_LAYOUT. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static rq_status fail(parse_ctx *ctx, const char *fmt, ...)
{
    if (ctx->err != NULL && ctx->err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->err, ctx->err_len, fmt, ap);
        va_end(ap);
    }
    return RQ_ERR_LAYOUT;
}

/* "where.name", or "name" at the top level (where == ""). */
static void field_path(char *out, const char *where, const char *name)
{
    snprintf(out, PATH_CAP, "%s%s%s", where, where[0] != '\0' ? "." : "", name);
}

/* s for a message: quoted, escaped, shortened; text cut off by the NUL of a \u0000 is not shown. */
static void quote(const char *s, char *out, size_t cap)
{
    enum { SHOWN = 48 };
    size_t n = 0, i = 0;
    out[n++] = '"';
    for (; s[i] != '\0' && i < SHOWN && n + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    if (s[i] != '\0' && n + 4 < cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n++] = '"';
    out[n] = '\0';
}

/* What a JSON value is, for "expected X, found Y" messages. */
static void describe(const cJSON *item, char *out, size_t cap)
{
    if (cJSON_IsNumber(item))
        snprintf(out, cap, "%.17g", item->valuedouble);
    else if (cJSON_IsString(item))
        snprintf(out, cap, "a string");
    else if (cJSON_IsArray(item))
        snprintf(out, cap, "an array");
    else if (cJSON_IsObject(item))
        snprintf(out, cap, "an object");
    else if (cJSON_IsBool(item))
        snprintf(out, cap, "a boolean");
    else
        snprintf(out, cap, "null");
}

/*
 * The member of obj named name (case-sensitive), NULL when absent. A name
 * given twice is an error: readers that kept the other copy would see a
 * different layout.
 */
static rq_status member(parse_ctx *ctx, const cJSON *obj, const char *where, const char *name,
                        const cJSON **out)
{
    *out = NULL;
    for (const cJSON *item = obj->child; item != NULL; item = item->next) {
        if (item->string == NULL || strcmp(item->string, name) != 0)
            continue;
        if (*out != NULL)
            return fail(ctx, "%s: field \"%s\" appears twice", where[0] != '\0' ? where : "top level",
                        name);
        *out = item;
    }
    return RQ_OK;
}

/* NULL for a JSON null too: optional fields may be written as null. */
static rq_status optional_member(parse_ctx *ctx, const cJSON *obj, const char *where, const char *name,
                                 const cJSON **out)
{
    rq_status st = member(ctx, obj, where, name, out);
    if (st == RQ_OK && cJSON_IsNull(*out))
        *out = NULL;
    return st;
}

static rq_status required_member(parse_ctx *ctx, const cJSON *obj, const char *where, const char *name,
                                 const cJSON **out)
{
    rq_status st = optional_member(ctx, obj, where, name, out);
    if (st == RQ_OK && *out == NULL)
        return fail(ctx, "%s: missing field \"%s\"", where[0] != '\0' ? where : "top level", name);
    return st;
}

/* 1 iff item is a JSON number holding an integer in 0..max exactly. */
static int is_integer(const cJSON *item, double max)
{
    if (!cJSON_IsNumber(item))
        return 0;
    double d = item->valuedouble;
    return d >= 0 && d <= max && (double)(uint64_t)d == d;
}

static rq_status integer(parse_ctx *ctx, const cJSON *item, const char *path, uint64_t *out)
{
    if (!is_integer(item, MAX_EXACT_INTEGER)) {
        char found[40];
        describe(item, found, sizeof found);
        return fail(ctx, "%s: expected a non-negative integer, found %s", path, found);
    }
    *out = (uint64_t)item->valuedouble;
    return RQ_OK;
}

/* A name that is one safe directory entry: no separator, no "." or "..", nothing unprintable. */
static int is_safe_dir_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > MAX_DIR_NAME || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

static char *dup_string(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy != NULL)
        memcpy(copy, s, len);
    return copy;
}

/* An array of 12 numbers 0..255 that rq_oti_parse accepts. */
static rq_status parse_oti(parse_ctx *ctx, const cJSON *item, const char *path, rq_oti *out)
{
    uint8_t bytes[RQ_OTI_SIZE];
    size_t n = 0;
    int ok = cJSON_IsArray(item);
    for (const cJSON *e = ok ? item->child : NULL; e != NULL && ok; e = e->next, n++) {
        ok = n < RQ_OTI_SIZE && is_integer(e, 255.0);
        if (ok)
            bytes[n] = (uint8_t)e->valuedouble;
    }
    if (!ok || n != RQ_OTI_SIZE)
        return fail(ctx, "%s: expected an array of 12 numbers 0..255", path);
    rq_status st = rq_oti_parse(bytes, sizeof bytes, out);
    if (st != RQ_OK)
        return fail(ctx, "%s: invalid OTI: %s", path, rq_strerror(st));
    return RQ_OK;
}

static rq_status parse_hash(parse_ctx *ctx, const cJSON *item, const char *path, char *out, size_t cap)
{
    if (!cJSON_IsString(item))
        return fail(ctx, "%s: expected a string (base58 BLAKE3 hash)", path);
    if (!rq_symbol_id_is_valid(item->valuestring) || strlen(item->valuestring) >= cap) {
        char shown[128];
        quote(item->valuestring, shown, sizeof shown);
        return fail(ctx, "%s: %s is not base58 of 32 bytes", path, shown);
    }
    memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
    return RQ_OK;
}

static rq_status parse_source_symbols(parse_ctx *ctx, const cJSON *item, const char *path, uint32_t *out)
{
    uint64_t k = 0;
    rq_status st = integer(ctx, item, path, &k);
    if (st != RQ_OK)
        return st;
    if (k == 0 || k > RQ_MAX_SOURCE_SYMBOLS)
        return fail(ctx, "%s: %" PRIu64 " is not a source symbol count (1..%u)", path, k,
                    RQ_MAX_SOURCE_SYMBOLS);
    *out = (uint32_t)k;
    return RQ_OK;
}

typedef struct named {
    const char *name;
    size_t index;
} named;

static int compare_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Finds two equal names: *second is the lowest index that repeats an
 * earlier name, *first that earlier one. Returns 1 if found, 0 if all
 * differ, -1 out of memory.
 */
static int find_duplicate(char *const *names, size_t count, size_t stride, size_t *first, size_t *second)
{
    if (count < 2)
        return 0;
    named *sorted = malloc(count * sizeof *sorted);
    if (sorted == NULL)
        return -1;
    for (size_t i = 0; i < count; i++) {
        sorted[i].name = *(char *const *)((const char *)names + i * stride);
        sorted[i].index = i;
    }
    qsort(sorted, count, sizeof *sorted, compare_named);
    int found = 0;
    for (size_t i = 1; i < count; i++) {
        if (strcmp(sorted[i - 1].name, sorted[i].name) != 0)
            continue;
        /* In a run of equal names the first entry is the earliest occurrence. */
        size_t run = i - 1;
        while (run > 0 && strcmp(sorted[run - 1].name, sorted[i].name) == 0)
            run--;
        if (!found || sorted[i].index < *second) {
            *first = sorted[run].index;
            *second = sorted[i].index;
            found = 1;
        }
    }
    free(sorted);
    return found;
}

/* The symbol ID array at item (path "blocks[i].symbols" or "symbols") into block. */
static rq_status parse_symbols(parse_ctx *ctx, const cJSON *item, const char *path, rq_layout_block *block)
{
    if (!cJSON_IsArray(item))
        return fail(ctx, "%s: expected an array of symbol IDs", path);
    size_t count = 0;
    for (const cJSON *e = item->child; e != NULL; e = e->next)
        if (++count > RQ_LAYOUT_MAX_SYMBOLS)
            return fail(ctx, "%s: more than %u symbols", path, RQ_LAYOUT_MAX_SYMBOLS);
    block->symbols = calloc(count > 0 ? count : 1, sizeof *block->symbols);
    if (block->symbols == NULL)
        return RQ_ERR_NO_MEMORY;
    size_t i = 0;
    for (const cJSON *e = item->child; e != NULL; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            char found[40];
            describe(e, found, sizeof found);
            return fail(ctx, "%s[%zu]: expected a symbol ID string, found %s", path, i, found);
        }
        if (!rq_symbol_id_is_valid(e->valuestring)) {
            char shown[128];
            quote(e->valuestring, shown, sizeof shown);
            return fail(ctx, "%s[%zu]: %s is not a base58 32-byte symbol ID", path, i, shown);
        }
        block->symbols[i] = dup_string(e->valuestring);
        if (block->symbols[i] == NULL)
            return RQ_ERR_NO_MEMORY;
        block->n_symbols = i + 1;
    }
    size_t first = 0, second = 0;
    int dup = find_duplicate(block->symbols, count, sizeof(char *), &first, &second);
    if (dup < 0)
        return RQ_ERR_NO_MEMORY;
    if (dup > 0)
        return fail(ctx, "%s[%zu]: duplicate symbol ID \"%s\" (also %s[%zu])", path, second,
                    block->symbols[second], path, first);
    return RQ_OK;
}

/* block_id: a safe name used as the directory itself, or rq-library's number n for "block_n". */
static rq_status parse_block_id(parse_ctx *ctx, const cJSON *item, const char *path, rq_layout_block *block)
{
    char number[24];
    if (cJSON_IsString(item)) {
        if (!is_safe_dir_name(item->valuestring)) {
            char shown[128];
            quote(item->valuestring, shown, sizeof shown);
            return fail(ctx, "%s: %s is not a safe directory name (one path component, not \".\" or \"..\")",
                        path, shown);
        }
        block->block_id = dup_string(item->valuestring);
        block->dir = dup_string(item->valuestring);
    } else if (cJSON_IsNumber(item)) {
        uint64_t n = 0;
        rq_status st = integer(ctx, item, path, &n);
        if (st != RQ_OK)
            return st;
        snprintf(number, sizeof number, "%" PRIu64, n);
        block->block_id = dup_string(number);
        char dir[32];
        snprintf(dir, sizeof dir, "block_%" PRIu64, n);
        block->dir = dup_string(dir);
    } else {
        return fail(ctx, "%s: expected a string or a non-negative integer", path);
    }
    return block->block_id != NULL && block->dir != NULL ? RQ_OK : RQ_ERR_NO_MEMORY;
}

/* The OTI of a block: its own encoder_parameters, else the top-level ones (top == NULL: none). */
static rq_status parse_block_oti(parse_ctx *ctx, const cJSON *obj, const char *where, const rq_oti *top,
                                 rq_layout_block *block)
{
    char path[PATH_CAP];
    const cJSON *item = NULL;
    rq_status st = optional_member(ctx, obj, where, "encoder_parameters", &item);
    if (st != RQ_OK)
        return st;
    field_path(path, where, "encoder_parameters");
    if (item != NULL) {
        st = parse_oti(ctx, item, path, &block->oti);
        if (st != RQ_OK)
            return st;
        if (block->oti.transfer_length != block->size)
            return fail(ctx, "%s: transfer length %" PRIu64 " does not match size %" PRIu64, path,
                        block->oti.transfer_length, block->size);
        return RQ_OK;
    }
    if (top == NULL)
        return fail(ctx, "%s: missing, and there are no top-level encoder_parameters", path);
    block->oti = *top;
    if (top->transfer_length != block->size) {
        field_path(path, where, "size");
        return fail(ctx, "%s: %" PRIu64 " does not match the transfer length %" PRIu64
                         " of the top-level encoder_parameters",
                    path, block->size, top->transfer_length);
    }
    return RQ_OK;
}

/* blocks[index]; offset is where it must start. */
static rq_status parse_block(parse_ctx *ctx, const cJSON *obj, size_t index, uint64_t offset,
                             const rq_oti *top, rq_layout_block *block)
{
    char where[WHERE_CAP], path[PATH_CAP];
    snprintf(where, sizeof where, "blocks[%zu]", index);
    if (!cJSON_IsObject(obj))
        return fail(ctx, "%s: expected an object", where);
    const cJSON *id, *off, *size, *hash, *k, *symbols;
    rq_status st;
    if ((st = required_member(ctx, obj, where, "block_id", &id)) != RQ_OK ||
        (st = required_member(ctx, obj, where, "original_offset", &off)) != RQ_OK ||
        (st = required_member(ctx, obj, where, "size", &size)) != RQ_OK ||
        (st = optional_member(ctx, obj, where, "hash", &hash)) != RQ_OK ||
        (st = optional_member(ctx, obj, where, "source_symbols", &k)) != RQ_OK ||
        (st = required_member(ctx, obj, where, "symbols", &symbols)) != RQ_OK)
        return st;

    field_path(path, where, "block_id");
    if ((st = parse_block_id(ctx, id, path, block)) != RQ_OK)
        return st;
    field_path(path, where, "original_offset");
    if ((st = integer(ctx, off, path, &block->original_offset)) != RQ_OK)
        return st;
    if (block->original_offset != offset)
        return fail(ctx, "%s: expected %" PRIu64 ", found %" PRIu64, path, offset, block->original_offset);
    field_path(path, where, "size");
    if ((st = integer(ctx, size, path, &block->size)) != RQ_OK)
        return st;
    if (block->size == 0)
        return fail(ctx, "%s: must be greater than 0", path);
    if ((st = parse_block_oti(ctx, obj, where, top, block)) != RQ_OK)
        return st;
    field_path(path, where, "hash");
    if (hash != NULL && (st = parse_hash(ctx, hash, path, block->hash, sizeof block->hash)) != RQ_OK)
        return st;
    field_path(path, where, "source_symbols");
    if (k != NULL && (st = parse_source_symbols(ctx, k, path, &block->source_symbols)) != RQ_OK)
        return st;
    field_path(path, where, "symbols");
    return parse_symbols(ctx, symbols, path, block);
}

static rq_status parse_blocks(parse_ctx *ctx, const cJSON *array, const rq_oti *top, rq_layout *layout)
{
    size_t count = 0;
    for (const cJSON *e = array->child; e != NULL; e = e->next)
        if (++count > RQ_LAYOUT_MAX_BLOCKS)
            return fail(ctx, "blocks: more than %u blocks", RQ_LAYOUT_MAX_BLOCKS);
    layout->chunked = 1;
    layout->blocks = calloc(count > 0 ? count : 1, sizeof *layout->blocks);
    if (layout->blocks == NULL)
        return RQ_ERR_NO_MEMORY;
    /* No overflow: each size equals an F of at most 2^40, and there are at most 10^6 blocks. */
    uint64_t offset = 0;
    size_t i = 0;
    for (const cJSON *e = array->child; e != NULL; e = e->next, i++) {
        layout->n_blocks = i + 1;
        rq_status st = parse_block(ctx, e, i, offset, top, &layout->blocks[i]);
        if (st != RQ_OK)
            return st;
        offset += layout->blocks[i].size;
    }
    layout->file_size = offset;
    size_t first = 0, second = 0;
    int dup = find_duplicate(&layout->blocks[0].dir, count, sizeof(rq_layout_block), &first, &second);
    if (dup < 0)
        return RQ_ERR_NO_MEMORY;
    if (dup > 0)
        return fail(ctx, "blocks[%zu].block_id: directory \"%s\" is also that of blocks[%zu]", second,
                    layout->blocks[second].dir, first);
    return RQ_OK;
}

/* The unchunked form: one block of F bytes whose symbols lie in the symbols directory itself. */
static rq_status parse_single(parse_ctx *ctx, const cJSON *root, const cJSON *symbols, const rq_oti *top,
                              rq_layout *layout)
{
    if (top == NULL)
        return fail(ctx, "encoder_parameters: required with \"symbols\"");
    const cJSON *hash, *k;
    rq_status st;
    if ((st = optional_member(ctx, root, "", "hash", &hash)) != RQ_OK ||
        (st = optional_member(ctx, root, "", "source_symbols", &k)) != RQ_OK)
        return st;
    layout->chunked = 0;
    layout->blocks = calloc(1, sizeof *layout->blocks);
    if (layout->blocks == NULL)
        return RQ_ERR_NO_MEMORY;
    layout->n_blocks = 1;
    rq_layout_block *block = &layout->blocks[0];
    block->block_id = dup_string("");
    block->dir = dup_string("");
    if (block->block_id == NULL || block->dir == NULL)
        return RQ_ERR_NO_MEMORY;
    block->original_offset = 0;
    block->size = top->transfer_length;
    block->oti = *top;
    layout->file_size = block->size;
    if (hash != NULL && (st = parse_hash(ctx, hash, "hash", block->hash, sizeof block->hash)) != RQ_OK)
        return st;
    if (k != NULL && (st = parse_source_symbols(ctx, k, "source_symbols", &block->source_symbols)) != RQ_OK)
        return st;
    return parse_symbols(ctx, symbols, "symbols", block);
}

static rq_status parse_root(parse_ctx *ctx, const cJSON *root, rq_layout *layout)
{
    if (!cJSON_IsObject(root))
        return fail(ctx, "top level: expected a JSON object");
    const cJSON *params, *file_size, *blocks, *symbols;
    rq_status st;
    if ((st = optional_member(ctx, root, "", "encoder_parameters", &params)) != RQ_OK ||
        (st = optional_member(ctx, root, "", "file_size", &file_size)) != RQ_OK ||
        (st = optional_member(ctx, root, "", "blocks", &blocks)) != RQ_OK ||
        (st = optional_member(ctx, root, "", "symbols", &symbols)) != RQ_OK)
        return st;
    if (blocks != NULL && !cJSON_IsArray(blocks))
        return fail(ctx, "blocks: expected an array or null");
    if (symbols != NULL && !cJSON_IsArray(symbols))
        return fail(ctx, "symbols: expected an array or null");
    if (blocks == NULL && symbols == NULL)
        return fail(ctx, "missing field \"blocks\" or \"symbols\" (one must be an array)");
    if (blocks != NULL && symbols != NULL)
        return fail(ctx, "\"blocks\" and \"symbols\" are both arrays; one must be null or absent");

    rq_oti top;
    if (params != NULL && (st = parse_oti(ctx, params, "encoder_parameters", &top)) != RQ_OK)
        return st;
    uint64_t declared = 0;
    if (file_size != NULL && (st = integer(ctx, file_size, "file_size", &declared)) != RQ_OK)
        return st;

    st = blocks != NULL ? parse_blocks(ctx, blocks, params != NULL ? &top : NULL, layout)
                        : parse_single(ctx, root, symbols, params != NULL ? &top : NULL, layout);
    if (st != RQ_OK)
        return st;
    if (file_size != NULL && declared != layout->file_size)
        return fail(ctx, "file_size: expected %" PRIu64 " (%s), found %" PRIu64, layout->file_size,
                    blocks != NULL ? "the sum of block sizes" : "the transfer length of encoder_parameters",
                    declared);
    return RQ_OK;
}

/* "not JSON" with the line and column where cJSON stopped. */
static rq_status fail_syntax(parse_ctx *ctx, const char *text, size_t len, size_t at, const char *what)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < len; i++) {
        if (text[i] == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    return fail(ctx, "not JSON: %s at line %zu, column %zu (byte %zu)", what, line, column, at);
}

/*
 * Where a string of the text holds "\u0000", else len: cJSON would end the
 * string there, so "block_0\u0000x" would read as "block_0".
 */
static size_t escaped_nul(const char *text, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in_string) {
            in_string = text[i] == '"';
        } else if (text[i] == '"') {
            in_string = 0;
        } else if (text[i] == '\\') {
            if (len - i >= 6 && text[i + 1] == 'u' && memcmp(text + i + 2, "0000", 4) == 0)
                return i;
            i++;
        }
    }
    return len;
}

rq_status rq_layout_parse(const char *text, size_t len, rq_layout *out, char *err, size_t err_len)
{
    parse_ctx ctx = {err, err_len};
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (out == NULL || (text == NULL && len > 0))
        return RQ_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return fail(&ctx, "not JSON: the text is empty");

    size_t nul_at = escaped_nul(text, len);
    if (nul_at < len)
        return fail_syntax(&ctx, text, len, nul_at, "a string holds a NUL character (\\u0000)");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    size_t at = end != NULL ? (size_t)(end - text) : 0;
    if (root == NULL)
        return fail_syntax(&ctx, text, len, at, "syntax error");
    while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r'))
        at++;
    if (at < len) {
        cJSON_Delete(root);
        return fail_syntax(&ctx, text, len, at, "unexpected data after the value");
    }

    rq_layout layout;
    memset(&layout, 0, sizeof layout);
    rq_status st = parse_root(&ctx, root, &layout);
    cJSON_Delete(root);
    if (st != RQ_OK) {
        if (st == RQ_ERR_NO_MEMORY && err != NULL && err_len > 0)
            snprintf(err, err_len, "out of memory while reading the layout");
        rq_layout_free(&layout);
        return st;
    }
    *out = layout;
    return RQ_OK;
}

rq_status rq_layout_load(int fd, char **text_out, size_t *len_out, char *err, size_t err_len)
{
    parse_ctx ctx = {err, err_len};
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (text_out == NULL || len_out == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    *text_out = NULL;
    *len_out = 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fail(&ctx, "cannot read: %s", strerror(errno));
        return RQ_ERR_IO;
    }
    if ((uint64_t)st.st_size > RQ_LAYOUT_MAX_FILE_BYTES)
        return fail(&ctx, "too large (%llu MiB; at most %u MiB)",
                    (unsigned long long)((uint64_t)st.st_size >> 20), RQ_LAYOUT_MAX_FILE_BYTES >> 20);
    /* The size read may differ from st_size (the file may change): read to the end, bounded. */
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *text = malloc(cap);
    if (text == NULL) {
        fail(&ctx, "out of memory while reading it");
        return RQ_ERR_NO_MEMORY;
    }
    for (;;) {
        ssize_t got = rq_pread_upto(fd, text + len, cap - len, len);
        if (got < 0) {
            fail(&ctx, "read failed: %s", strerror(errno));
            free(text);
            return RQ_ERR_IO;
        }
        len += (size_t)got;
        if (len < cap)
            break;
        if (cap > RQ_LAYOUT_MAX_FILE_BYTES) {
            free(text);
            return fail(&ctx, "too large (more than %u MiB)", RQ_LAYOUT_MAX_FILE_BYTES >> 20);
        }
        size_t grown = cap * 2 > RQ_LAYOUT_MAX_FILE_BYTES + 1u ? RQ_LAYOUT_MAX_FILE_BYTES + 1u : cap * 2;
        char *bigger = realloc(text, grown);
        if (bigger == NULL) {
            free(text);
            fail(&ctx, "out of memory while reading it");
            return RQ_ERR_NO_MEMORY;
        }
        text = bigger;
        cap = grown;
    }
    *text_out = text;
    *len_out = len;
    return RQ_OK;
}

/* What one heap block of n bytes costs with the allocator's header and rounding. */
static uint64_t heap_block(uint64_t n)
{
    return (n + 16u + 15u) & ~(uint64_t)15u;
}

uint64_t rq_layout_parse_cost(const char *text, size_t len)
{
    /* Every value is one cJSON node and is started by '[', '{', ',' or the
     * text's start; every string is its own heap block in the tree and, for
     * a symbol ID, once more in the model (with its pointer). */
    uint64_t values = 1, strings = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
            strings++;
        } else if (c == ',' || c == '[' || c == '{') {
            values++;
        }
    }
    return values * heap_block(sizeof(cJSON)) + strings * (2 * heap_block(0) + sizeof(char *)) +
           2 * (uint64_t)len;
}

uint64_t rq_layout_model_bytes(const rq_layout *layout)
{
    uint64_t bytes = heap_block(layout->n_blocks * sizeof *layout->blocks);
    for (size_t b = 0; b < layout->n_blocks; b++) {
        const rq_layout_block *block = &layout->blocks[b];
        bytes += heap_block(block->n_symbols * sizeof *block->symbols) +
                 heap_block(strlen(block->block_id) + 1) + heap_block(strlen(block->dir) + 1);
        for (size_t i = 0; i < block->n_symbols; i++)
            bytes += heap_block(strlen(block->symbols[i]) + 1);
    }
    return bytes;
}

rq_status rq_layout_read(const char *path, rq_layout *out, char *err, size_t err_len)
{
    parse_ctx ctx = {err, err_len};
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (path == NULL || out == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    int fd = rq_open_regular(AT_FDCWD, path, 1, NULL);
    if (fd < 0) {
        fail(&ctx, "cannot open: %s", errno == EINVAL ? "not a regular file" : strerror(errno));
        return RQ_ERR_IO;
    }
    char *text = NULL;
    size_t len = 0;
    rq_status st = rq_layout_load(fd, &text, &len, err, err_len);
    close(fd);
    if (st == RQ_OK)
        st = rq_layout_parse(text, len, out, err, err_len);
    free(text);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */
/* ------------------------------------------------------------------------ */

/* Integers go out as raw text: cJSON would print large ones in exponent form. */
static cJSON *u64_item(uint64_t value)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, value);
    return cJSON_CreateRaw(text);
}

/* Adds item (NULL: its creation failed) to obj; returns 0 on failure, item then freed. */
static int add(cJSON *obj, const char *name, cJSON *item)
{
    if (item != NULL && cJSON_AddItemToObject(obj, name, item))
        return 1;
    cJSON_Delete(item);
    return 0;
}

/* The 12 OTI bytes as numbers; the OTI was validated before. */
static cJSON *oti_item(const rq_oti *oti)
{
    uint8_t bytes[RQ_OTI_SIZE];
    if (rq_oti_serialize(oti, bytes, sizeof bytes) != RQ_OK)
        return NULL;
    int numbers[RQ_OTI_SIZE];
    for (size_t i = 0; i < RQ_OTI_SIZE; i++)
        numbers[i] = bytes[i];
    return cJSON_CreateIntArray(numbers, (int)RQ_OTI_SIZE);
}

static cJSON *symbols_item(const rq_layout_block *block)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array != NULL && i < block->n_symbols; i++) {
        cJSON *id = cJSON_CreateString(block->symbols[i]);
        if (id == NULL || !cJSON_AddItemToArray(array, id)) {
            cJSON_Delete(id);
            cJSON_Delete(array);
            array = NULL;
        }
    }
    return array;
}

/* hash and source_symbols, each only when the model has it. */
static int add_block_facts(cJSON *obj, const rq_layout_block *block)
{
    return (block->hash[0] == '\0' || add(obj, "hash", cJSON_CreateString(block->hash))) &&
           (block->source_symbols == 0 || add(obj, "source_symbols", u64_item(block->source_symbols)));
}

/*
 * rq-library's numeric block_id n reads as block_id "n", dir "block_n"; it
 * is written back as the number so that the directory survives the round trip.
 */
static cJSON *block_id_item(const rq_layout_block *block)
{
    const char *id = block->block_id;
    size_t len = strlen(id);
    int numeric = len > 0 && len <= 15 && strspn(id, "0123456789") == len && (id[0] != '0' || len == 1) &&
                  strncmp(block->dir, "block_", 6) == 0 && strcmp(block->dir + 6, id) == 0;
    return numeric ? u64_item(strtoull(id, NULL, 10)) : cJSON_CreateString(id);
}

static cJSON *block_item(const rq_layout_block *block)
{
    cJSON *obj = cJSON_CreateObject();
    int ok = obj != NULL && add(obj, "block_id", block_id_item(block)) &&
             add(obj, "original_offset", u64_item(block->original_offset)) &&
             add(obj, "size", u64_item(block->size)) && add(obj, "encoder_parameters", oti_item(&block->oti)) &&
             add_block_facts(obj, block) && add(obj, "symbols", symbols_item(block));
    if (!ok) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

static int add_chunked(cJSON *root, const rq_layout *layout)
{
    cJSON *blocks = cJSON_CreateArray();
    if (!add(root, "blocks", blocks) || !add(root, "symbols", cJSON_CreateNull()))
        return 0;
    for (size_t i = 0; i < layout->n_blocks; i++) {
        cJSON *block = block_item(&layout->blocks[i]);
        if (block == NULL || !cJSON_AddItemToArray(blocks, block)) {
            cJSON_Delete(block);
            return 0;
        }
    }
    return 1;
}

static int add_single(cJSON *root, const rq_layout *layout)
{
    const rq_layout_block *block = &layout->blocks[0];
    return add_block_facts(root, block) && add(root, "blocks", cJSON_CreateNull()) &&
           add(root, "symbols", symbols_item(block));
}

/* A model to_json can write: the pointers it follows are there and every OTI is valid. */
static rq_status check_model(const rq_layout *layout)
{
    if ((layout->n_blocks > 0 && layout->blocks == NULL) || (!layout->chunked && layout->n_blocks != 1))
        return RQ_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < layout->n_blocks; i++) {
        const rq_layout_block *b = &layout->blocks[i];
        if (b->block_id == NULL || b->dir == NULL || (b->n_symbols > 0 && b->symbols == NULL))
            return RQ_ERR_INVALID_ARGUMENT;
        for (size_t j = 0; j < b->n_symbols; j++)
            if (b->symbols[j] == NULL)
                return RQ_ERR_INVALID_ARGUMENT;
        rq_status st = rq_oti_validate(&b->oti);
        if (st != RQ_OK)
            return st;
    }
    return RQ_OK;
}

rq_status rq_layout_to_json(const rq_layout *layout, char **json)
{
    if (layout == NULL || json == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    *json = NULL;
    rq_status st = check_model(layout);
    if (st != RQ_OK)
        return st;
    cJSON *root = cJSON_CreateObject();
    cJSON *params = layout->n_blocks > 0 ? oti_item(&layout->blocks[0].oti) : cJSON_CreateNull();
    int ok = root != NULL && add(root, "encoder_parameters", params) &&
             add(root, "file_size", u64_item(layout->file_size)) &&
             (layout->chunked ? add_chunked(root, layout) : add_single(root, layout));
    if (root == NULL)
        cJSON_Delete(params);
    if (ok)
        *json = cJSON_Print(root);
    cJSON_Delete(root);
    return *json != NULL ? RQ_OK : RQ_ERR_NO_MEMORY;
}

/*
 * rq-library's fields, in its order: block_id (a number, checked before)
 * first, hash last, and only when the model has one ("" is no hash).
 */
static cJSON *rq_library_block_item(const rq_layout_block *block)
{
    cJSON *obj = cJSON_CreateObject();
    int ok = obj != NULL && add(obj, "block_id", block_id_item(block)) &&
             add(obj, "encoder_parameters", oti_item(&block->oti)) &&
             add(obj, "original_offset", u64_item(block->original_offset)) &&
             add(obj, "size", u64_item(block->size)) && add(obj, "symbols", symbols_item(block)) &&
             (block->hash[0] == '\0' || add(obj, "hash", cJSON_CreateString(block->hash)));
    if (!ok) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

rq_status rq_layout_to_json_rq_library(const rq_layout *layout, char **json)
{
    if (layout == NULL || json == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    *json = NULL;
    rq_status st = check_model(layout);
    if (st != RQ_OK)
        return st;
    for (size_t i = 0; i < layout->n_blocks; i++) {
        cJSON *id = block_id_item(&layout->blocks[i]); /* a number is written raw */
        int numeric = id != NULL && cJSON_IsRaw(id);
        cJSON_Delete(id);
        if (!numeric)
            return RQ_ERR_INVALID_ARGUMENT;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON *blocks = cJSON_CreateArray();
    int ok = root != NULL && add(root, "blocks", blocks);
    if (root == NULL)
        cJSON_Delete(blocks);
    for (size_t i = 0; ok && i < layout->n_blocks; i++) {
        cJSON *block = rq_library_block_item(&layout->blocks[i]);
        ok = block != NULL && cJSON_AddItemToArray(blocks, block);
        if (!ok)
            cJSON_Delete(block);
    }
    if (ok)
        *json = rq_json_print_serde_pretty(root);
    cJSON_Delete(root);
    return *json != NULL ? RQ_OK : RQ_ERR_NO_MEMORY;
}

void rq_layout_free(rq_layout *layout)
{
    if (layout == NULL)
        return;
    for (size_t i = 0; layout->blocks != NULL && i < layout->n_blocks; i++) {
        rq_layout_block *block = &layout->blocks[i];
        for (size_t j = 0; block->symbols != NULL && j < block->n_symbols; j++)
            free(block->symbols[j]);
        free(block->symbols);
        free(block->block_id);
        free(block->dir);
    }
    free(layout->blocks);
    memset(layout, 0, sizeof *layout);
}
