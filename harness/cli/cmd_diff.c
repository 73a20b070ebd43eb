/* `wsconform diff A B`: what changed between two finished runs. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "report/run_doc.h"
#include "report/verdict_order.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wsconform diff A B\n"
            "  A, B   the --out folders of two runs (or their results.json)\n"
            "Prints every case whose verdicts or reason differ, B against A, marked better\n"
            "or worse (per dimension OK < INFORMATIONAL < NON-STRICT < UNIMPLEMENTED <\n"
            "FAILED < NOT RUN, close OK < INFORMATIONAL < WRONG CODE < UNCLEAN < FAILED BY\n"
            "CLIENT < FAILED < NOT RUN; worse if either dimension is), with both reasons:\n"
            "  CHANGED ID: O/C -> O/C (better|worse|reason only)\n"
            "then the cases only in A (ONLY-A) and only in B (ONLY-B), and a count line.\n"
            "exit status: 0 nothing changed, 1 something did, 2 usage error or a run that\n"
            "             cannot be read\n");
}

typedef struct diff_counts {
    size_t better, worse, reason_only, only_a, only_b, unchanged;
} diff_counts;

static int pair_of(const run_doc *run, const run_case *c, verdict_pair *v)
{
    char err[700];
    if (run_case_verdict(run, c, v, err, sizeof err))
        return 0;
    fprintf(stderr, "wsconform diff: %s\n", err);
    return -1;
}

static void print_reason(const char *side, const char *reason)
{
    printf("  %s: %s\n", side, *reason ? reason : "(no reason given)");
}

/* The cases of both runs, compared. -1 on a verdict name neither table has. */
static int compare_runs(const run_doc *a, const run_doc *b, diff_counts *n)
{
    char from[64], to[64];
    for (size_t i = 0; i < a->count; i++) {
        const run_case *ca = &a->cases[i], *cb = run_doc_find(b, ca->id);
        if (!cb)
            continue;
        verdict_pair va, vb;
        if (pair_of(a, ca, &va) != 0 || pair_of(b, cb, &vb) != 0)
            return -1;
        verdict_change change = verdict_pair_compare(va, vb);
        bool same_reason = strcmp(ca->reason, cb->reason) == 0;
        if (change == CHANGE_NONE && same_reason) {
            n->unchanged++;
            continue;
        }
        if (change == CHANGE_BETTER)
            n->better++;
        else if (change == CHANGE_WORSE)
            n->worse++;
        else
            n->reason_only++;
        printf("CHANGED %s: %s -> %s (%s)\n", ca->id, verdict_pair_text(va, from, sizeof from),
               verdict_pair_text(vb, to, sizeof to),
               change == CHANGE_NONE ? "reason only" : verdict_change_word(change));
        print_reason("A", ca->reason);
        print_reason("B", cb->reason);
    }
    for (int side = 0; side < 2; side++) {
        const run_doc *here = side ? b : a, *there = side ? a : b;
        for (size_t i = 0; i < here->count; i++) {
            const run_case *c = &here->cases[i];
            verdict_pair v;
            if (run_doc_find(there, c->id))
                continue;
            if (pair_of(here, c, &v) != 0)
                return -1;
            printf("ONLY-%c %s: %s%s%s\n", side ? 'B' : 'A', c->id,
                   verdict_pair_text(v, from, sizeof from), *c->reason ? ": " : "", c->reason);
            *(side ? &n->only_b : &n->only_a) += 1;
        }
    }
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    options_reset();
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
        return options_usage_status(usage, opt);
    if (argc - optind != 2) {
        fprintf(stderr, "wsconform diff: expected two runs, got %d\n", argc - optind);
        usage(stderr);
        return 2;
    }
    run_doc a, b;
    char err[1024];
    if (run_doc_load(&a, argv[optind], err, sizeof err) != 0) {
        fprintf(stderr, "wsconform diff: %s\n", err);
        return 2;
    }
    if (run_doc_load(&b, argv[optind + 1], err, sizeof err) != 0) {
        fprintf(stderr, "wsconform diff: %s\n", err);
        run_doc_free(&a);
        return 2;
    }
    diff_counts n = {0};
    int status = 2;
    if (compare_runs(&a, &b, &n) == 0) {
        printf("diff %s %s: %zu changed (%zu better, %zu worse, %zu reason only), %zu only in "
               "A, %zu only in B, %zu unchanged\n",
               a.path, b.path, n.better + n.worse + n.reason_only, n.better, n.worse,
               n.reason_only, n.only_a, n.only_b, n.unchanged);
        status = n.better + n.worse + n.reason_only + n.only_a + n.only_b ? 1 : 0;
    }
    run_doc_free(&a);
    run_doc_free(&b);
    return status;
}
