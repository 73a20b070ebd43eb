/* The order of verdicts (verdict_order.h). */
#include "report/verdict_order.h"

#include <stdio.h>
#include <string.h>

#include "lang/names.h"

/* Rank of each verdict, 0 the best. */
static const int outcome_rank[VERDICT_COUNT] = {
    [VERDICT_OK] = 0,           [VERDICT_INFORMATIONAL] = 1, [VERDICT_NON_STRICT] = 2,
    [VERDICT_UNIMPLEMENTED] = 3, [VERDICT_FAILED] = 4,       [VERDICT_NOT_RUN] = 5,
};

static const int close_rank[] = {
    [CLOSE_OK] = 0,         [CLOSE_INFORMATIONAL] = 1,    [CLOSE_WRONG_CODE] = 2,
    [CLOSE_UNCLEAN] = 3,    [CLOSE_FAILED_BY_CLIENT] = 4, [CLOSE_FAILED] = 5,
    [CLOSE_NOT_RUN] = 6,
};

static bool lookup(const name_table *t, const char *what, const char *name, int *value,
                   char *err, size_t errlen)
{
    if (name_lookup(t, name, strlen(name), value))
        return true;
    char names[256];
    name_list(t, " or ", names, sizeof names);
    snprintf(err, errlen, "unknown %s \"%.64s\" (expected %s)", what, name, names);
    return false;
}

bool verdict_pair_parse(const char *outcome, const char *close, verdict_pair *out, char *err,
                        size_t errlen)
{
    int o, c;
    if (!lookup(&verdict_names, "outcome", outcome, &o, err, errlen) ||
        !lookup(&close_verdict_names, "close outcome", close, &c, err, errlen))
        return false;
    *out = (verdict_pair){(verdict)o, (close_verdict)c};
    return true;
}

bool run_case_verdict(const run_doc *run, const run_case *c, verdict_pair *out, char *err,
                      size_t errlen)
{
    char why[512];
    if (verdict_pair_parse(c->outcome, c->close_outcome, out, why, sizeof why))
        return true;
    snprintf(err, errlen, "%s: case %.64s: %s", run->path, c->id, why);
    return false;
}

const char *verdict_pair_text(verdict_pair v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", verdict_name(v.outcome),
             close_verdict_name(v.close));
    return buf;
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

verdict_change verdict_pair_compare(verdict_pair from, verdict_pair to)
{
    int o = sign(outcome_rank[to.outcome] - outcome_rank[from.outcome]);
    int c = sign(close_rank[to.close] - close_rank[from.close]);
    if (o > 0 || c > 0)
        return CHANGE_WORSE;
    return o < 0 || c < 0 ? CHANGE_BETTER : CHANGE_NONE;
}

verdict_change verdict_against(const verdict_pair *allowed, size_t count, verdict_pair got)
{
    verdict_change best = CHANGE_WORSE;
    for (size_t i = 0; i < count; i++) {
        verdict_change c = verdict_pair_compare(allowed[i], got);
        if (c == CHANGE_NONE)
            return CHANGE_NONE;
        if (c == CHANGE_BETTER)
            best = CHANGE_BETTER;
    }
    return best;
}

const char *verdict_change_word(verdict_change c)
{
    return c == CHANGE_BETTER ? "better" : c == CHANGE_WORSE ? "worse" : "same";
}

int verdict_pair_compare_names(const void *a, const void *b)
{
    const verdict_pair *x = a, *y = b;
    int d = strcmp(verdict_name(x->outcome), verdict_name(y->outcome));
    return d ? d : strcmp(close_verdict_name(x->close), close_verdict_name(y->close));
}
