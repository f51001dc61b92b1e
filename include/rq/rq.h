/*
 * librq — RFC 6330 (RaptorQ) erasure coding.
 *
 * This is the whole public C API of the protocol-level codec. Every function
 * returns an rq_status; results come back through out-parameters. Objects
 * (encoders, decoders) own their memory and are released with their
 * *_destroy function. Nothing here prints, exits or aborts.
 *
 * Terms (RFC 6330): an object of F bytes is cut into Z source blocks; a
 * source block holds K source symbols of T bytes; each encoding symbol is
 * named by its ESI (0..K-1 are the source symbols, K.. are repair symbols);
 * a packet is a 4-byte payload ID (SBN, ESI) followed by the T symbol bytes.
 * The OTI (12 bytes) carries F, T, Z, N (sub-blocks) and Al (alignment).
 */
#ifndef RQ_RQ_H
#define RQ_RQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the exported functions; everything else in the shared library is hidden. */
#if defined(RQ_BUILDING_LIBRARY) && defined(__GNUC__)
#define RQ_API __attribute__((visibility("default")))
#else
#define RQ_API
#endif

#define RQ_VERSION_MAJOR 0
#define RQ_VERSION_MINOR 2
#define RQ_VERSION_PATCH 0

/* Limits of RFC 6330. */
#define RQ_MAX_SOURCE_SYMBOLS 56403u          /* K'max: most source symbols per block */
#define RQ_MAX_ESI 16777215u                  /* ESIs are 24 bits */
#define RQ_MAX_TRANSFER_LENGTH 946270874880ull /* largest F */
#define RQ_MAX_SOURCE_BLOCKS 255u             /* Z is 8 bits on the wire */
#define RQ_MAX_SYMBOL_SIZE 65535u             /* T is 16 bits on the wire */
#define RQ_OTI_SIZE 12u
#define RQ_PAYLOAD_ID_SIZE 4u

/*
 * Status codes. RQ_OK and the notices (> 0) are not failures; every
 * error (< 0) leaves the object it was called on exactly as it was.
 */
typedef enum rq_status {
    RQ_OK = 0,
    RQ_DUPLICATE = 1,        /* notice: that symbol was already held; nothing changed */
    RQ_ALREADY_DECODED = 2,  /* notice: the block is already decoded; symbol not needed */
    RQ_NOT_KEPT = 3,         /* notice: the decoder holds all it keeps (K + RQ_DECODER_MAX_EXTRA) */

    RQ_ERR_INVALID_ARGUMENT = -1, /* a required pointer is NULL or an argument is out of range */
    RQ_ERR_NO_MEMORY = -2,
    RQ_ERR_TRANSFER_LENGTH = -3,  /* F is 0 or above RQ_MAX_TRANSFER_LENGTH */
    RQ_ERR_OTI_RESERVED = -4,     /* the reserved OTI byte is not zero */
    RQ_ERR_OTI_LENGTH = -5,       /* an OTI is not exactly 12 bytes */
    RQ_ERR_SYMBOL_SIZE = -6,      /* T is 0 or above 65535 */
    RQ_ERR_ALIGNMENT = -7,        /* Al is 0, or T is not a multiple of Al */
    RQ_ERR_SOURCE_BLOCKS = -8,    /* Z is 0, above 255, or above the number of symbols */
    RQ_ERR_SUB_BLOCKS = -9,       /* N is 0 or above T/Al (a sub-block would be empty) */
    RQ_ERR_BLOCK_TOO_LARGE = -10, /* a source block would hold more than 56403 symbols */
    RQ_ERR_SYMBOL_COUNT = -11,    /* K is 0 or above 56403 */
    RQ_ERR_PACKET_SIZE = -12,     /* a packet is not 4 + T bytes */
    RQ_ERR_SYMBOL_LENGTH = -13,   /* symbol data is not T bytes */
    RQ_ERR_SBN = -14,             /* SBN is not below Z */
    RQ_ERR_ESI = -15,             /* ESI is not below 2^24 */
    RQ_ERR_BUFFER_SIZE = -16,     /* an output buffer has the wrong size */
    RQ_ERR_NEED_MORE_SYMBOLS = -17, /* the symbols held do not determine the block yet */
    RQ_ERR_NOT_DECODED = -18,     /* the data was asked for before decoding succeeded */
    RQ_ERR_PARAMETERS = -19,      /* no OTI satisfies the requested derivation inputs */
    RQ_ERR_BACKEND_UNAVAILABLE = -20, /* the requested kernel backend is not usable here */
    RQ_ERR_INTERNAL = -21,        /* a library invariant failed; please report */
    /* File level (rq_file.h) */
    RQ_ERR_CONFIG = -22,          /* a session setting is out of range */
    RQ_ERR_IO = -23,              /* reading or writing a file failed */
    RQ_ERR_EXISTS = -24,          /* an output exists and overwriting was not allowed */
    RQ_ERR_LAYOUT = -25,          /* the layout file is malformed or names an unsafe path */
    RQ_ERR_MEMORY_BUDGET = -26,   /* the job cannot run within the memory budget */
    RQ_ERR_CORRUPT = -27,         /* decoded data does not match the layout's hash */
    RQ_ERR_BUSY = -28,            /* the concurrency limit is reached */
    RQ_ERR_CANCELLED = -29,       /* the job was cancelled */
    RQ_ERR_UNDECODABLE = -30,     /* a k+m erasure pattern the survivors cannot rebuild */
    RQ_ERR_UNSUPPORTED = -31      /* a k+m scheme has no parity ESIs for this k and m */
} rq_status;

