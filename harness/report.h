/* Reports of a finished run: results.json, results.tap, per-case details, TAP on stdout. */
#ifndef WSCONFORM_REPORT_H
#define WSCONFORM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "result.h"

typedef struct run_info {
    const char *target;
    const char *agent;
    char started_at[40];      /* RFC 3339, UTC */
    uint64_t duration_ms;
    bool strict;              /* NON-STRICT counts as a failure */
} run_info;

/* True if the case counts as failed under the run's rules. */
bool report_case_failed(const run_info *info, const case_result *r);

/* Writes TAP 14 for all results to f. */
void report_tap(FILE *f, const run_info *info, case_result *const *results, size_t count);

/* Writes DIR/results.json, DIR/results.tap and DIR/cases/<id>.json (events and
 * the wire log). Creates DIR if needed. 0, or -1 with a message on stderr. */
int report_write_dir(const char *dir, const run_info *info, case_result *const *results,
                     size_t count);

#endif
