/* `wsconform report RUN...`: reports made again from finished runs. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "report/reports.h"

/* More agents than anyone puts side by side in one table. */
#define RUNS_MAX 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wsconform report RUN... [--html DIR] [--junit FILE] [--autobahn-json DIR]\n"
            "                        [--strict]\n"
            "  RUN            the --out folder of a run (or its results.json); several runs\n"
            "                 (one per agent) go into one report, one column per agent\n"
            "  --html DIR     the HTML report: DIR/index.html and a page per case\n"
            "  --junit FILE   JUnit XML: a testsuite per section, a testcase per case\n"
            "  --autobahn-json DIR  Autobahn's index.json and per-case files\n"
            "  --strict       JUnit: NON-STRICT is a failure\n"
            "exit status: 0 the reports were written, 2 usage error or a run that cannot\n"
            "             be read (the file, and the line and column where JSON breaks)\n");
}

int cmd_report(int argc, char **argv)
{
    static const struct option options[] = {
        {"html", required_argument, NULL, 'H'},   {"junit", required_argument, NULL, 'J'},
        {"autobahn-json", required_argument, NULL, 'A'}, {"strict", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    report_request rq = {0};
    int opt;
    options_reset();
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'H': rq.html_dir = optarg; break;
        case 'J': rq.junit_file = optarg; break;
        case 'A': rq.autobahn_dir = optarg; break;
        case 's': rq.strict = true; break;
        default: return options_usage_status(usage, opt);
        }
    }
    size_t count = (size_t)(argc - optind);
    if (count == 0 || count > RUNS_MAX) {
        fprintf(stderr, "wsconform report: expected 1..%d runs, got %zu\n", RUNS_MAX, count);
        usage(stderr);
        return 2;
    }
    if (!reports_requested(&rq)) {
        fprintf(stderr, "wsconform report: expected --html, --junit or --autobahn-json\n");
        usage(stderr);
        return 2;
    }
    run_doc *runs = calloc(count, sizeof *runs);
    if (!runs)
        abort();
    char err[1024];
    int status = 0;
    size_t loaded = 0;
    for (; loaded < count; loaded++)
        if (run_doc_load(&runs[loaded], argv[optind + (int)loaded], err, sizeof err) != 0) {
            fprintf(stderr, "wsconform report: %s\n", err);
            status = 2;
            break;
        }
    if (status == 0 && reports_write(&rq, runs, count, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform report: %s\n", err);
        status = 2;
    }
    for (size_t i = 0; i < loaded; i++)
        run_doc_free(&runs[i]);
    free(runs);
    return status;
}
