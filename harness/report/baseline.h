/*
 * Baselines: the verdicts a project expects of its implementation, committed
 * beside its code, and the gate that compares a run with them. The file
 * (written by `wsconform baseline`) is JSON: optional descriptive keys, then
 * "cases": { ID: {"outcome": O, "close_outcome": C} } where an entry may
 * instead be unstable: {"unstable": true, "seen": [[O, C], ...], "note": WHY}
 * (any verdict of "seen" matches; without "seen" any verdict does).
 */
#ifndef WSCONFORM_BASELINE_H
#define WSCONFORM_BASELINE_H

#include <stdio.h>

#include "report/run_doc.h"

typedef struct baseline baseline;

/* Reads and checks a baseline file; NULL with "FILE[:LINE:COL]: what" in err. */
baseline *baseline_load(const char *path, char *err, size_t errlen);

void baseline_free(baseline *b);

/* Compares a run with the baseline: prints the regressions, then the
 * improvements, new and missing cases and a count line to out; writes the
 * same as JSON to json_path unless it is NULL. A baseline case the run's
 * selection left out (results.json "selection") is not missing.
 * Returns 0 no regression, 1 at least one, -1 with err if json_path cannot
 * be written. */
int baseline_gate(const baseline *b, const run_doc *run, FILE *out, const char *json_path,
                  char *err, size_t errlen);

#endif
