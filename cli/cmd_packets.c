/*
 * `rq packets`: encodes a file and writes the packets (payload ID + symbol)
 * of the requested ESIs of every source block.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_args.h"
#include "cli/commands.h"

const char cmd_packets_help[] =
    "Usage: rq packets --oti HEX [--esi LIST] [--repair PERCENT] [-o FILE [--force]] INPUT\n"
    "\n"
    "Encodes INPUT (a file of exactly F bytes, F taken from the OTI; '-' reads\n"
    "standard input) and writes packets to standard output or to FILE. Every\n"
    "packet is 4 + T bytes: SBN (1 byte) and ESI (3 bytes, big-endian), then\n"
    "the T bytes of that encoding symbol. Packets come block by block (SBN\n"
    "0..Z-1) and, within a block, in the order of the ESI list.\n"
    "\n"
    "Options:\n"
    "  --oti HEX          the 24-hex-digit OTI from `rq oti` (required)\n"
    "  --esi LIST         ESIs to write for every block: numbers and inclusive\n"
    "                     ranges separated by commas, e.g. 0-9,100,65536-65539.\n"
    "                     ESIs 0..K-1 are source symbols (the bytes of the\n"
    "                     file), K and above are repair symbols; ESIs are 24\n"
    "                     bits (at most 16777215). Default: 0..K-1 of each block\n"
    "  --repair PERCENT   after the listed ESIs, also write ceil(K*PERCENT/100)\n"
    "                     repair packets (ESIs K, K+1, ...) of each block\n"
    "  -o, --output FILE  write to FILE instead of standard output; FILE appears\n"
    "                     only once complete (written as FILE.tmp.PID, renamed)\n"
    "  --force            replace FILE if it exists\n"
    "  -h, --help         show this text\n"
    "\n"
    "K differs between blocks when F/T does not divide evenly: `rq oti --json`\n"
    "shows K of the first and last block.\n"
    "\n"
    "Examples:\n"
    "  oti=$(rq oti --size \"$(stat -c %s data.bin)\" --symbol-size 1280)\n"
    "  rq packets --oti \"$oti\" data.bin > source.pkts        # source only\n"
    "  rq packets --oti \"$oti\" --repair 20 -o all.pkts data.bin\n"
    "  rq packets --oti \"$oti\" --esi 5-9,2000-2099 data.bin > some.pkts\n"
    "\n"
    "Exit codes: 0 ok, 2 bad usage, 3 bad OTI, ESI or input size, 5 I/O error\n"
    "(including: FILE exists and no --force).\n";

enum { OPT_OTI, OPT_ESI, OPT_REPAIR, OPT_OUTPUT, OPT_FORCE, OPT_HELP };

static const cli_option options[] = {
    [OPT_OTI] = {"--oti", NULL, 1},       [OPT_ESI] = {"--esi", NULL, 1},
    [OPT_REPAIR] = {"--repair", NULL, 1}, [OPT_OUTPUT] = {"--output", "-o", 1},
    [OPT_FORCE] = {"--force", NULL, 0},   [OPT_HELP] = {"--help", "-h", 0},
};

/* Repair percentages above this would make ESIs past 2^24 for large K. */
#define MAX_REPAIR_PERCENT 10000u

typedef struct packets_args {
    const char *oti_text;
    const char *esi_text;
    const char *repair_text;
    const char *output;
    const char *input;
    int force;
} packets_args;

static int parse_args(int argc, char **argv, packets_args *args)
{
    cli_parser parser;
    cli_parser_init(&parser, "packets", argc, argv);
    memset(args, 0, sizeof *args);
    for (;;) {
        const char *value;
        int opt = cli_next_option(&parser, options, sizeof options / sizeof options[0], &value);
        switch (opt) {
        case CLI_OPT_END:
            if (args->oti_text == NULL)
                return cli_usage_error("packets", "--oti is required");
            if (args->input == NULL)
                return cli_usage_error("packets", "name the INPUT file ('-' for standard input)");
            if (args->force && args->output == NULL)
                return cli_usage_error("packets", "--force only applies with -o FILE");
            return CLI_EXIT_OK;
        case CLI_OPT_BAD:
            return CLI_EXIT_USAGE;
        case CLI_OPT_POSITIONAL:
            if (args->input != NULL)
                return cli_usage_error("packets", "only one INPUT file, got '%s' and '%s'",
                                       args->input, value);
            args->input = value;
            break;
        case OPT_HELP:
            fputs(cmd_packets_help, stdout);
            return -1;
        case OPT_OTI: args->oti_text = value; break;
        case OPT_ESI: args->esi_text = value; break;
        case OPT_REPAIR: args->repair_text = value; break;
        case OPT_OUTPUT: args->output = value; break;
        case OPT_FORCE: args->force = 1; break;
        default: return CLI_EXIT_INTERNAL;
        }
    }
}

/* What to write for each block. */
typedef struct packet_plan {
    cli_esi_list list; /* explicit ESIs, or none: 0..K-1 */
    int has_list;
    uint32_t repair_percent;
} packet_plan;

typedef struct packet_writer {
    rq_object_encoder *encoder;
    FILE *out;
    const char *out_name;
    uint8_t *packet;
    size_t packet_len;
} packet_writer;

