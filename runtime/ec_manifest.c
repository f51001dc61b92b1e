/* ec.json: reading and writing the k+m manifest (runtime/ec_manifest.h). */
#define _GNU_SOURCE
#include "runtime/ec_manifest.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/fs_util.h"
#include "runtime/temp_file.h"

rq_status rq_ec_manifest_init(rq_ec_manifest *mf, uint64_t file_size, uint32_t k, uint32_t m,
                              rq_ec_scheme scheme, uint64_t cell)
{
    memset(mf, 0, sizeof *mf);
    mf->file_size = file_size;
    mf->k = k;
    mf->m = m;
    mf->scheme = scheme;
    mf->cell = cell;
    uint64_t stripe = (uint64_t)k * cell;
    mf->stripes = file_size ? (file_size + stripe - 1) / stripe : 1;
    mf->parity_esis = calloc(m, sizeof *mf->parity_esis);
    mf->hashes = calloc((size_t)k + m, sizeof *mf->hashes);
    return mf->parity_esis && mf->hashes ? RQ_OK : RQ_ERR_NO_MEMORY;
}

void rq_ec_manifest_free(rq_ec_manifest *mf)
{
    free(mf->parity_esis);
    free(mf->hashes);
    mf->parity_esis = NULL;
    mf->hashes = NULL;
}

void rq_ec_unit_name(uint32_t unit, char out[32])
{
    snprintf(out, 32, "unit_%u", unit);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

rq_status rq_ec_manifest_write(const rq_ec_manifest *mf, const char *dir, int replace)
{
    const char *scheme = "";
    rq_ec_scheme_name(mf->scheme, &scheme);
    cJSON *root = cJSON_CreateObject(), *esis = cJSON_CreateArray(), *units = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "format", "librq-ec");
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddNumberToObject(root, "file_size", (double)mf->file_size);
    cJSON_AddNumberToObject(root, "k", mf->k);
    cJSON_AddNumberToObject(root, "m", mf->m);
    cJSON_AddStringToObject(root, "scheme", scheme);
    cJSON_AddNumberToObject(root, "cell", (double)mf->cell);
    cJSON_AddNumberToObject(root, "stripes", (double)mf->stripes);
    for (uint32_t j = 0; j < mf->m; j++)
        cJSON_AddItemToArray(esis, cJSON_CreateNumber(mf->parity_esis[j]));
    cJSON_AddItemToObject(root, "parity_esis", esis);
    for (uint32_t u = 0; u < mf->k + mf->m; u++) {
        char name[32], h[2 * RQ_EC_HASH_LEN + 1];
        rq_ec_unit_name(u, name);
        hex(mf->hashes[u], RQ_EC_HASH_LEN, h);
        cJSON *unit = cJSON_CreateObject();
        cJSON_AddNumberToObject(unit, "index", u);
        cJSON_AddStringToObject(unit, "name", name);
        cJSON_AddStringToObject(unit, "kind", u < mf->k ? "data" : "parity");
        cJSON_AddStringToObject(unit, "blake3", h);
        cJSON_AddItemToArray(units, unit);
    }
    cJSON_AddItemToObject(root, "units", units);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return RQ_ERR_NO_MEMORY;
    char path[RQ_PATH_CAP];
    int w = rq_path_join(path, sizeof path, dir, RQ_EC_MANIFEST_NAME) == 0
                ? rq_write_file_atomic2(path, text, strlen(text), "\n", 1, replace)
                : -1;
    free(text);
    return w == 0 ? RQ_OK : w == -2 ? RQ_ERR_EXISTS : RQ_ERR_IO;
}

static int number(const cJSON *root, const char *key, double max, uint64_t *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsNumber(item) || item->valuedouble < 0 || item->valuedouble > max ||
        item->valuedouble != (double)(uint64_t)item->valuedouble)
        return 0;
    *out = (uint64_t)item->valuedouble;
    return 1;
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
    if (!s || strlen(s) != 2 * n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (uint8_t)v;
    }
    return 1;
}

