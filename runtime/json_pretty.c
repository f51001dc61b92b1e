#include "runtime/json_pretty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text_buffer {
    char *data;
    size_t len, cap;
    int failed;
} text_buffer;

static void put(text_buffer *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void put_str(text_buffer *b, const char *s) { put(b, s, strlen(s)); }

static void put_indent(text_buffer *b, int depth)
{
    put(b, "\n", 1);
    for (int i = 0; i < depth; i++)
        put(b, "  ", 2);
}

/* serde_json's escapes: the two-character ones it has, \u00xx for the
 * other control characters, every other byte as it is. */
static void put_string(text_buffer *b, const char *s)
{
    put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        char hex[8];
        if (esc == NULL && *p < 0x20) {
            snprintf(hex, sizeof hex, "\\u%04x", *p);
            esc = hex;
        }
        if (esc != NULL)
            put_str(b, esc);
        else
            put(b, (const char *)p, 1);
    }
    put(b, "\"", 1);
}

static void put_number(text_buffer *b, double v)
{
    char num[32];
    /* Whole numbers as integers, as serde_json writes its integers; the
     * range check first, since casting a larger double is undefined. */
    if (v > -9.2e18 && v < 9.2e18 && v == (double)(long long)v)
        snprintf(num, sizeof num, "%lld", (long long)v);
    else
        snprintf(num, sizeof num, "%.17g", v);
    put_str(b, num);
}

static void put_item(text_buffer *b, const cJSON *item, int depth);

static void put_container(text_buffer *b, const cJSON *item, int depth, int is_object)
{
    put(b, is_object ? "{" : "[", 1);
    const cJSON *child = item->child;
    for (const cJSON *c = child; c != NULL; c = c->next) {
        put_indent(b, depth + 1);
        if (is_object) {
            put_string(b, c->string ? c->string : "");
            put(b, ": ", 2);
        }
        put_item(b, c, depth + 1);
        if (c->next != NULL)
            put(b, ",", 1);
    }
    if (child != NULL)
        put_indent(b, depth);
    put(b, is_object ? "}" : "]", 1);
}

static void put_item(text_buffer *b, const cJSON *item, int depth)
{
    if (cJSON_IsObject(item) || cJSON_IsArray(item))
        put_container(b, item, depth, cJSON_IsObject(item));
    else if (cJSON_IsString(item))
        put_string(b, item->valuestring);
    else if (cJSON_IsRaw(item))
        put_str(b, item->valuestring);
    else if (cJSON_IsNumber(item))
        put_number(b, item->valuedouble);
    else if (cJSON_IsBool(item))
        put_str(b, cJSON_IsTrue(item) ? "true" : "false");
    else
        put_str(b, "null");
}

char *rq_json_print_serde_pretty(const cJSON *item)
{
    text_buffer b = {0};
    put_item(&b, item, 0);
    if (b.failed || b.data == NULL) {
        free(b.data);
        return NULL;
    }
    return b.data;
}
