/* Reports of a finished run: results.json, results.tap, per-case details, TAP on stdout. */
#ifndef WSCONFORM_RESULTS_WRITER_H
#define WSCONFORM_RESULTS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "verdict/result.h"

/* What became of the target (results.json "target_state"). */
typedef enum target_state {
    TARGET_OK = 0,
    TARGET_UNREACHABLE,       /* no TCP connection */
    TARGET_TLS_FAILED,        /* TCP, but no TLS session (certificate, not TLS) */
    TARGET_NOT_WEBSOCKET,     /* no 101 answer to a valid opening handshake */
    TARGET_DIED,              /* stopped accepting connections or handshakes mid-run */
    TARGET_INTERRUPTED,       /* the user stopped the run */
} target_state;

typedef struct run_info {
    const char *target;
    const char *agent;
    char started_at[40];      /* RFC 3339, UTC */
    uint64_t duration_ms;
    bool strict;              /* NON-STRICT counts as a failure */
    size_t jobs;
    const char *include;      /* --cases (NULL: every case) and --exclude (NULL: none) */
    const char *exclude;
    target_state target_state;
    char target_detail[512];
    const case_def **died_during; /* cases running when the target died, likeliest first */
    size_t died_count;
} run_info;

/* True if the case counts as failed under the run's rules. */
bool report_case_failed(const run_info *info, const case_result *r);

/* Writes TAP 14 for all results to f. */
void report_tap(FILE *f, const run_info *info, case_result *const *results, size_t count);

/* Counts per verdict as in results.json's summary: a case whose close
 * verdict failed counts as FAILED. */
void report_tally(case_result *const *results, size_t count, size_t tally[VERDICT_COUNT]);

/* Cases that fail the run (report_case_failed()). */
size_t report_count_failed(const run_info *info, case_result *const *results, size_t count);

/* Creates DIR and DIR/cases and checks results.json can be written there,
 * before anything runs. 0, or -1 with a message on stderr. */
int report_open_dir(const char *dir);

/* Writes DIR/cases/<id>.json: the case's observations, events and wire log,
 * as soon as the case is final (so the wire log need not be kept). */
int report_write_case(const char *dir, const case_result *r);

/* Writes DIR/results.json and DIR/results.tap. 0, or -1 with a message. */
int report_write_summary(const char *dir, const run_info *info, case_result *const *results,
                         size_t count);

#endif