/* Fills mf from the parsed manifest; a message in why on failure. */
static rq_status from_json(rq_ec_manifest *mf, const cJSON *root, char *why, size_t why_len)
{
    uint64_t size, k, m, cell, stripes;
    const cJSON *scheme = cJSON_GetObjectItemCaseSensitive(root, "scheme");
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    rq_ec_scheme s;
    if (!cJSON_IsString(format) || strcmp(format->valuestring, "librq-ec") != 0) {
        snprintf(why, why_len, "not a librq k+m manifest (\"format\" is not \"librq-ec\")");
        return RQ_ERR_LAYOUT;
    }
    if (!number(root, "file_size", 9.007e15, &size) || !number(root, "k", RQ_MAX_SOURCE_SYMBOLS, &k) ||
        !number(root, "m", RQ_EC_MAX_UNITS, &m) || !number(root, "cell", 1ull << 40, &cell) ||
        !number(root, "stripes", 9.007e15, &stripes) || !cJSON_IsString(scheme) ||
        rq_ec_scheme_from_name(scheme->valuestring, &s) != RQ_OK || k < 1 || m < 1 ||
        k + m > RQ_EC_MAX_UNITS || cell < 1) {
        snprintf(why, why_len, "file_size, k, m, scheme, cell or stripes missing or out of range");
        return RQ_ERR_LAYOUT;
    }
    if (rq_ec_manifest_init(mf, size, (uint32_t)k, (uint32_t)m, s, cell) != RQ_OK)
        return RQ_ERR_NO_MEMORY;
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(root, "units");
    if (mf->stripes != stripes || !cJSON_IsArray(units) || cJSON_GetArraySize(units) != (int)(k + m)) {
        snprintf(why, why_len, "stripes or the unit list does not match file_size, k, m and cell");
        return RQ_ERR_LAYOUT;
    }
    const cJSON *esis = cJSON_GetObjectItemCaseSensitive(root, "parity_esis"), *esi;
    if (!cJSON_IsArray(esis) || cJSON_GetArraySize(esis) != (int)m) {
        snprintf(why, why_len, "\"parity_esis\" is not a list of m ESIs");
        return RQ_ERR_LAYOUT;
    }
    uint32_t j = 0;
    cJSON_ArrayForEach(esi, esis)
    {
        if (!cJSON_IsNumber(esi) || esi->valuedouble < 0 || esi->valuedouble > RQ_MAX_ESI) {
            snprintf(why, why_len, "parity ESI %u is not a number up to %u", j, RQ_MAX_ESI);
            return RQ_ERR_LAYOUT;
        }
        mf->parity_esis[j++] = (uint32_t)esi->valuedouble;
    }
    const cJSON *unit;
    uint32_t u = 0;
    cJSON_ArrayForEach(unit, units)
    {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(unit, "blake3");
        if (!cJSON_IsString(h) || !unhex(h->valuestring, mf->hashes[u], RQ_EC_HASH_LEN)) {
            snprintf(why, why_len, "unit %u has no valid \"blake3\" (64 hex digits)", u);
            return RQ_ERR_LAYOUT;
        }
        u++;
    }
    return RQ_OK;
}

rq_status rq_ec_manifest_read(rq_ec_manifest *mf, const char *dir, char *why, size_t why_len)
{
    char path[RQ_PATH_CAP], dummy[8];
    if (!why) {
        why = dummy;
        why_len = sizeof dummy;
    }
    memset(mf, 0, sizeof *mf);
    struct stat st;
    int fd = rq_path_join(path, sizeof path, dir, RQ_EC_MANIFEST_NAME) == 0
                 ? rq_open_regular(AT_FDCWD, path, 1, &st)
                 : -1;
    if (fd < 0) {
        snprintf(why, why_len, "cannot read %s/%s: %s", dir, RQ_EC_MANIFEST_NAME, strerror(errno));
        return RQ_ERR_IO;
    }
    if (st.st_size > RQ_EC_MANIFEST_MAX_BYTES) {
        close(fd);
        snprintf(why, why_len, "%s is larger than %u bytes", path, RQ_EC_MANIFEST_MAX_BYTES);
        return RQ_ERR_LAYOUT;
    }
    char *text = calloc((size_t)st.st_size + 1, 1);
    int ok = text && rq_pread_full(fd, text, (size_t)st.st_size, 0) == 0;
    close(fd);
    cJSON *root = ok ? cJSON_Parse(text) : NULL;
    free(text);
    if (!ok) {
        snprintf(why, why_len, "cannot read %s", path);
        return RQ_ERR_IO;
    }
    if (!root) {
        snprintf(why, why_len, "%s is not valid JSON", path);
        return RQ_ERR_LAYOUT;
    }
    char inner[256] = "";
    rq_status st2 = from_json(mf, root, inner, sizeof inner);
    cJSON_Delete(root);
    if (st2 != RQ_OK)
        snprintf(why, why_len, "%s: %s", path, inner);
    if (st2 != RQ_OK)
        rq_ec_manifest_free(mf);
    return st2;
}