static int write_range(packet_writer *w, uint32_t sbn, uint32_t first, uint32_t last)
{
    for (uint32_t esi = first;; esi++) {
        rq_status st = rq_object_encoder_packet(w->encoder, sbn, esi, w->packet, w->packet_len);
        if (st != RQ_OK) {
            cli_error("encoding block %u, ESI %u: %s", sbn, esi, rq_strerror(st));
            return cli_exit_for_status(st);
        }
        int rc = cli_write(w->out, w->out_name, w->packet, w->packet_len);
        if (rc != CLI_EXIT_OK)
            return rc;
        if (esi == last) /* no esi <= last loop: last may be RQ_MAX_ESI */
            return CLI_EXIT_OK;
    }
}

static int write_block(packet_writer *w, const rq_oti *oti, uint32_t sbn, const packet_plan *plan)
{
    rq_block_layout block;
    rq_status st = rq_oti_block_layout(oti, sbn, &block);
    if (st != RQ_OK) {
        cli_error("block %u: %s", sbn, rq_strerror(st));
        return cli_exit_for_status(st);
    }
    uint32_t k = block.source_symbols;
    int rc = CLI_EXIT_OK;
    if (!plan->has_list)
        rc = write_range(w, sbn, 0, k - 1);
    for (size_t i = 0; plan->has_list && i < plan->list.count && rc == CLI_EXIT_OK; i++)
        rc = write_range(w, sbn, plan->list.ranges[i].first, plan->list.ranges[i].last);

    uint64_t repair = ((uint64_t)k * plan->repair_percent + 99) / 100;
    if (rc == CLI_EXIT_OK && repair > 0) {
        if (k + repair - 1 > RQ_MAX_ESI) {
            cli_error("--repair %u: block %u would need ESIs above %u", plan->repair_percent, sbn,
                      RQ_MAX_ESI);
            return CLI_EXIT_INPUT;
        }
        rc = write_range(w, sbn, k, (uint32_t)(k + repair - 1));
    }
    return rc;
}

static int write_all(packet_writer *w, const rq_oti *oti, const packet_plan *plan)
{
    int rc = CLI_EXIT_OK;
    for (uint32_t sbn = 0; sbn < oti->source_blocks && rc == CLI_EXIT_OK; sbn++)
        rc = write_block(w, oti, sbn, plan);
    return rc;
}

/* Encodes `data` and writes every packet to the chosen output. */
static int encode_to_output(const packets_args *args, const rq_oti *oti, const uint8_t *data,
                            const packet_plan *plan)
{
    packet_writer w = {0};
    w.packet_len = RQ_PAYLOAD_ID_SIZE + (size_t)oti->symbol_size;
    w.packet = malloc(w.packet_len);
    rq_status st = w.packet == NULL ? RQ_ERR_NO_MEMORY
                                    : rq_object_encoder_create(&w.encoder, oti, data,
                                                               (size_t)oti->transfer_length);
    if (st != RQ_OK) {
        free(w.packet);
        cli_error("cannot create the encoder: %s", rq_strerror(st));
        return cli_exit_for_status(st);
    }

    cli_output output = {0};
    int rc = CLI_EXIT_OK;
    if (args->output != NULL) {
        rc = cli_output_open(&output, args->output, args->force);
        w.out = output.file;
        w.out_name = output.path;
    } else {
        w.out = stdout;
        w.out_name = "standard output";
    }
    if (rc == CLI_EXIT_OK)
        rc = write_all(&w, oti, plan);
    if (args->output != NULL) {
        if (rc == CLI_EXIT_OK)
            rc = cli_output_commit(&output);
        else
            cli_output_abort(&output);
    } else if (rc == CLI_EXIT_OK && fflush(stdout) != 0) {
        cli_error("standard output: write failed: %s", strerror(errno));
        rc = CLI_EXIT_IO;
    }
    rq_object_encoder_destroy(w.encoder);
    free(w.packet);
    return rc;
}

static int run(const packets_args *args, packet_plan *plan)
{
    rq_oti oti;
    int rc = cli_parse_oti(args->oti_text, &oti);
    if (rc == CLI_EXIT_OK && args->esi_text != NULL) {
        rc = cli_parse_esi_list("--esi", args->esi_text, &plan->list);
        plan->has_list = rc == CLI_EXIT_OK;
    }
    if (rc == CLI_EXIT_OK && args->repair_text != NULL)
        rc = cli_parse_u32("--repair", args->repair_text, MAX_REPAIR_PERCENT,
                           &plan->repair_percent);
    if (rc != CLI_EXIT_OK)
        return rc;

    if (args->output == NULL && isatty(STDOUT_FILENO)) {
        cli_error("refusing to write binary packets to a terminal; use -o FILE or redirect");
        return CLI_EXIT_USAGE;
    }
    /* Fail before the (possibly long) read when the output cannot be written. */
    if (args->output != NULL && (rc = cli_output_check(args->output, args->force)) != CLI_EXIT_OK)
        return rc;
    if (args->output == NULL)
        setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 20);

    uint8_t *data = NULL;
    rc = cli_read_exact(args->input, oti.transfer_length, &data);
    if (rc != CLI_EXIT_OK)
        return rc;
    rc = encode_to_output(args, &oti, data, plan);
    free(data);
    return rc;
}

int cmd_packets(int argc, char **argv)
{
    packets_args args;
    int rc = parse_args(argc, argv, &args);
    if (rc != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;
    packet_plan plan = {0};
    rc = run(&args, &plan);
    cli_esi_list_free(&plan.list);
    return rc;
}
