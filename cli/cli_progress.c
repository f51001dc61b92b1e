/*
 * Progress bar and clean interruption of file jobs; see cli_progress.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli/cli_progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_args.h"

#define REDRAW_SECONDS 0.1

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The first Ctrl-C cancels the job; SA_RESETHAND lets a second one kill at once. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* 0x80000000 in glibc */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* "1:05" or "2:03:07". */
static void format_duration(double seconds, char *out, size_t len)
{
    unsigned long s = seconds > 0 && seconds < 1e7 ? (unsigned long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(out, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, len, "%lu:%02lu", s / 60, s % 60);
}

static void draw(cli_progress *p, double now)
{
    double percent = p->total > 0 ? 100.0 * (double)p->done / (double)p->total : 100.0;
    double elapsed = now - p->start;
    if (!p->in_bytes) {
        fprintf(stderr, "\r  %llu / %llu blocks  %3.0f%%\033[K", (unsigned long long)p->done,
                (unsigned long long)p->total, percent);
    } else {
        double rate = elapsed > 0 ? (double)p->done / elapsed : 0.0;
        char eta[32] = "-:--";
        if (rate > 0 && p->done < p->total)
            format_duration((double)(p->total - p->done) / rate, eta, sizeof eta);
        else if (p->done >= p->total)
            format_duration(elapsed, eta, sizeof eta);
        fprintf(stderr, "\r  %.1f / %.1f MB  %3.0f%%  %.1f MB/s  %s %s\033[K",
                (double)p->done / 1e6, (double)p->total / 1e6, percent, rate / 1e6,
                p->done >= p->total ? "in" : "ETA", eta);
    }
    fflush(stderr);
    p->drawn = 1;
    p->last_draw = now;
}

int cli_progress_report(void *user, uint64_t done, uint64_t total)
{
    cli_progress *p = user;
    p->done = done;
    p->total = total;
    if (p->draw) {
        double now = cli_now();
        if (now - p->last_draw >= REDRAW_SECONDS)
            draw(p, now);
    }
    return interrupted ? 1 : 0;
}

void cli_progress_start(cli_progress *progress, int draw_wanted, int in_bytes)
{
    memset(progress, 0, sizeof *progress);
    progress->draw = draw_wanted && isatty(STDERR_FILENO);
    progress->in_bytes = in_bytes;
    progress->start = cli_now();
    progress->last_draw = progress->start - REDRAW_SECONDS; /* the first report draws */
    catch_signals();
}

void cli_progress_attach(cli_progress *progress, rq_session *session, int draw_wanted,
                         int in_bytes)
{
    cli_progress_start(progress, draw_wanted, in_bytes);
    rq_session_set_progress(session, cli_progress_report, progress);
}

void cli_progress_finish(cli_progress *progress)
{
    if (!progress->drawn)
        return;
    draw(progress, cli_now());
    fputc('\n', stderr);
}
