/*
 * Writing a baseline (baseline.h) from finished runs of one agent: a case
 * whose verdicts differ between the runs becomes unstable with every verdict
 * seen. One case per line, so that a change of the file reads as a diff of
 * the cases that changed.
 */
#ifndef WSCONFORM_BASELINE_RECORD_H
#define WSCONFORM_BASELINE_RECORD_H

#include <stdbool.h>
#include <stdio.h>

#include "report/baseline.h"
#include "report/run_doc.h"

/* The note of a case that became unstable and had none. */
#define BASELINE_UNSTABLE_NOTE "verdicts differ between runs"

typedef struct baseline_record_summary {
    size_t cases, unstable, runs;
    char unstable_ids[1024];    /* "ID ID ..." (cut short with "..." when long) */
    char unreviewed_ids[1024];  /* non-OK or unstable cases without a note of old */
} baseline_record_summary;

/* Writes to out a baseline made from runs[0..count) (count > 0, one agent).
 * old, unless NULL, is the baseline this one replaces: its notes, "server"
 * and "comment" are kept and, with merge, its verdicts count as seen and its
 * runs are added. 0, or -1 with "FILE: what" in err (a run of another agent,
 * an unknown verdict name). */
int baseline_record(const run_doc *runs, size_t count, const baseline *old, bool merge,
                    FILE *out, baseline_record_summary *summary, char *err, size_t errlen);

#endif