/* Human-readable description of a status ("ESI is not below 2^24"). */
RQ_API const char *rq_strerror(rq_status status);
/* The enumerator's name ("RQ_ERR_ESI"); "RQ_UNKNOWN" for values not listed. */
RQ_API const char *rq_status_name(rq_status status);

/* Library version as "MAJOR.MINOR.PATCH". */
RQ_API rq_status rq_version(const char **out);

/* ------------------------------------------------------------------------ */
/* Object Transmission Information (RFC 6330 §3.3)                          */
/* ------------------------------------------------------------------------ */

/* Fields are wider than on the wire so that out-of-range requests can be
 * reported instead of silently truncated. */
typedef struct rq_oti {
    uint64_t transfer_length; /* F, bytes of the object */
    uint32_t symbol_size;     /* T, bytes per symbol */
    uint32_t source_blocks;   /* Z */
    uint32_t sub_blocks;      /* N */
    uint32_t alignment;       /* Al */
} rq_oti;

/* How an OTI cuts its object (RFC 6330 §4.4.1.2). */
typedef struct rq_object_layout {
    uint64_t symbols;       /* Kt = ceil(F/T) */
    uint32_t large_blocks;  /* ZL: blocks 0..ZL-1 have KL symbols */
    uint32_t small_blocks;  /* ZS: the rest have KS symbols */
    uint32_t large_block_symbols; /* KL */
    uint32_t small_block_symbols; /* KS */
    uint32_t large_sub_blocks;    /* NL: sub-blocks 0..NL-1 have sub-symbols of TL*Al bytes */
    uint32_t small_sub_blocks;    /* NS: the rest TS*Al bytes */
    uint32_t large_sub_symbol_size; /* TL*Al, bytes */
    uint32_t small_sub_symbol_size; /* TS*Al, bytes */
} rq_object_layout;

/* One source block of an object. */
typedef struct rq_block_layout {
    uint32_t source_symbols; /* K */
    uint32_t padded_symbols; /* K', the Table 2 entry the block is coded with */
    uint64_t offset;         /* first byte of the block in the object */
    uint64_t length;         /* bytes of object data in the block (<= K*T; the rest is zero padding) */
} rq_block_layout;

/* Checks every field and their combination: the specific error names the first bad field. */
RQ_API rq_status rq_oti_validate(const rq_oti *oti);
/* Validates, then writes the 12-byte wire form. */
RQ_API rq_status rq_oti_serialize(const rq_oti *oti, uint8_t *out, size_t out_len);
/* Parses and validates a 12-byte wire form; *out is untouched on error. */
RQ_API rq_status rq_oti_parse(const uint8_t *in, size_t in_len, rq_oti *out);
/*
 * RFC 6330 §4.3 derivation. F: object bytes; max_payload: P', the largest
 * symbol the link carries; working_memory: WS, the largest sub-block (bytes)
 * a receiver can decode in memory; alignment: Al; min_sub_symbols: SS (sub-symbols
 * are at least SS*Al bytes).
 */
