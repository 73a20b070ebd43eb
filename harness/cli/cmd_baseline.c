/* `wsconform baseline RUN...`: a baseline of expected verdicts made from runs. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/options.h"
#include "report/baseline_record.h"

/* More runs than anyone records one baseline from. */
#define RUNS_MAX 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wsconform baseline RUN... [--update OLD [--merge]]\n"
            "  RUN            the --out folder of a run (or its results.json); several runs\n"
            "                 of one agent: a case whose verdicts differ between them\n"
            "                 becomes unstable, with every verdict seen\n"
            "  --update OLD   the baseline this one replaces: its notes (the reasons for\n"
            "                 verdicts that are not OK), \"server\" and \"comment\" are kept\n"
            "  --merge        OLD's verdicts count as seen too and its runs are added\n"
            "                 (a case of OLD that no RUN played keeps its verdicts)\n"
            "The baseline goes to stdout (one case per line), for `wsconform run\n"
            "--baseline FILE`; what became unstable or lacks a note goes to stderr.\n"
            "exit status: 0 written, 2 usage error or a run or baseline that cannot be\n"
            "             read (the file, and the case or the line and column)\n");
}

static void print_summary(const baseline_record_summary *s)
{
    fprintf(stderr, "wsconform baseline: %zu cases from %zu run(s); %zu unstable%s%s\n", s->cases,
            s->runs, s->unstable, s->unstable ? ": " : "", s->unstable_ids);
    if (*s->unreviewed_ids)
        fprintf(stderr, "wsconform baseline: verdicts that are not OK and have no note of "
                        "OLD (review them): %s\n", s->unreviewed_ids);
}

int cmd_baseline(int argc, char **argv)
{
    static const struct option options[] = {
        {"update", required_argument, NULL, 'u'},
        {"merge", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *old_path = NULL;
    bool merge = false;
    int opt;
    options_reset();
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'u': old_path = optarg; break;
        case 'm': merge = true; break;
        default: return options_usage_status(usage, opt);
        }
    }
    size_t count = (size_t)(argc - optind);
    if (count == 0 || count > RUNS_MAX) {
        fprintf(stderr, "wsconform baseline: expected 1..%d runs, got %zu\n", RUNS_MAX, count);
        usage(stderr);
        return 2;
    }
    if (merge && !old_path) {
        fprintf(stderr, "wsconform baseline: --merge needs --update OLD\n");
        usage(stderr);
        return 2;
    }
    char err[1024];
    baseline *old = NULL;
    if (old_path && !(old = baseline_load(old_path, err, sizeof err))) {
        fprintf(stderr, "wsconform baseline: %s\n", err);
        return 2;
    }
    run_doc *runs = calloc(count, sizeof *runs);
    if (!runs)
        abort();
    int status = 0;
    size_t loaded = 0;
    for (; loaded < count; loaded++)
        if (run_doc_load(&runs[loaded], argv[optind + (int)loaded], err, sizeof err) != 0) {
            fprintf(stderr, "wsconform baseline: %s\n", err);
            status = 2;
            break;
        }
    baseline_record_summary summary;
    if (status == 0) {
        if (baseline_record(runs, count, old, merge, stdout, &summary, err, sizeof err) != 0) {
            fprintf(stderr, "wsconform baseline: %s\n", err);
            status = 2;
        } else {
            print_summary(&summary);
        }
    }
    for (size_t i = 0; i < loaded; i++)
        run_doc_free(&runs[i]);
    free(runs);
    baseline_free(old);
    return status;
}
