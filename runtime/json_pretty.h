/*
 * JSON text in the pretty form of Rust's serde_json (to_string_pretty):
 * two-space indent, "key": value, one array element per line, [] and {}
 * for empty containers, no newline at the end. rq-library writes its
 * layout file this way; writing the same bytes keeps a symbols directory
 * made by the drop-in identical to one the original made.
 */
#ifndef RQ_JSON_PRETTY_H
#define RQ_JSON_PRETTY_H

#include <cjson/cJSON.h>

/* The text of item (raw items are written verbatim), from malloc; NULL when
 * memory runs out. */
char *rq_json_print_serde_pretty(const cJSON *item);

#endif