RQ_API rq_status rq_oti_derive(uint64_t transfer_length, uint32_t max_payload, uint64_t working_memory,
                        uint32_t alignment, uint32_t min_sub_symbols, rq_oti *out);
/* The common default rule: Al = SS = 8 when max_payload >= 64 (else 1), WS = 10 MiB. */
RQ_API rq_status rq_oti_with_defaults(uint64_t transfer_length, uint32_t max_payload, rq_oti *out);
RQ_API rq_status rq_oti_object_layout(const rq_oti *oti, rq_object_layout *out);
RQ_API rq_status rq_oti_block_layout(const rq_oti *oti, uint32_t sbn, rq_block_layout *out);

/* Per-block constants for K source symbols (RFC 6330 §5.3.3.3, Table 2). */
typedef struct rq_block_constants {
    uint32_t K, K_prime, J, S, H, W, L, P, U, B, P1;
} rq_block_constants;
RQ_API rq_status rq_block_constants_for(uint32_t source_symbols, rq_block_constants *out);

/* Payload ID: SBN (8 bits) then ESI (24 bits), big-endian. */
RQ_API rq_status rq_payload_id_write(uint32_t sbn, uint32_t esi, uint8_t *out, size_t out_len);
RQ_API rq_status rq_payload_id_read(const uint8_t *in, size_t in_len, uint32_t *sbn, uint32_t *esi);

/* ------------------------------------------------------------------------ */
/* Contexts: kernels, caches and parameters                                  */
/* ------------------------------------------------------------------------ */

/*
 * A context owns what coding needs besides the data: its kernel backend,
 * the caches that make repeated coding fast (solved encoding plans per K',
 * per-K' source-row tables, idle working-row buffers) and the budget those
 * caches stay within, and its tuning parameters. Encoders and decoders are
 * created in a context (the *_create_in functions) and use it until they
 * are destroyed; the plain *_create functions use the process's default
 * context. Contexts are independent: two threads can code at once in
 * contexts with different backends. A context is thread-safe; parameters
 * may be set at any time and apply to coders created afterwards (the
 * backend) or to the next call (the others).
 */
typedef struct rq_context rq_context;

/* Kernel backends, for RQ_PARAM_BACKEND. */
typedef enum rq_backend_id {
    RQ_BACKEND_AUTO = 0,   /* the best usable one (never CUDA: it pays for batches only) */
    RQ_BACKEND_SCALAR = 1, /* portable, always there */
    RQ_BACKEND_NEON = 2,
    RQ_BACKEND_AVX2 = 3,
    RQ_BACKEND_AVX512 = 4, /* AVX-512BW + GFNI */
    RQ_BACKEND_CUDA = 5,
    RQ_BACKEND_WASM_SIMD128 = 6 /* WebAssembly SIMD128: modules built with it (bindings/wasm) */
} rq_backend_id;

/* How block coders combine symbols, for RQ_PARAM_DENSE. */
typedef enum rq_dense_mode {
    RQ_DENSE_BY_COST = 0, /* whichever moves fewer bytes (the results are the same bytes) */
    RQ_DENSE_ALWAYS = 1,  /* dense combinations wherever possible */
    RQ_DENSE_NEVER = 2    /* always replay the plan */
} rq_dense_mode;

/* BLAKE3 implementations (symbol file names), for RQ_PARAM_BLAKE3; all hash alike. */
typedef enum rq_blake3_choice {
    RQ_BLAKE3_AUTO = 0,     /* the widest this CPU runs */
    RQ_BLAKE3_PORTABLE = 1, /* portable C */
    RQ_BLAKE3_AVX2 = 2,     /* 8 chunks at once */
    RQ_BLAKE3_AVX512 = 3    /* 16 chunks at once (AVX-512 F, BW, VL) */
} rq_blake3_choice;

