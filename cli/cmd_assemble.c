/*
 * `rq assemble`: feeds packets from standard input to an object decoder and
 * writes the object once every block is decoded. Bad packets are skipped
 * with a warning: one corrupt packet must not cost the whole object.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_args.h"
#include "rq/rq_file.h"
#include "cli/commands.h"
#include "runtime/sha256.h"

const char cmd_assemble_help[] =
    "Usage: rq assemble --oti HEX [--expect-sha256 HEX] [--force] OUTPUT < PACKETS\n"
    "\n"
    "Reads packets (4 + T bytes each, as written by `rq packets`) from standard\n"
    "input, in any order and any mix of source and repair symbols, and writes\n"
    "the rebuilt object of F bytes to OUTPUT. A block is rebuilt from about K\n"
    "distinct packets of that block (K + 2 make failure very unlikely).\n"
    "\n"
    "Packets that cannot belong to the object (an SBN not below Z) are\n"
    "skipped with a warning naming the packet; repeated packets are counted;\n"
    "a partial packet at the end of the input is ignored with a warning.\n"
    "OUTPUT is written under a temporary name and renamed when complete. When\n"
    "the input ends before every block can be rebuilt, each missing block is\n"
    "listed with how many more packets it needs, and OUTPUT is not created.\n"
    "\n"
    "RFC 6330 packets carry no checksum: a packet of the right size that holds\n"
    "other bytes (junk, another object's packet with a valid header) is used\n"
    "like a real one, and the object then comes out wrong without any error.\n"
    "When the input may hold such packets, pass the object's SHA-256 (as\n"
    "sha256sum prints it for the original) with --expect-sha256: OUTPUT is\n"
    "then written only if the rebuilt bytes match it (else exit 3).\n"
    "\n"
    "Options:\n"
    "  --oti HEX    the 24-hex-digit OTI the packets were made with (required)\n"
    "  --expect-sha256 HEX  write OUTPUT only if the object's SHA-256 is HEX\n"
    "  --force      replace OUTPUT if it exists\n"
    "  -h, --help   show this text\n"
    "\n"
    "Examples:\n"
    "  rq assemble --oti \"$oti\" data.copy < all.pkts\n"
    "  cat source.pkts repair.pkts | rq assemble --oti \"$oti\" --force data.copy\n"
    "  rq assemble --oti \"$oti\" --expect-sha256 \"$(sha256sum < data | cut -c1-64)\" \\\n"
    "      data.copy < all.pkts\n"
    "\n"
    "Exit codes: 0 ok, 2 bad usage, 3 bad OTI or hash mismatch, 4 not enough\n"
    "packets to rebuild "
    "the object, 5 I/O error (including: OUTPUT exists and no --force).\n";

enum { OPT_OTI, OPT_EXPECT_SHA256, OPT_FORCE, OPT_HELP };

static const cli_option options[] = {
    [OPT_OTI] = {"--oti", NULL, 1},
    [OPT_EXPECT_SHA256] = {"--expect-sha256", NULL, 1},
    [OPT_FORCE] = {"--force", NULL, 0},
    [OPT_HELP] = {"--help", "-h", 0},
};

/* Individual warnings per kind before only the final count is reported. */
#define WARN_LIMIT 5u

typedef struct assemble_args {
    const char *oti_text;
    const char *output;
    int force;
    int check_sha256;
    uint8_t sha256[RQ_SHA256_SIZE];
} assemble_args;

