/*
 * The reports made from finished runs (run_doc.h): HTML, JUnit XML and
 * Autobahn's index.json with its per-case files. `wsconform run` makes them
 * from the run it just wrote; `wsconform report` from runs already on disk.
 * Several runs (one per agent) go into one report.
 */
#ifndef WSCONFORM_REPORTS_H
#define WSCONFORM_REPORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "report/run_doc.h"

/* Which reports to write; NULL: not that one. */
typedef struct report_request {
    const char *html_dir;       /* DIR/index.html and the per-case pages */
    const char *junit_file;     /* one XML file */
    const char *autobahn_dir;   /* DIR/index.json and DIR/<agent>_case_<id>.json */
    bool strict;                /* JUnit: NON-STRICT is a failure */
} report_request;

/* Each writer: 0, or -1 with what went wrong (and the path) in err. */
int report_html(const run_doc *runs, size_t count, const char *dir, char *err, size_t errlen);
int report_junit(const run_doc *runs, size_t count, const char *path, bool strict, char *err,
                 size_t errlen);
int report_autobahn_json(const run_doc *runs, size_t count, const char *dir, char *err,
                         size_t errlen);

/* Writes every requested report from runs. 0, or -1 with err. */
int reports_write(const report_request *rq, const run_doc *runs, size_t count, char *err,
                  size_t errlen);

/* True if rq asks for anything. */
bool reports_requested(const report_request *rq);

#endif