/* What rq_context_set takes; every value is an int64_t. */
typedef enum rq_param {
    RQ_PARAM_BACKEND = 1,      /* an rq_backend_id; default RQ_BACKEND_AUTO */
    RQ_PARAM_CACHE_BYTES = 2,  /* bytes the caches may hold together; default 128 MiB, 0 = none */
    RQ_PARAM_STRIPE_BYTES = 3, /* working set a replay stripe aims at; default 1 MiB */
    RQ_PARAM_DENSE = 4,        /* an rq_dense_mode; default RQ_DENSE_BY_COST */
    RQ_PARAM_BLAKE3 = 5,       /* an rq_blake3_choice for the file jobs; default RQ_BLAKE3_AUTO */
    /*
     * Encoding puts blocks of at least this many bytes of source into its
     * working rows with stores that bypass the caches, and decoding blocks of
     * half that: worth it when the block would leave the last-level cache
     * before the solve reads it back. Decoding also narrows its replay
     * stripes until one stripe's working rows fit in this many bytes.
     * Default 0: from this machine's last-level cache (3/8 of it, counting
     * at most 128 MiB of it; 12 MiB when its size is unknown).
     */
    RQ_PARAM_STREAM_FILL_BYTES = 6
} rq_param;

/* A budget's state: its limit, what is held now, the most ever held. */
typedef struct rq_memory_usage {
    uint64_t limit;
    uint64_t charged;
    uint64_t peak;
} rq_memory_usage;

/* A new context with every parameter at its default (the best usable backend). */
RQ_API rq_status rq_context_create(rq_context **out);
/*
 * RQ_ERR_BUSY while encoders or decoders created in it still exist (destroy
 * them first), RQ_ERR_INVALID_ARGUMENT for the default context.
 */
RQ_API rq_status rq_context_destroy(rq_context *ctx);
/* The process's default context, which the plain *_create functions use. */
RQ_API rq_status rq_context_default(rq_context **out);
/*
 * Sets one parameter, checked now: an unknown parameter or a value outside
 * rq_param_bounds gives RQ_ERR_CONFIG, a backend (or BLAKE3
 * implementation) this machine cannot run RQ_ERR_BACKEND_UNAVAILABLE; either way the old value stays and
 * rq_context_last_error names the parameter. Lowering RQ_PARAM_CACHE_BYTES
 * lets go of unused cached entries until the caches fit.
 */
RQ_API rq_status rq_context_set(rq_context *ctx, rq_param param, int64_t value);
RQ_API rq_status rq_context_get(const rq_context *ctx, rq_param param, int64_t *value);
/* The range a parameter takes and its default; RQ_ERR_CONFIG for an unknown one. */
RQ_API rq_status rq_param_bounds(rq_param param, int64_t *min, int64_t *max, int64_t *def);
/* The parameter's name ("RQ_PARAM_BACKEND"); RQ_ERR_CONFIG for an unknown one. */
RQ_API rq_status rq_param_name(rq_param param, const char **name);
/*
 * Copies the message of the context's last failed call ("" if none failed)
 * into buf (always terminated when len > 0).
 */
RQ_API rq_status rq_context_last_error(const rq_context *ctx, char *buf, size_t len);
/*
 * Name of the backend the context codes with ("avx2"); RQ_ERR_BACKEND_UNAVAILABLE
 * when rq_context_from_env asked for one that cannot run here.
 */
RQ_API rq_status rq_context_backend(const rq_context *ctx, const char **name);
/*
 * Bytes the context's caches hold now (charged), the most they held (peak)
 * and the limit (RQ_PARAM_CACHE_BYTES). The caches never hold more than the
 * limit: when it is reached they let go of their least recently used unused
 * entries, and what still does not fit is used once and freed.
 */
