/*
 * Plays many cases at once, each on its own connection, so that a verdict
 * depends only on the target's behaviour:
 *   - a pre-flight opening handshake tells a target that cannot be reached,
 *     fails TLS or is not a WebSocket endpoint from one that breaks the
 *     protocol;
 *   - a case that did not pass in a parallel run (a timer fired, the peer
 *     dropped it, it could not connect) is played again with nothing else
 *     running, and that run's verdict is the one reported: the suite's own
 *     load never fails a case (a long case is kept instead when a heartbeat
 *     connection showed the target answering all the while);
 *   - a connection that cannot be made sends a probe: a target that no longer
 *     answers has died, the run stops, and the cases it could not play are
 *     NOT RUN;
 *   - sessions start only within a memory budget, so the runner's memory is
 *     bounded whatever --jobs and whatever the target sends.
 */
#ifndef WSCONFORM_RUNNER_H
#define WSCONFORM_RUNNER_H

#include <signal.h>
#include <stddef.h>

#include "lang/case.h"
#include "report/results_writer.h"
#include "verdict/result.h"
#include "run/session.h"

typedef struct runner_hooks {
    /* A case's result is final and judged: write its reports, then it may be
     * trimmed (result_trim()). done counts final results. */
    void (*finished)(void *ctx, case_result *r, size_t done, size_t total);
    /* The cases running now (for progress on a terminal); may be NULL. */
    void (*running)(void *ctx, const case_def *const *running, size_t count, size_t done,
                    size_t total);
    void *ctx;
} runner_hooks;

typedef struct runner_config {
    const session_config *session;
    size_t jobs;                      /* sessions at once, at most */
    uint64_t memory_budget;           /* bytes of session_memory_bound() at once */
    volatile sig_atomic_t *stop;      /* set asynchronously: stop, mark the rest NOT RUN */
    runner_hooks hooks;
} runner_config;

/* Plays one valid opening handshake (then a Close) alone. TARGET_OK when the
 * target answered 101, else why not, in detail. The value of the answer's
 * Server header, if any, goes into server (unless it is NULL; "" if none). */
target_state runner_preflight(const session_config *cfg, char *detail, size_t cap, char *server,
                              size_t server_cap);

/* Runs cases[0..count). Returns the judged results in the order of `cases`
 * (free each with result_free() and the array with free()); every case has
 * one, NOT RUN for those that could not be played. Sets info->target_state,
 * target_detail and, when the target died, died_during (malloc'd). */
case_result **runner_run(const case_def *const *cases, size_t count, const runner_config *cfg,
                         run_info *info);

#endif
