/*
 * `rq demo`: one self-checking round trip through the whole codec, so that a
 * fresh checkout can show in one command that encoding and decoding work on
 * this machine, and how fast: make an object, encode source and repair
 * packets, lose some, decode the rest in shuffled order, compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_args.h"
#include "cli/commands.h"

const char cmd_demo_help[] =
    "Usage: rq demo [--size BYTES] [--symbol-size T] [--loss PERCENT] [--seed N]\n"
    "               [--backend NAME]\n"
    "\n"
    "Runs a complete round trip in memory and checks it:\n"
    "  1. makes an object of BYTES pseudo-random bytes (splitmix64 from seed N,\n"
    "     the generator of the RFC 6330 conformance data in tests/data);\n"
    "  2. derives the OTI as `rq oti --size BYTES --symbol-size T` does;\n"
    "  3. encodes every source packet of every block plus enough repair\n"
    "     packets to make up for the loss, with a margin of 5% + 2 per block;\n"
    "  4. drops PERCENT of all packets, chosen at random, and shuffles the rest;\n"
    "  5. decodes the remaining packets and compares the result with the object.\n"
    "It prints the OTI, packet counts and encode and decode speeds, then OK or\n"
    "FAIL. The same seed gives the same object, losses and order.\n"
    "\n"
    "Options:\n"
    "  --size BYTES       object size (default 10000000, at most 4294967296)\n"
    "  --symbol-size T    largest symbol size P' for the OTI (default 1280)\n"
    "  --loss PERCENT     share of packets lost, 0..90 (default 10)\n"
    "  --seed N           seed of the data and of the losses (default 1)\n"
    "  --backend NAME     kernel backend: scalar, avx2, avx512, neon or auto\n"
    "                     (default: RQ_BACKEND if set, else auto; see rq info)\n"
    "  -h, --help         show this text\n"
    "\n"
    "Speeds are in MB/s of object data (1 MB = 10^6 bytes), single thread,\n"
    "including encoder and decoder setup.\n"
    "\n"
    "Examples:\n"
    "  rq demo\n"
    "  rq demo --size 100000000 --symbol-size 65535 --loss 30\n"
    "  rq demo --backend scalar\n"
    "\n"
    "Exit codes: 0 the object came back intact, 1 it came back different,\n"
    "2 bad usage, 3 bad values, 4 the decoder could not rebuild it.\n";

enum { OPT_SIZE, OPT_SYMBOL_SIZE, OPT_LOSS, OPT_SEED, OPT_BACKEND, OPT_HELP };

static const cli_option options[] = {
    [OPT_SIZE] = {"--size", NULL, 1}, [OPT_SYMBOL_SIZE] = {"--symbol-size", NULL, 1},
    [OPT_LOSS] = {"--loss", NULL, 1}, [OPT_SEED] = {"--seed", NULL, 1},
    [OPT_BACKEND] = {"--backend", NULL, 1}, [OPT_HELP] = {"--help", "-h", 0},
};

#define MAX_DEMO_SIZE 4294967296ull /* the demo holds about 3.5 copies in memory */
#define MAX_LOSS_PERCENT 90u

typedef struct demo_args {
    uint64_t size;
    uint32_t symbol_size;
    uint32_t loss;
    uint64_t seed;
    const char *backend; /* NULL: the library's choice */
} demo_args;