RQ_API rq_status rq_context_memory(const rq_context *ctx, rq_memory_usage *out);
/*
 * Sets parameters from the environment, the variables the rq command reads:
 * RQ_BACKEND (a backend name or "auto"), RQ_CACHE_BYTES, RQ_STRIPE_BYTES,
 * RQ_STREAM_FILL_BYTES (integers), RQ_DENSE (cost, always or never) and RQ_BLAKE3 (auto,
 * portable, avx2 or avx512). The library never reads
 * the environment otherwise. A bad value is refused like rq_context_set's
 * (the message names the variable) and the rest still apply; a backend
 * that cannot run here also leaves the context unable to code (every coding
 * call in it fails with RQ_ERR_BACKEND_UNAVAILABLE) rather than quietly
 * coding with another. Returns RQ_ERR_BACKEND_UNAVAILABLE if the backend
 * failed, else the first failure; the message is the last failure's (the
 * backend's, if it failed).
 */
RQ_API rq_status rq_context_from_env(rq_context *ctx);

/* ------------------------------------------------------------------------ */
/* One source block                                                          */
/* ------------------------------------------------------------------------ */

typedef struct rq_encoder rq_encoder;

/*
 * Encoder for one source block: K symbols of T bytes, symbol-major
 * (source_len == K*T). The source bytes are consumed here; the encoder does
 * not keep a pointer to them.
 */
RQ_API rq_status rq_encoder_create_in(rq_context *ctx, rq_encoder **out, uint32_t source_symbols,
                                      size_t symbol_size, const uint8_t *source,
                                      size_t source_len);
/* rq_encoder_create_in in the default context. */
RQ_API rq_status rq_encoder_create(rq_encoder **out, uint32_t source_symbols, size_t symbol_size,
                            const uint8_t *source, size_t source_len);
/* Writes the encoding symbol with this ESI (0..2^24-1) into out (out_len == T). */
RQ_API rq_status rq_encoder_symbol(const rq_encoder *encoder, uint32_t esi, uint8_t *out, size_t out_len);
RQ_API rq_status rq_encoder_destroy(rq_encoder *encoder);

typedef struct rq_decoder rq_decoder;

RQ_API rq_status rq_decoder_create_in(rq_context *ctx, rq_decoder **out, uint32_t source_symbols,
                                      size_t symbol_size);
/* rq_decoder_create_in in the default context. */
RQ_API rq_status rq_decoder_create(rq_decoder **out, uint32_t source_symbols, size_t symbol_size);
/*
 * A block decoder keeps at most K + RQ_DECODER_MAX_EXTRA symbols (so that a
 * stream of distinct repair symbols cannot grow it without bound: K + 2
 * already fail to decode about once in 10^6) and allocates as they arrive.
 */
#define RQ_DECODER_MAX_EXTRA 1024u

/*
 * Hands the decoder one encoding symbol. RQ_OK: kept. RQ_DUPLICATE: that ESI
 * was already held. RQ_ALREADY_DECODED: not needed any more. RQ_NOT_KEPT:
 * it holds K + RQ_DECODER_MAX_EXTRA symbols already. Errors (RQ_ERR_ESI,
 * RQ_ERR_SYMBOL_LENGTH) change nothing.
 */
RQ_API rq_status rq_decoder_add_symbol(rq_decoder *decoder, uint32_t esi, const uint8_t *symbol,
                                size_t symbol_len);
/*
 * How many more symbols the decoder needs before rq_decoder_decode can
 * succeed: 0 means "try now". After a decode attempt failed because the
 * symbols held were dependent, this is at least 1.
 */
RQ_API rq_status rq_decoder_symbols_needed(const rq_decoder *decoder, uint32_t *needed);
/* Number of distinct symbols held. */
RQ_API rq_status rq_decoder_symbols_held(const rq_decoder *decoder, uint32_t *held);
/* Solves for the block. RQ_ERR_NEED_MORE_SYMBOLS when it cannot yet (state kept; add more and retry). */
RQ_API rq_status rq_decoder_decode(rq_decoder *decoder);
/* Copies the K*T source bytes of a decoded block into out. */
RQ_API rq_status rq_decoder_source(const rq_decoder *decoder, uint8_t *out, size_t out_len);
RQ_API rq_status rq_decoder_destroy(rq_decoder *decoder);

/* ------------------------------------------------------------------------ */
/* Whole objects: Z source blocks of N sub-blocks                            */
/* ------------------------------------------------------------------------ */

typedef struct rq_object_encoder rq_object_encoder;

