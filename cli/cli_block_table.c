#include "cli/cli_block_table.h"

#include <stdio.h>

double cli_json_number(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsNumber(item) ? item->valuedouble : 0.0;
}

void cli_print_block_table(const char *json, const char *header, cli_block_row_fn row)
{
    cJSON *root = cJSON_Parse(json);
    const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(root, "blocks");
    const cJSON *block;
    fputs(header, stdout);
    cJSON_ArrayForEach(block, blocks)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(block, "block_id");
        const char *name = cJSON_IsString(id) ? id->valuestring : "?";
        row(name[0] ? name : "(file)", block);
    }
    cJSON_Delete(root);
}