static int parse_args(int argc, char **argv, demo_args *args)
{
    cli_parser parser;
    cli_parser_init(&parser, "demo", argc, argv);
    *args = (demo_args){10000000, 1280, 10, 1, NULL};
    for (;;) {
        const char *value;
        int rc = CLI_EXIT_OK;
        int opt = cli_next_option(&parser, options, sizeof options / sizeof options[0], &value);
        switch (opt) {
        case CLI_OPT_END: return CLI_EXIT_OK;
        case CLI_OPT_BAD: return CLI_EXIT_USAGE;
        case CLI_OPT_POSITIONAL: return cli_usage_error("demo", "unexpected argument '%s'", value);
        case OPT_HELP: fputs(cmd_demo_help, stdout); return -1;
        case OPT_SIZE: rc = cli_parse_u64("--size", value, MAX_DEMO_SIZE, &args->size); break;
        case OPT_SYMBOL_SIZE:
            rc = cli_parse_u32("--symbol-size", value, UINT32_MAX, &args->symbol_size);
            break;
        case OPT_LOSS: rc = cli_parse_u32("--loss", value, MAX_LOSS_PERCENT, &args->loss); break;
        case OPT_SEED: rc = cli_parse_u64("--seed", value, UINT64_MAX, &args->seed); break;
        case OPT_BACKEND: args->backend = value; break;
        default: return CLI_EXIT_INTERNAL;
        }
        if (rc != CLI_EXIT_OK)
            return rc;
    }
}

