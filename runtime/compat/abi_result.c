/* rq-library's result JSON (see abi_result.h). */
#include "runtime/compat/abi_result.h"

#include <cjson/cJSON.h>

#include "runtime/chunk_policy.h"

static int add(cJSON *obj, const char *name, cJSON *item)
{
    if (item && cJSON_AddItemToObject(obj, name, item))
        return 1;
    cJSON_Delete(item);
    return 0;
}

static cJSON *oti_array(const rq_oti *oti)
{
    uint8_t bytes[RQ_OTI_SIZE];
    int numbers[RQ_OTI_SIZE];
    if (rq_oti_serialize(oti, bytes, sizeof bytes) != RQ_OK)
        return NULL;
    for (size_t i = 0; i < RQ_OTI_SIZE; i++)
        numbers[i] = bytes[i];
    return cJSON_CreateIntArray(numbers, (int)RQ_OTI_SIZE);
}

static cJSON *block_info(const rq_layout_block *b, size_t index, uint64_t repairs)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o && add(o, "block_id", cJSON_CreateNumber((double)index)) &&
             add(o, "encoder_parameters", oti_array(&b->oti)) &&
             add(o, "original_offset", cJSON_CreateNumber((double)b->original_offset)) &&
             add(o, "size", cJSON_CreateNumber((double)b->size)) &&
             add(o, "symbols_count", cJSON_CreateNumber((double)b->n_symbols)) &&
             add(o, "source_symbols_count", cJSON_CreateNumber((double)(b->n_symbols - repairs))) &&
             add(o, "hash", cJSON_CreateString(b->hash));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

char *abi_result_json(const rq_layout *layout, const rq_session_settings *cfg,
                      const char *symbols_directory, const char *layout_file_path,
                      const char *layout_content)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *blocks = cJSON_CreateArray();
    uint64_t symbols = 0, repairs = 0;
    int ok = root && blocks;
    for (size_t i = 0; ok && i < layout->n_blocks; i++) {
        const rq_layout_block *b = &layout->blocks[i];
        uint64_t r = rq_chunk_repair_count(cfg, b->size, b->oti.symbol_size);
        cJSON *info = block_info(b, i, r);
        ok = info && cJSON_AddItemToArray(blocks, info);
        if (!ok)
            cJSON_Delete(info);
        symbols += b->n_symbols;
        repairs += r;
    }
    ok = ok && add(root, "total_symbols_count", cJSON_CreateNumber((double)symbols)) &&
         add(root, "total_repair_symbols", cJSON_CreateNumber((double)repairs)) &&
         add(root, "symbols_directory", cJSON_CreateString(symbols_directory));
    if (ok && (ok = cJSON_AddItemToObject(root, "blocks", blocks)) != 0)
        blocks = NULL; /* root owns it now */
    ok = ok && add(root, "layout_file_path", cJSON_CreateString(layout_file_path)) &&
         (!layout_content || add(root, "layout_content", cJSON_CreateString(layout_content)));
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(blocks);
    cJSON_Delete(root);
    return text;
}
