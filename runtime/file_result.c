/* The result object of a file job, as counts and as JSON text. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/file_jobs.h"

static cJSON *oti_array(const rq_oti *oti)
{
    uint8_t bytes[RQ_OTI_SIZE];
    cJSON *arr = cJSON_CreateArray();
    if (arr && rq_oti_serialize(oti, bytes, sizeof bytes) == RQ_OK)
        for (size_t i = 0; i < sizeof bytes; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber(bytes[i]));
    return arr;
}

rq_status rq_job_result_with_reports(const rq_layout *layout, const char *kind,
                                     const char *symbols_dir, const char *layout_path,
                                     double seconds, const rq_chunk_report *reports,
                                     rq_file_result *result)
{
    memset(result, 0, sizeof *result);
    result->file_size = layout->file_size;
    result->blocks = (uint32_t)layout->n_blocks;
    result->seconds = seconds;
    cJSON *root = cJSON_CreateObject();
    cJSON *blocks = cJSON_CreateArray();
    if (!root || !blocks) {
        cJSON_Delete(root);
        cJSON_Delete(blocks);
        return RQ_ERR_NO_MEMORY;
    }
    cJSON_AddStringToObject(root, "operation", kind);
    int repair = strcmp(kind, "repair") == 0;
    cJSON_AddNumberToObject(root, "file_size", (double)layout->file_size);
    int decodable_all = 1;
    for (size_t i = 0; i < layout->n_blocks; i++) {
        const rq_layout_block *b = &layout->blocks[i];
        rq_object_layout ol;
        uint64_t source = 0;
        if (rq_oti_object_layout(&b->oti, &ol) == RQ_OK)
            source = ol.symbols;
        result->source_symbols += source;
        result->repair_symbols += b->n_symbols > source ? b->n_symbols - source : 0;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "block_id", b->block_id);
        cJSON_AddItemToObject(o, "encoder_parameters", oti_array(&b->oti));
        cJSON_AddNumberToObject(o, "original_offset", (double)b->original_offset);
        cJSON_AddNumberToObject(o, "size", (double)b->size);
        cJSON_AddNumberToObject(o, "symbols_count", (double)b->n_symbols);
        cJSON_AddNumberToObject(o, "source_symbols_count", (double)source);
        if (b->hash[0])
            cJSON_AddStringToObject(o, "hash", b->hash);
        if (reports) {
            const rq_chunk_report *r = &reports[i];
            result->symbols_good += r->good;
            result->symbols_corrupt += r->corrupt;
            result->symbols_missing += r->missing;
            cJSON_AddNumberToObject(o, "symbols_good", (double)r->good);
            cJSON_AddNumberToObject(o, "symbols_corrupt", (double)r->corrupt);
            cJSON_AddNumberToObject(o, "symbols_missing", (double)r->missing);
            if (repair) {
                result->symbols_rewritten += r->rewritten;
                cJSON_AddNumberToObject(o, "symbols_rewritten", (double)r->rewritten);
            }
            cJSON_AddBoolToObject(o, "decodable", r->decodable);
            if (!r->decodable)
                cJSON_AddNumberToObject(o, "symbols_needed", r->needed);
            decodable_all &= r->decodable;
        }
        cJSON_AddItemToArray(blocks, o);
    }
    cJSON_AddNumberToObject(root, "total_symbols_count",
                            (double)(result->source_symbols + result->repair_symbols));
    cJSON_AddNumberToObject(root, "total_source_symbols", (double)result->source_symbols);
    cJSON_AddNumberToObject(root, "total_repair_symbols", (double)result->repair_symbols);
    if (reports) {
        cJSON_AddNumberToObject(root, "symbols_good", (double)result->symbols_good);
        cJSON_AddNumberToObject(root, "symbols_corrupt", (double)result->symbols_corrupt);
        cJSON_AddNumberToObject(root, "symbols_missing", (double)result->symbols_missing);
        if (repair)
            cJSON_AddNumberToObject(root, "symbols_rewritten", (double)result->symbols_rewritten);
        cJSON_AddBoolToObject(root, "decodable", decodable_all);
    }
    if (symbols_dir)
        cJSON_AddStringToObject(root, "symbols_directory", symbols_dir);
    if (layout_path)
        cJSON_AddStringToObject(root, "layout_file_path", layout_path);
    cJSON_AddNumberToObject(root, "seconds", seconds);
    cJSON_AddItemToObject(root, "blocks", blocks);
    result->json = cJSON_Print(root);
    cJSON_Delete(root);
    return result->json ? RQ_OK : RQ_ERR_NO_MEMORY;
}

rq_status rq_job_result(const rq_layout *layout, const char *kind, const char *symbols_dir,
                        const char *layout_path, double seconds, rq_file_result *result)
{
    return rq_job_result_with_reports(layout, kind, symbols_dir, layout_path, seconds, NULL,
                                      result);
}

rq_status rq_file_result_free(rq_file_result *result)
{
    if (result) {
        free(result->json);
        result->json = NULL;
    }
    return RQ_OK;
}
