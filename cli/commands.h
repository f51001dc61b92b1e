/*
 * The subcommands of `rq`. Each takes the arguments after "rq" (argv[0] is
 * the subcommand's name) and returns the process exit code (CLI_EXIT_*).
 * Each also exports its help text, so that `rq help CMD` and `rq CMD --help`
 * print the same words.
 */
#ifndef RQ_CLI_COMMANDS_H
#define RQ_CLI_COMMANDS_H

int cmd_oti(int argc, char **argv);
int cmd_packets(int argc, char **argv);
int cmd_assemble(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_metadata(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_repair(int argc, char **argv);
int cmd_reencode(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_ec(int argc, char **argv);

extern const char cmd_oti_help[];
extern const char cmd_packets_help[];
extern const char cmd_assemble_help[];
extern const char cmd_info_help[];
extern const char cmd_demo_help[];
extern const char cmd_encode_help[];
extern const char cmd_decode_help[];
extern const char cmd_metadata_help[];
extern const char cmd_verify_help[];
extern const char cmd_repair_help[];
extern const char cmd_reencode_help[];
extern const char cmd_batch_help[];
extern const char cmd_ec_help[];

#endif /* RQ_CLI_COMMANDS_H */