/* splitmix64: the generator of the conformance data (tests/data/README.md). */
static uint64_t splitmix64(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15ull;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Each output as 8 bytes, least significant first; the tail is cut to size. */
static void fill_splitmix(uint8_t *data, size_t size, uint64_t seed)
{
    uint64_t state = seed;
    for (size_t i = 0; i < size; i += 8) {
        uint64_t z = splitmix64(&state);
        for (size_t b = 0; b < 8 && i + b < size; b++)
            data[i + b] = (uint8_t)(z >> (8 * b));
    }
}

/* Encoding symbols sent for a block of k: enough to cover the loss, plus margin. */
static uint32_t repair_count(uint32_t k, uint32_t loss)
{
    uint64_t cover = ((uint64_t)k * loss + (100 - loss) - 1) / (100 - loss);
    uint64_t margin = ((uint64_t)k * 5 + 99) / 100 + 2;
    return (uint32_t)(cover + margin);
}

typedef struct demo_run {
    rq_oti oti;
    uint8_t *object;
    uint8_t *packets; /* count packets of packet_len bytes, block by block */
    size_t packet_len;
    uint32_t count;
    uint32_t source;  /* of which source packets */
    uint32_t *order;  /* packet indices; the first `lost` are dropped */
    uint32_t lost;
    double encode_seconds;
    double decode_seconds;
} demo_run;

static int fail_status(rq_status st, const char *what)
{
    cli_error("%s: %s", what, rq_strerror(st));
    return cli_exit_for_status(st);
}

/* Counts the packets to send, so that one buffer can hold them all. */
static int plan_packets(demo_run *run, uint32_t loss)
{
    uint64_t count = 0;
    run->source = 0;
    for (uint32_t sbn = 0; sbn < run->oti.source_blocks; sbn++) {
        rq_block_layout block;
        rq_status st = rq_oti_block_layout(&run->oti, sbn, &block);
        if (st != RQ_OK)
            return fail_status(st, "block layout");
        count += block.source_symbols + (uint64_t)repair_count(block.source_symbols, loss);
        run->source += block.source_symbols;
    }
    run->packet_len = RQ_PAYLOAD_ID_SIZE + (size_t)run->oti.symbol_size;
    if (count > UINT32_MAX || count > SIZE_MAX / run->packet_len) {
        cli_error("too many packets for one demo run; use a smaller --size");
        return CLI_EXIT_INPUT;
    }
    run->count = (uint32_t)count;
    run->packets = malloc((size_t)count * run->packet_len);
    run->order = malloc((size_t)count * sizeof *run->order);
    if (run->packets == NULL || run->order == NULL) {
        cli_error("out of memory for %llu packets", (unsigned long long)count);
        return CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_OK;
}

static int encode(demo_run *run, uint32_t loss)
{
    double start = cli_now();
    rq_object_encoder *encoder = NULL;
    rq_status st = rq_object_encoder_create(&encoder, &run->oti, run->object,
                                            (size_t)run->oti.transfer_length);
    if (st != RQ_OK)
        return fail_status(st, "creating the encoder");
    uint8_t *out = run->packets;
    for (uint32_t sbn = 0; sbn < run->oti.source_blocks && st == RQ_OK; sbn++) {
        rq_block_layout block;
        st = rq_oti_block_layout(&run->oti, sbn, &block);
        uint32_t total = block.source_symbols + repair_count(block.source_symbols, loss);
        for (uint32_t esi = 0; esi < total && st == RQ_OK; esi++) {
            st = rq_object_encoder_packet(encoder, sbn, esi, out, run->packet_len);
            out += run->packet_len;
        }
    }
    rq_object_encoder_destroy(encoder);
    run->encode_seconds = cli_now() - start;
    return st == RQ_OK ? CLI_EXIT_OK : fail_status(st, "encoding");
}

/* Fisher-Yates with its own splitmix64 stream, so the losses do not depend on the data. */
static void lose_and_shuffle(demo_run *run, uint32_t loss, uint64_t seed)
{
    uint64_t state = seed ^ 0x6A09E667F3BCC908ull;
    for (uint32_t i = 0; i < run->count; i++)
        run->order[i] = i;
    for (uint32_t i = run->count; i > 1; i--) {
        /* Modulo bias is below 2^-32 for these counts: irrelevant to a demo. */
        uint32_t j = (uint32_t)(splitmix64(&state) % i);
        uint32_t t = run->order[i - 1];
        run->order[i - 1] = run->order[j];
        run->order[j] = t;
    }
    run->lost = (uint32_t)(((uint64_t)run->count * loss + 50) / 100);
}

static void print_missing(const rq_object_decoder *decoder, const rq_oti *oti)
{
    for (uint32_t sbn = 0; sbn < oti->source_blocks; sbn++) {
        rq_block_status status;
        if (rq_object_decoder_block_status(decoder, sbn, &status) == RQ_OK && !status.decoded)
            printf("  block %u: has %u of %u symbols, needs at least %u more\n", sbn, status.held,
                   status.source_symbols, status.needed > 0 ? status.needed : 1);
    }
}

/* Decodes the surviving packets into `result` (F bytes). */
static int decode(demo_run *run, uint8_t *result)
{
    double start = cli_now();
    rq_object_decoder *decoder = NULL;
    rq_status st = rq_object_decoder_create(&decoder, &run->oti);
    if (st != RQ_OK)
        return fail_status(st, "creating the decoder");
    for (uint32_t i = run->lost; i < run->count && st >= RQ_OK; i++) {
        const uint8_t *packet = run->packets + (size_t)run->order[i] * run->packet_len;
        st = rq_object_decoder_add_packet(decoder, packet, run->packet_len);
    }
    int complete = 0;
    if (st >= RQ_OK)
        st = rq_object_decoder_complete(decoder, &complete);
    if (st == RQ_OK && complete)
        st = rq_object_decoder_data(decoder, result, (size_t)run->oti.transfer_length);
    run->decode_seconds = cli_now() - start;

    int rc = CLI_EXIT_OK;
    if (st < RQ_OK) {
        rc = fail_status(st, "decoding");
    } else if (!complete) {
        printf("result    FAIL: not enough packets survived\n");
        print_missing(decoder, &run->oti);
        rc = CLI_EXIT_NEED_MORE;
    }
    rq_object_decoder_destroy(decoder);
    return rc;
}

static double megabytes_per_second(uint64_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes / seconds / 1e6 : 0.0;
}

static void print_setup(const demo_run *run, const demo_args *args)
{
    uint8_t wire[RQ_OTI_SIZE];
    char hex[2 * RQ_OTI_SIZE + 1] = "?";
    if (rq_oti_serialize(&run->oti, wire, sizeof wire) == RQ_OK)
        cli_format_hex(wire, sizeof wire, hex);
    rq_block_layout first, last;
    rq_oti_block_layout(&run->oti, 0, &first);
    rq_oti_block_layout(&run->oti, run->oti.source_blocks - 1, &last);

    printf("object    %llu bytes of splitmix64 data, seed %llu\n", (unsigned long long)args->size,
           (unsigned long long)args->seed);
    printf("oti       %s (T=%u Z=%u N=%u Al=%u)\n", hex, run->oti.symbol_size,
           run->oti.source_blocks, run->oti.sub_blocks, run->oti.alignment);
    if (first.source_symbols == last.source_symbols)
        printf("blocks    %u of K=%u symbols\n", run->oti.source_blocks, first.source_symbols);
    else
        printf("blocks    %u of K=%u..%u symbols\n", run->oti.source_blocks, last.source_symbols,
               first.source_symbols);
    printf("packets   sent %u (%u source + %u repair), lost %u (%u%%), received %u\n", run->count,
           run->source, run->count - run->source, run->lost, args->loss, run->count - run->lost);
}

static int run_demo(demo_run *run, const demo_args *args)
{
    rq_status st = rq_oti_with_defaults(args->size, args->symbol_size, &run->oti);
    if (st != RQ_OK) {
        cli_error("no valid OTI for --size %llu --symbol-size %u: %s",
                  (unsigned long long)args->size, args->symbol_size, rq_strerror(st));
        return st == RQ_ERR_INVALID_ARGUMENT ? CLI_EXIT_INPUT : cli_exit_for_status(st);
    }
    size_t size = (size_t)args->size;
    run->object = malloc(size);
    uint8_t *result = malloc(size);
    if (run->object == NULL || result == NULL) {
        free(result);
        cli_error("out of memory for a %zu-byte object", size);
        return CLI_EXIT_INTERNAL;
    }
    int rc = plan_packets(run, args->loss);
    if (rc == CLI_EXIT_OK) {
        fill_splitmix(run->object, size, args->seed);
        rc = encode(run, args->loss);
    }
    if (rc == CLI_EXIT_OK) {
        lose_and_shuffle(run, args->loss, args->seed);
        print_setup(run, args);
        rc = decode(run, result);
    }
    if (rc == CLI_EXIT_OK) {
        printf("encode    %.3f s, %.1f MB/s\n", run->encode_seconds,
               megabytes_per_second(args->size, run->encode_seconds));
        printf("decode    %.3f s, %.1f MB/s\n", run->decode_seconds,
               megabytes_per_second(args->size, run->decode_seconds));
        if (memcmp(result, run->object, size) == 0) {
            printf("result    OK: the decoded object matches the original\n");
        } else {
            printf("result    FAIL: the decoded object differs from the original\n");
            rc = CLI_EXIT_INTERNAL;
        }
    }
    free(result);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    demo_args args;
    int rc = parse_args(argc, argv, &args);
    if (rc != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (args.size == 0) {
        cli_error("--size must be at least 1");
        return CLI_EXIT_INPUT;
    }
    rq_context *ctx = NULL;
    rq_backend_id id;
    rq_context_default(&ctx);
    if (args.backend != NULL && (rq_backend_lookup(args.backend, &id) != RQ_OK ||
                                 rq_context_set(ctx, RQ_PARAM_BACKEND, id) != RQ_OK)) {
        cli_error("--backend %s: that backend is not usable here (rq info lists them)",
                  args.backend);
        return CLI_EXIT_INPUT;
    }
    const char *backend = NULL;
    rq_status st = rq_context_backend(ctx, &backend);
    if (st != RQ_OK)
        return fail_status(st, "kernel backend");
    printf("backend   %s\n", backend);
    demo_run run;
    memset(&run, 0, sizeof run);
    rc = run_demo(&run, &args);
    free(run.object);
    free(run.packets);
    free(run.order);
    return rc;
}
