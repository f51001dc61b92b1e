/*
 * A file job's progress as the user sees it: a bar on stderr (only when
 * stderr is a terminal) and Ctrl-C / SIGTERM turned into a clean
 * cancellation through the session's progress callback, so that the library
 * removes its temporary files instead of the process dying mid-write.
 */
#ifndef RQ_CLI_CLI_PROGRESS_H
#define RQ_CLI_CLI_PROGRESS_H

#include <stdint.h>

#include "rq/rq_file.h"

typedef struct cli_progress {
    int draw;          /* a bar is drawn */
    int in_bytes;      /* progress counts bytes (else blocks) */
    double start;      /* when the job began */
    double last_draw;  /* when the bar was last drawn */
    int drawn;         /* something is on the line */
    uint64_t done, total;
} cli_progress;

/*
 * Hooks progress onto session. draw: the caller's wish (not --quiet); the
 * bar appears only if stderr is also a terminal. in_bytes: the job reports
 * bytes (encode, decode, metadata) rather than blocks (verify).
 */
void cli_progress_attach(cli_progress *progress, rq_session *session, int draw, int in_bytes);
/* The same for a job that takes cli_progress_report itself (`rq ec`). */
void cli_progress_start(cli_progress *progress, int draw, int in_bytes);
/* The progress callback: draws, and returns 1 once Ctrl-C or SIGTERM came. */
int cli_progress_report(void *progress, uint64_t done, uint64_t total);
/* Draws the last state and ends the line; call once the job returned. */
void cli_progress_finish(cli_progress *progress);

#endif /* RQ_CLI_CLI_PROGRESS_H */
