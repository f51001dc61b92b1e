/* Names and descriptions of rq_status values. */
#include "rq/rq.h"

typedef struct status_text {
    rq_status status;
    const char *name;
    const char *text;
} status_text;

static const status_text STATUS_TEXTS[] = {
    {RQ_OK, "RQ_OK", "success"},
    {RQ_DUPLICATE, "RQ_DUPLICATE", "symbol already held; nothing changed"},
    {RQ_ALREADY_DECODED, "RQ_ALREADY_DECODED", "block already decoded; symbol not needed"},
    {RQ_NOT_KEPT, "RQ_NOT_KEPT", "decoder already holds K + 1024 symbols; symbol not kept"},
    {RQ_ERR_INVALID_ARGUMENT, "RQ_ERR_INVALID_ARGUMENT", "invalid argument (NULL pointer or value out of range)"},
    {RQ_ERR_NO_MEMORY, "RQ_ERR_NO_MEMORY", "out of memory"},
    {RQ_ERR_TRANSFER_LENGTH, "RQ_ERR_TRANSFER_LENGTH", "transfer length F is 0 or above 946270874880"},
    {RQ_ERR_OTI_RESERVED, "RQ_ERR_OTI_RESERVED", "reserved OTI byte is not zero"},
    {RQ_ERR_OTI_LENGTH, "RQ_ERR_OTI_LENGTH", "OTI is not exactly 12 bytes"},
    {RQ_ERR_SYMBOL_SIZE, "RQ_ERR_SYMBOL_SIZE", "symbol size T is 0 or above 65535"},
    {RQ_ERR_ALIGNMENT, "RQ_ERR_ALIGNMENT", "alignment Al is 0 or does not divide symbol size T"},
    {RQ_ERR_SOURCE_BLOCKS, "RQ_ERR_SOURCE_BLOCKS", "source block count Z is 0, above 255, or above the number of symbols"},
    {RQ_ERR_SUB_BLOCKS, "RQ_ERR_SUB_BLOCKS", "sub-block count N is 0 or above T/Al"},
    {RQ_ERR_BLOCK_TOO_LARGE, "RQ_ERR_BLOCK_TOO_LARGE", "a source block would hold more than 56403 symbols"},
    {RQ_ERR_SYMBOL_COUNT, "RQ_ERR_SYMBOL_COUNT", "source symbol count K is 0 or above 56403"},
    {RQ_ERR_PACKET_SIZE, "RQ_ERR_PACKET_SIZE", "packet is not 4 + T bytes"},
    {RQ_ERR_SYMBOL_LENGTH, "RQ_ERR_SYMBOL_LENGTH", "symbol data is not T bytes"},
    {RQ_ERR_SBN, "RQ_ERR_SBN", "source block number is not below Z"},
    {RQ_ERR_ESI, "RQ_ERR_ESI", "encoding symbol ID is not below 2^24"},
    {RQ_ERR_BUFFER_SIZE, "RQ_ERR_BUFFER_SIZE", "output buffer has the wrong size"},
    {RQ_ERR_NEED_MORE_SYMBOLS, "RQ_ERR_NEED_MORE_SYMBOLS", "not enough independent symbols to decode yet"},
    {RQ_ERR_NOT_DECODED, "RQ_ERR_NOT_DECODED", "data requested before decoding succeeded"},
    {RQ_ERR_PARAMETERS, "RQ_ERR_PARAMETERS", "no OTI satisfies the requested parameters"},
    {RQ_ERR_BACKEND_UNAVAILABLE, "RQ_ERR_BACKEND_UNAVAILABLE", "requested kernel backend is not available"},
    {RQ_ERR_INTERNAL, "RQ_ERR_INTERNAL", "internal error (library invariant failed)"},
    {RQ_ERR_CONFIG, "RQ_ERR_CONFIG", "a session setting is out of range"},
    {RQ_ERR_IO, "RQ_ERR_IO", "reading or writing a file failed"},
    {RQ_ERR_EXISTS, "RQ_ERR_EXISTS", "output exists and overwriting was not allowed"},
    {RQ_ERR_LAYOUT, "RQ_ERR_LAYOUT", "layout file is malformed or names an unsafe path"},
    {RQ_ERR_MEMORY_BUDGET, "RQ_ERR_MEMORY_BUDGET", "the job cannot run within the memory budget"},
    {RQ_ERR_CORRUPT, "RQ_ERR_CORRUPT", "decoded data does not match the layout's hash"},
    {RQ_ERR_BUSY, "RQ_ERR_BUSY", "the concurrency limit is reached"},
    {RQ_ERR_CANCELLED, "RQ_ERR_CANCELLED", "the job was cancelled"},
    {RQ_ERR_UNDECODABLE, "RQ_ERR_UNDECODABLE", "the surviving units cannot rebuild the erased ones"},
    {RQ_ERR_UNSUPPORTED, "RQ_ERR_UNSUPPORTED", "the erasure-coding scheme does not cover this k and m"},
};

static const status_text *find_status(rq_status status)
{
    for (size_t i = 0; i < sizeof STATUS_TEXTS / sizeof STATUS_TEXTS[0]; i++)
        if (STATUS_TEXTS[i].status == status)
            return &STATUS_TEXTS[i];
    return NULL;
}

const char *rq_strerror(rq_status status)
{
    const status_text *t = find_status(status);
    return t ? t->text : "unknown status";
}

const char *rq_status_name(rq_status status)
{
    const status_text *t = find_status(status);
    return t ? t->name : "RQ_UNKNOWN";
}

rq_status rq_version(const char **out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
#define RQ_STR2(x) #x
#define RQ_STR(x) RQ_STR2(x)
    *out = RQ_STR(RQ_VERSION_MAJOR) "." RQ_STR(RQ_VERSION_MINOR) "." RQ_STR(RQ_VERSION_PATCH);
    return RQ_OK;
}