/*
 * Encoder over an object held in memory (data_len == F). The data is read,
 * not copied: it must stay valid and unchanged until the encoder is destroyed.
 * One source block's intermediate symbols are kept at a time.
 */
RQ_API rq_status rq_object_encoder_create_in(rq_context *ctx, rq_object_encoder **out,
                                             const rq_oti *oti, const uint8_t *data,
                                             size_t data_len);
/* rq_object_encoder_create_in in the default context. */
RQ_API rq_status rq_object_encoder_create(rq_object_encoder **out, const rq_oti *oti,
                                   const uint8_t *data, size_t data_len);
/* Writes the packet (payload ID + T bytes; packet_len == 4 + T) of (sbn, esi). */
RQ_API rq_status rq_object_encoder_packet(rq_object_encoder *encoder, uint32_t sbn, uint32_t esi,
                                   uint8_t *packet, size_t packet_len);
RQ_API rq_status rq_object_encoder_destroy(rq_object_encoder *encoder);

typedef struct rq_object_decoder rq_object_decoder;

typedef struct rq_block_status {
    uint32_t source_symbols; /* K */
    uint32_t held;           /* distinct symbols received */
    uint32_t needed;         /* more symbols needed before a decode can succeed (0 when decoded) */
    int decoded;             /* 1 once the block is decoded */
} rq_block_status;

RQ_API rq_status rq_object_decoder_create_in(rq_context *ctx, rq_object_decoder **out,
                                             const rq_oti *oti);
/* rq_object_decoder_create_in in the default context. */
RQ_API rq_status rq_object_decoder_create(rq_object_decoder **out, const rq_oti *oti);
/*
 * Hands over one packet (4 + T bytes). A block is decoded as soon as it holds
 * enough symbols. Returns RQ_OK, a notice (RQ_DUPLICATE, RQ_ALREADY_DECODED),
 * or an error (RQ_ERR_PACKET_SIZE, RQ_ERR_SBN, RQ_ERR_ESI) that changes nothing.
 */
RQ_API rq_status rq_object_decoder_add_packet(rq_object_decoder *decoder, const uint8_t *packet,
                                       size_t packet_len);
RQ_API rq_status rq_object_decoder_block_status(const rq_object_decoder *decoder, uint32_t sbn,
                                         rq_block_status *out);
/* *complete = 1 when every block is decoded. */
RQ_API rq_status rq_object_decoder_complete(const rq_object_decoder *decoder, int *complete);
/* Copies the F object bytes (out_len == F) once complete. */
RQ_API rq_status rq_object_decoder_data(const rq_object_decoder *decoder, uint8_t *out, size_t out_len);
RQ_API rq_status rq_object_decoder_destroy(rq_object_decoder *decoder);

/* ------------------------------------------------------------------------ */
/* Kernel backends                                                           */
/* ------------------------------------------------------------------------ */

/*
 * The byte loops run on one of several backends: "scalar" (portable, always
 * there), "avx2", "avx512" (AVX-512BW + GFNI), "neon", "cuda". Each is
 * checked against the CPU and self-tested against scalar before any
 * context may use it. A context codes with the one RQ_PARAM_BACKEND names
 * (by default the best usable).
 */
typedef struct rq_backend_info {
    const char *name;
    int compiled;       /* built into this library */
    int usable;         /* compiled, supported by this CPU, passed its self-test */
    int active;         /* the one the default context codes with */
    const char *reason; /* why not usable; "" when usable */
} rq_backend_info;

RQ_API rq_status rq_backend_count(size_t *count);
/* Backend index (0..count-1) is its rq_backend_id minus 1. */
RQ_API rq_status rq_backend_describe(size_t index, rq_backend_info *out);
/* The rq_backend_id of a name ("avx2"; "auto" is RQ_BACKEND_AUTO); RQ_ERR_INVALID_ARGUMENT if none. */
RQ_API rq_status rq_backend_lookup(const char *name, rq_backend_id *out);
/* CPU features seen, space-separated (e.g. "ssse3 avx avx2 gfni"). */
RQ_API rq_status rq_cpu_features(const char **out);

#ifdef __cplusplus
}
#endif

#endif /* RQ_RQ_H */
