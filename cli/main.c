/*
 * `rq`: RaptorQ (RFC 6330) from the command line. This file only finds the
 * subcommand; each one lives in its own cmd_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_args.h"
#include "cli/commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} command;

static const command commands[] = {
    {"encode", cmd_encode, cmd_encode_help},
    {"decode", cmd_decode, cmd_decode_help},
    {"verify", cmd_verify, cmd_verify_help},
    {"repair", cmd_repair, cmd_repair_help},
    {"reencode", cmd_reencode, cmd_reencode_help},
    {"batch", cmd_batch, cmd_batch_help},
    {"ec", cmd_ec, cmd_ec_help},
    {"metadata", cmd_metadata, cmd_metadata_help},
    {"oti", cmd_oti, cmd_oti_help},
    {"packets", cmd_packets, cmd_packets_help},
    {"assemble", cmd_assemble, cmd_assemble_help},
    {"info", cmd_info, cmd_info_help},
    {"demo", cmd_demo, cmd_demo_help},
};

static const char main_help[] =
    "rq - RaptorQ (RFC 6330) erasure coding from the command line\n"
    "\n"
    "Usage: rq COMMAND [OPTIONS] [ARGUMENTS]\n"
    "\n"
    "A file of F bytes is cut into source blocks of K symbols of T bytes each.\n"
    "From each block RaptorQ makes as many encoding symbols as you ask for:\n"
    "ESIs 0..K-1 are the source symbols themselves, ESIs K and up are repair\n"
    "symbols. Any K or slightly more of them, in any mix, rebuild the block.\n"
    "A packet is a 4-byte payload ID (SBN, ESI) followed by the T symbol\n"
    "bytes; the 12-byte OTI (F, T, Z, N, Al) is all a receiver needs besides.\n"
    "\n"
    "Files (symbol files plus a layout file, in bounded memory):\n"
    "  encode     encode a file into OUT_DIR/block_<n>/<id> and a layout file\n"
    "  decode     rebuild the file from the symbol files that survive\n"
    "  verify     check the symbol files and say per chunk if it can be decoded\n"
    "  repair     write lost and damaged symbol files again, byte for byte\n"
    "  reencode   a symbol directory for new settings, from the old symbols\n"
    "  batch      run many encode/decode/verify/repair/reencode jobs from a manifest\n"
    "  metadata   write the layout file (all symbol IDs) without symbol files\n"
    "\n"
    "k+m erasure coding (HDFS-style stripes of k data and m parity units):\n"
    "  ec         check a scheme, encode a file into unit files, decode, repair\n"
    "\n"
    "Packets and the codec:\n"
    "  oti        work out the 12-byte OTI for a file size and symbol size\n"
    "  packets    write the packets (source and/or repair) of a file\n"
    "  assemble   rebuild a file from packets read on standard input\n"
    "  info       show the library version, build and kernel backend\n"
    "  demo       encode, lose, decode and verify a sample object; print speeds\n"
    "  help CMD   explain one command (same as rq CMD --help)\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this text\n"
    "  --version      show the version\n"
    "\n"
    "Example: a file into symbols and back (up to about a third may be lost).\n"
    "  rq encode photo.jpg photo.symbols          # default redundancy 1.5\n"
    "  rq verify photo.symbols\n"
    "  rq repair photo.symbols                    # after losing some files\n"
    "  rq decode photo.symbols photo.copy.jpg\n"
    "\n"
    "Example: packets for photo.jpg with 10% repair packets, then rebuild it.\n"
    "  oti=$(rq oti --size \"$(stat -c %s photo.jpg)\" --symbol-size 1280)\n"
    "  rq packets --oti \"$oti\" --repair 10 -o photo.pkts photo.jpg\n"
    "  rq assemble --oti \"$oti\" photo.copy.jpg < photo.pkts\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  internal error (out of memory, library failure)\n"
    "  2  bad usage (unknown command or option, missing or malformed argument)\n"
    "  3  bad input (value out of range, invalid OTI, file size differs from F,\n"
    "     malformed layout, job does not fit --memory-budget, hash mismatch)\n"
    "  4  not enough symbols to rebuild the object\n"
    "  5  I/O error (cannot read or write a file, output exists without --force)\n"
    "  6  interrupted (Ctrl-C, SIGTERM) or busy\n";

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int print_version(void)
{
    const char *version = "?";
    rq_version(&version);
    printf("rq %s\n", version);
    return CLI_EXIT_OK;
}

/* `rq help [CMD]` */
static int help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_help, stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2)
        return cli_usage_error(NULL, "'rq help' takes one command name");
    const command *cmd = find_command(argv[1]);
    if (cmd == NULL)
        return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    fputs(cmd->help, stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_help, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return help(1, argv + 1);
    if (strcmp(name, "help") == 0)
        return help(argc - 1, argv + 1);
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0)
        return print_version();

    /* The tuning variables (RQ_BACKEND, RQ_STRIPE_BYTES, ...) are the command's
     * defaults; a bad one shows when a command codes (its message names it). */
    rq_context *ctx = NULL;
    if (rq_context_default(&ctx) == RQ_OK && rq_context_from_env(ctx) == RQ_ERR_CONFIG) {
        char why[256];
        rq_context_last_error(ctx, why, sizeof why);
        cli_warn("%s; the default is used", why);
    }
    const command *cmd = find_command(name);
    if (cmd == NULL) {
        if (name[0] == '-')
            return cli_usage_error(NULL, "unknown option '%s'", name);
        return cli_usage_error(NULL, "unknown command '%s'", name);
    }
    int rc = cmd->run(argc - 1, argv + 1);
    /* printf errors (a full disk behind a redirect) only show up here. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == CLI_EXIT_OK) {
        cli_error("standard output: write failed: %s", strerror(errno));
        return CLI_EXIT_IO;
    }
    return rc;
}