typedef struct packet_counts {
    uint64_t read;
    uint64_t used;
    uint64_t duplicate;
    uint64_t not_needed; /* arrived after its block was decoded */
    uint64_t malformed;
} packet_counts;

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int parse_sha256(const char *text, uint8_t out[RQ_SHA256_SIZE])
{
    if (strlen(text) != 2 * RQ_SHA256_SIZE)
        return -1;
    for (size_t i = 0; i < RQ_SHA256_SIZE; i++) {
        int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int parse_args(int argc, char **argv, assemble_args *args)
{
    cli_parser parser;
    cli_parser_init(&parser, "assemble", argc, argv);
    memset(args, 0, sizeof *args);
    for (;;) {
        const char *value;
        int opt = cli_next_option(&parser, options, sizeof options / sizeof options[0], &value);
        switch (opt) {
        case CLI_OPT_END:
            if (args->oti_text == NULL)
                return cli_usage_error("assemble", "--oti is required");
            if (args->output == NULL)
                return cli_usage_error("assemble", "name the OUTPUT file");
            return CLI_EXIT_OK;
        case CLI_OPT_BAD:
            return CLI_EXIT_USAGE;
        case CLI_OPT_POSITIONAL:
            if (args->output != NULL)
                return cli_usage_error("assemble", "only one OUTPUT file, got '%s' and '%s' "
                                                   "(packets are read from standard input)",
                                       args->output, value);
            args->output = value;
            break;
        case OPT_HELP:
            fputs(cmd_assemble_help, stdout);
            return -1;
        case OPT_OTI: args->oti_text = value; break;
        case OPT_FORCE: args->force = 1; break;
        case OPT_EXPECT_SHA256:
            if (parse_sha256(value, args->sha256) != 0)
                return cli_usage_error("assemble", "--expect-sha256 wants 64 hex digits, got '%s'",
                                       value);
            args->check_sha256 = 1;
            break;
        default: return CLI_EXIT_INTERNAL;
        }
    }
}

/* Sorts the answer to one packet into the counts; a non-zero return is fatal. */
static int account(rq_status st, const uint8_t *packet, packet_counts *counts)
{
    uint64_t index = counts->read - 1;
    uint32_t sbn = packet[0];
    uint32_t esi = (uint32_t)packet[1] << 16 | (uint32_t)packet[2] << 8 | packet[3];
    switch (st) {
    case RQ_OK:
        counts->used++;
        return CLI_EXIT_OK;
    case RQ_ALREADY_DECODED:
    case RQ_NOT_KEPT:
        counts->not_needed++;
        return CLI_EXIT_OK;
    case RQ_DUPLICATE:
        if (++counts->duplicate <= WARN_LIMIT)
            cli_warn("packet %llu (block %u, ESI %u) is a duplicate; ignored",
                     (unsigned long long)index, sbn, esi);
        return CLI_EXIT_OK;
    case RQ_ERR_NO_MEMORY:
    case RQ_ERR_INTERNAL:
        cli_error("packet %llu (block %u, ESI %u): %s", (unsigned long long)index, sbn, esi,
                  rq_strerror(st));
        return cli_exit_for_status(st);
    default:
        if (++counts->malformed <= WARN_LIMIT)
            cli_warn("packet %llu (block %u, ESI %u) skipped: %s", (unsigned long long)index, sbn,
                     esi, rq_strerror(st));
        return CLI_EXIT_OK;
    }
}

static int feed_packets(rq_object_decoder *decoder, size_t packet_len, packet_counts *counts)
{
    uint8_t *packet = malloc(packet_len);
    if (packet == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    int rc = CLI_EXIT_OK;
    size_t got;
    /* Read to the end even once complete, so that a writer on the other end
     * of a pipe is not killed by SIGPIPE. */
    while (rc == CLI_EXIT_OK && (got = fread(packet, 1, packet_len, stdin)) > 0) {
        if (got < packet_len) {
            cli_warn("truncated packet at end of input (%zu bytes) ignored", got);
            break;
        }
        counts->read++;
        rc = account(rq_object_decoder_add_packet(decoder, packet, packet_len), packet, counts);
    }
    if (rc == CLI_EXIT_OK && ferror(stdin)) {
        cli_error("standard input: read failed: %s", strerror(errno));
        rc = CLI_EXIT_IO;
    }
    free(packet);
    return rc;
}

static void report_counts(const packet_counts *counts)
{
    if (counts->duplicate > WARN_LIMIT)
        cli_warn("%llu duplicate packets ignored in all", (unsigned long long)counts->duplicate);
    if (counts->malformed > WARN_LIMIT)
        cli_warn("%llu malformed packets skipped in all", (unsigned long long)counts->malformed);
}

/* Exit 4 with one line per block that is still short of symbols. */
static int report_missing(const rq_object_decoder *decoder, const rq_oti *oti)
{
    cli_error("not enough packets to rebuild the object; nothing written");
    for (uint32_t sbn = 0; sbn < oti->source_blocks; sbn++) {
        rq_block_status status;
        rq_status st = rq_object_decoder_block_status(decoder, sbn, &status);
        if (st != RQ_OK) {
            cli_error("block %u: %s", sbn, rq_strerror(st));
            return cli_exit_for_status(st);
        }
        if (!status.decoded)
            fprintf(stderr, "block %u: has %u of %u symbols, needs at least %u more\n", sbn,
                    status.held, status.source_symbols, status.needed > 0 ? status.needed : 1);
    }
    return CLI_EXIT_NEED_MORE;
}

static int write_object(const rq_object_decoder *decoder, const rq_oti *oti,
                        const assemble_args *args)
{
    size_t size = (size_t)oti->transfer_length;
    uint8_t *data = malloc(size);
    if (data == NULL) {
        cli_error("out of memory for the %zu-byte object", size);
        return CLI_EXIT_INTERNAL;
    }
    rq_status st = rq_object_decoder_data(decoder, data, size);
    if (st != RQ_OK) {
        free(data);
        cli_error("cannot read the decoded object: %s", rq_strerror(st));
        return cli_exit_for_status(st);
    }
    if (args->check_sha256) {
        uint8_t digest[RQ_SHA256_SIZE];
        rq_sha256(data, size, digest);
        if (memcmp(digest, args->sha256, sizeof digest) != 0) {
            char hex[2 * RQ_SHA256_SIZE + 1];
            cli_format_hex(digest, sizeof digest, hex);
            cli_error("the rebuilt object's SHA-256 is %s, not the one expected: some packets "
                      "were not this object's; %s not written", hex, args->output);
            free(data);
            return CLI_EXIT_INPUT;
        }
    }
    cli_output output;
    int rc = cli_output_open(&output, args->output, args->force);
    if (rc == CLI_EXIT_OK) {
        rc = cli_write(output.file, output.path, data, size);
        if (rc == CLI_EXIT_OK)
            rc = cli_output_commit(&output);
        else
            cli_output_abort(&output);
    }
    free(data);
    return rc;
}

/*
 * The object is assembled in memory: its symbols in the decoders (up to
 * RQ_DECODER_MAX_EXTRA more per block), then its bytes once more to write
 * them. Refused up front when that exceeds the process memory budget
 * (half the RAM by default), not after gigabytes of packets.
 */
static int check_memory(const rq_oti *oti)
{
    rq_memory_usage process;
    if (rq_process_memory(&process) != RQ_OK)
        return CLI_EXIT_OK;
    uint64_t extra = (uint64_t)oti->source_blocks * RQ_DECODER_MAX_EXTRA * oti->symbol_size;
    uint64_t need = 2 * oti->transfer_length + extra;
    if (oti->transfer_length > process.limit / 2 || need > process.limit) {
        cli_error("the OTI describes a %llu MiB object; assembling it takes up to %llu MiB of "
                  "memory, more than the process memory budget of %llu MiB",
                  (unsigned long long)(oti->transfer_length >> 20), (unsigned long long)(need >> 20),
                  (unsigned long long)(process.limit >> 20));
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

static int run(const assemble_args *args)
{
    rq_oti oti;
    int rc = cli_parse_oti(args->oti_text, &oti);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (oti.transfer_length > SIZE_MAX) {
        cli_error("an object of %llu bytes does not fit in memory here",
                  (unsigned long long)oti.transfer_length);
        return CLI_EXIT_INPUT;
    }
    if ((rc = check_memory(&oti)) != CLI_EXIT_OK)
        return rc;
    if (isatty(STDIN_FILENO))
        return cli_usage_error("assemble", "packets are read from standard input; redirect a "
                                           "packet file or pipe `rq packets` into it");
    /* Fail before reading everything when the result could not be written. */
    if ((rc = cli_output_check(args->output, args->force)) != CLI_EXIT_OK)
        return rc;

    rq_object_decoder *decoder = NULL;
    rq_status st = rq_object_decoder_create(&decoder, &oti);
    if (st != RQ_OK) {
        cli_error("cannot create the decoder: %s", rq_strerror(st));
        return cli_exit_for_status(st);
    }
    setvbuf(stdin, NULL, _IOFBF, (size_t)1 << 20);
    packet_counts counts = {0};
    rc = feed_packets(decoder, RQ_PAYLOAD_ID_SIZE + (size_t)oti.symbol_size, &counts);
    report_counts(&counts);

    int complete = 0;
    if (rc == CLI_EXIT_OK && (st = rq_object_decoder_complete(decoder, &complete)) != RQ_OK) {
        cli_error("%s", rq_strerror(st));
        rc = cli_exit_for_status(st);
    }
    if (rc == CLI_EXIT_OK)
        rc = complete ? write_object(decoder, &oti, args) : report_missing(decoder, &oti);
    rq_object_decoder_destroy(decoder);
    return rc;
}

int cmd_assemble(int argc, char **argv)
{
    assemble_args args;
    int rc = parse_args(argc, argv, &args);
    if (rc != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;
    return run(&args);
}
