/* `wsconform baseline RUN...`: a baseline of expected verdicts made from runs;
 * with --check, a finished run compared with one. */
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
            "       wsconform baseline --check FILE RUN [--json OUT]\n"
            "  RUN            the --out folder of a run (or its results.json); several runs\n"
            "                 of one agent: a case whose verdicts differ between them\n"
            "                 becomes unstable, with every verdict seen\n"
            "  --update OLD   the baseline this one replaces: its notes (the reasons for\n"
            "                 verdicts that are not OK), \"server\" and \"comment\" are kept\n"
            "  --merge        OLD's verdicts count as seen too and its runs are added\n"
            "                 (a case of OLD that no RUN played keeps its verdicts)\n"
            "The baseline goes to stdout (one case per line), for `wsconform run\n"
            "--baseline FILE`; what became unstable or lacks a note goes to stderr.\n"
            "  --check FILE   compare a finished run with the baseline FILE, as run\n"
            "                 --baseline does: regressions, improvements, new and missing\n"
            "                 cases and a count line (exit 1 on a regression or a missing case)\n"
            "  --json OUT     with --check: the same as JSON, into OUT\n"
            "exit status: 0 written (--check: no regression), 1 --check found a regression,\n"
            "             2 usage error or a run or baseline that cannot be read (the file,\n"
            "             and the case or the line and column)\n");
}

static void print_summary(const baseline_record_summary *s)
{
    fprintf(stderr, "wsconform baseline: %zu cases from %zu run(s); %zu unstable%s%s\n", s->cases,
            s->runs, s->unstable, s->unstable ? ": " : "", s->unstable_ids);
    if (*s->unreviewed_ids)
        fprintf(stderr, "wsconform baseline: verdicts that are not OK and have no note of "
                        "OLD (review them): %s\n", s->unreviewed_ids);
}

/* --check: the gate of `run --baseline` over a finished run. */
static int check_run(const char *baseline_path, const char *run_path, const char *json_path)
{
    char err[1024];
    baseline *expected = baseline_load(baseline_path, err, sizeof err);
    if (!expected) {
        fprintf(stderr, "wsconform baseline: %s\n", err);
        return 2;
    }
    run_doc run;
    int status = 2;
    if (run_doc_load(&run, run_path, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform baseline: %s\n", err);
    } else {
        status = baseline_gate(expected, &run, stdout, json_path, err, sizeof err);
        if (status < 0) {
            fprintf(stderr, "wsconform baseline: %s\n", err);
            status = 2;
        }
        run_doc_free(&run);
    }
    baseline_free(expected);
    return status;
}

int cmd_baseline(int argc, char **argv)
{
    static const struct option options[] = {
        {"update", required_argument, NULL, 'u'},
        {"merge", no_argument, NULL, 'm'},
        {"check", required_argument, NULL, 'c'},
        {"json", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *old_path = NULL, *check_path = NULL, *json_path = NULL;
    bool merge = false;
    int opt;
    options_reset();
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'u': old_path = optarg; break;
        case 'm': merge = true; break;
        case 'c': check_path = optarg; break;
        case 'j': json_path = optarg; break;
        default: return options_usage_status(usage, opt);
        }
    }
    size_t count = (size_t)(argc - optind);
    if (check_path || json_path) {
        if (!check_path || count != 1 || old_path || merge) {
            fprintf(stderr, "wsconform baseline: --check FILE takes one run%s\n",
                    check_path ? ", and neither --update nor --merge" : " (--json goes with it)");
            usage(stderr);
            return 2;
        }
        return check_run(check_path, argv[optind], json_path);
    }
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
