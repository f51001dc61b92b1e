/* The per-chunk table verify and repair print: one row per block of the result JSON. */
#ifndef RQ_CLI_CLI_BLOCK_TABLE_H
#define RQ_CLI_CLI_BLOCK_TABLE_H

#include <cjson/cJSON.h>

/* A number field of object, 0 when absent. */
double cli_json_number(const cJSON *object, const char *key);

/* Prints one row of block: name is its block_id, "(file)" for an unchunked layout's only one. */
typedef void (*cli_block_row_fn)(const char *name, const cJSON *block);

/* Prints header, then row() for each element of the result's "blocks". */
void cli_print_block_table(const char *json, const char *header, cli_block_row_fn row);

#endif
