/* Baseline files and the gate that compares a run with one (baseline.h). */
#include "report/baseline_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lang/catalog.h"

/* A baseline of the whole library is under 1 MiB. */
#define BASELINE_MAX_BYTES (16u << 20)

static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void *checked_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

/* Reads one [OUTCOME, CLOSE] pair of "seen". */
static bool read_pair(const cJSON *pair, verdict_pair *out, char *why, size_t whylen)
{
    const cJSON *o = cJSON_GetArrayItem(pair, 0), *c = cJSON_GetArrayItem(pair, 1);
    if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsString(o) ||
        !cJSON_IsString(c)) {
        say(why, whylen, "\"seen\" must be a list of [outcome, close_outcome] pairs of strings");
        return false;
    }
    return verdict_pair_parse(o->valuestring, c->valuestring, out, why, whylen);
}

/* Checks and reads one case; false with what is wrong in why. */
static bool read_entry(const cJSON *item, baseline_entry *e, char *why, size_t whylen)
{
    *e = (baseline_entry){.id = item->string};
    if (!cJSON_IsObject(item)) {
        say(why, whylen, "expected an object with \"outcome\" and \"close_outcome\"");
        return false;
    }
    const cJSON *unstable = cJSON_GetObjectItemCaseSensitive(item, "unstable");
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(item, "note");
    const cJSON *seen = cJSON_GetObjectItemCaseSensitive(item, "seen");
    if (unstable && !cJSON_IsBool(unstable)) {
        say(why, whylen, "\"unstable\" must be true or false");
        return false;
    }
    if (note && !cJSON_IsString(note)) {
        say(why, whylen, "\"note\" must be a string");
        return false;
    }
    e->note = note ? note->valuestring : NULL;
    e->unstable = cJSON_IsTrue(unstable);
    if (!e->unstable) {
        const char *o = json_string(item, "outcome", NULL), *c = json_string(item, "close_outcome", NULL);
        if (!o || !c) {
            say(why, whylen, "no string \"%s\" (a stable case needs \"outcome\" and "
                             "\"close_outcome\")", o ? "close_outcome" : "outcome");
            return false;
        }
        e->seen = checked_calloc(1, sizeof *e->seen);
        e->seen_count = 1;
        return verdict_pair_parse(o, c, &e->seen[0], why, whylen);
    }
    if (!e->note || !*e->note) {
        say(why, whylen, "unstable without a \"note\" saying why");
        return false;
    }
    if (!seen)
        return true;
    if (!cJSON_IsArray(seen) || cJSON_GetArraySize(seen) == 0) {
        say(why, whylen, "\"seen\" must be a non-empty list of [outcome, close_outcome] pairs");
        return false;
    }
    e->seen = checked_calloc((size_t)cJSON_GetArraySize(seen), sizeof *e->seen);
    const cJSON *pair;
    cJSON_ArrayForEach(pair, seen) {
        if (!read_pair(pair, &e->seen[e->seen_count], why, whylen))
            return false;
        e->seen_count++;
    }
    return true;
}

static int compare_by_id(const void *a, const void *b)
{
    return strcmp((*(const baseline_entry *const *)a)->id, (*(const baseline_entry *const *)b)->id);
}

baseline *baseline_load(const char *path, char *err, size_t errlen)
{
    baseline *b = checked_calloc(1, sizeof *b);
    b->path = strdup(path);
    if (!b->path)
        abort();
    b->root = json_file_load(path, BASELINE_MAX_BYTES, err, errlen);
    if (!b->root)
        goto fail;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(b->root, "cases");
    if (!cJSON_IsObject(b->root) || !cJSON_IsObject(cases)) {
        say(err, errlen, "%s: expected a baseline: a JSON object whose \"cases\" is an object "
                         "{ID: {\"outcome\": ..., \"close_outcome\": ...}}", path);
        goto fail;
    }
    size_t n = (size_t)cJSON_GetArraySize(cases);
    b->entries = checked_calloc(n, sizeof *b->entries);
    const cJSON *item;
    char why[512];
    cJSON_ArrayForEach(item, cases) {
        baseline_entry *e = &b->entries[b->count++];
        if (!read_entry(item, e, why, sizeof why)) {
            say(err, errlen, "%s: case %.64s: %s", path, item->string, why);
            goto fail;
        }
    }
    b->by_id = checked_calloc(b->count, sizeof *b->by_id);
    for (size_t i = 0; i < b->count; i++)
        b->by_id[i] = &b->entries[i];
    qsort(b->by_id, b->count, sizeof *b->by_id, compare_by_id);
    for (size_t i = 1; i < b->count; i++)
        if (strcmp(b->by_id[i]->id, b->by_id[i - 1]->id) == 0) {
            say(err, errlen, "%s: case %.64s: listed twice", path, b->by_id[i]->id);
            goto fail;
        }
    return b;
fail:
    baseline_free(b);
    return NULL;
}

void baseline_free(baseline *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->count; i++)
        free(b->entries[i].seen);
    free(b->entries);
    free(b->by_id);
    cJSON_Delete(b->root);
    free(b->path);
    free(b);
}

const baseline_entry *baseline_find(const baseline *b, const char *id)
{
    size_t lo = 0, hi = b->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(b->by_id[mid]->id, id);
        if (d == 0)
            return b->by_id[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Whether the run's --cases/--exclude (results.json "selection") took id. */
static bool run_selects(const run_doc *run, const char *id)
{
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(run->root, "selection");
    return catalog_id_selected(json_string(sel, "cases", NULL), json_string(sel, "exclude", NULL),
                               id);
}

/* One line of the gate's findings. */
typedef enum finding_kind { REGRESSION, IMPROVEMENT, NEW_CASE, MISSING, FINDING_KINDS } finding_kind;

typedef struct finding {
    const baseline_entry *expected;  /* NULL for a new case */
    const run_case *got;             /* NULL for a missing case */
    verdict_pair verdict;            /* of got */
} finding;

typedef struct gate_state {
    finding *lists[FINDING_KINDS];
    size_t counts[FINDING_KINDS];
    size_t unchanged, not_selected;
} gate_state;

static void add(gate_state *g, finding_kind k, finding f)
{
    g->lists[k][g->counts[k]++] = f;
}

/* "A/B or C/D" of an entry, "any verdict" for an unstable one without "seen". */
static void expected_text(const baseline_entry *e, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    if (e->seen_count == 0)
        snprintf(buf, cap, "any verdict");
    for (size_t i = 0; i < e->seen_count && used < cap; i++) {
        char one[64];
        int n = snprintf(buf + used, cap - used, "%s%s", i ? " or " : "",
                         verdict_pair_text(e->seen[i], one, sizeof one));
        used += n > 0 ? (size_t)n : 0;
    }
}

static void print_finding(FILE *out, finding_kind k, const finding *f)
{
    static const char *const words[FINDING_KINDS] = {"REGRESSION", "IMPROVED", "NEW", "MISSING"};
    char want[512], got[64];
    const char *id = f->got ? f->got->id : f->expected->id;
    fprintf(out, "%s %s: ", words[k], id);
    if (k == MISSING) {
        expected_text(f->expected, want, sizeof want);
        fprintf(out, "expected %s, not in the run though its selection takes it\n", want);
        return;
    }
    verdict_pair_text(f->verdict, got, sizeof got);
    if (k == NEW_CASE) {
        fprintf(out, "%s", got);
    } else {
        expected_text(f->expected, want, sizeof want);
        fprintf(out, "expected %s, got %s", want, got);
    }
    if (*f->got->reason)
        fprintf(out, ": %s", f->got->reason);
    fputc('\n', out);
}

static cJSON *pair_json(verdict_pair v)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(verdict_name(v.outcome)));
    cJSON_AddItemToArray(a, cJSON_CreateString(close_verdict_name(v.close)));
    return a;
}

static cJSON *finding_json(finding_kind k, const finding *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", f->got ? f->got->id : f->expected->id);
    if (f->expected) {
        cJSON *list = cJSON_AddArrayToObject(o, "expected");
        for (size_t i = 0; i < f->expected->seen_count; i++)
            cJSON_AddItemToArray(list, pair_json(f->expected->seen[i]));
    }
    if (k != MISSING) {
        cJSON_AddItemToObject(o, "got", pair_json(f->verdict));
        cJSON_AddStringToObject(o, "reason", f->got->reason);
    }
    return o;
}

static int write_json(const baseline *b, const gate_state *g, const char *path, char *err,
                      size_t errlen)
{
    static const char *const keys[FINDING_KINDS] = {"regressions", "improvements", "new", "missing"};
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "baseline", b->path);
    for (int k = 0; k < FINDING_KINDS; k++) {
        cJSON *list = cJSON_AddArrayToObject(root, keys[k]);
        for (size_t i = 0; i < g->counts[k]; i++)
            cJSON_AddItemToArray(list, finding_json((finding_kind)k, &g->lists[k][i]));
    }
    cJSON *counts = cJSON_AddObjectToObject(root, "counts");
    for (int k = 0; k < FINDING_KINDS; k++)
        cJSON_AddNumberToObject(counts, keys[k], (double)g->counts[k]);
    cJSON_AddNumberToObject(counts, "unchanged", (double)g->unchanged);
    cJSON_AddNumberToObject(counts, "not_selected", (double)g->not_selected);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        abort();
    FILE *f = fopen(path, "w");
    int rc = 0;
    if (!f || fputs(text, f) == EOF || fputc('\n', f) == EOF) {
        say(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        rc = -1;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        say(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        rc = -1;
    }
    free(text);
    return rc;
}

/* Sorts every case of the run and of the baseline into g; -1 with err on a
 * verdict name the run should not hold. */
static int compare_cases(const baseline *b, const run_doc *run, gate_state *g, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < run->count; i++) {
        const run_case *c = &run->cases[i];
        finding f = {.expected = baseline_find(b, c->id), .got = c};
        if (!run_case_verdict(run, c, &f.verdict, err, errlen))
            return -1;
        if (!f.expected) {
            add(g, NEW_CASE, f);
            continue;
        }
        verdict_change change = f.expected->seen_count
                                    ? verdict_against(f.expected->seen, f.expected->seen_count, f.verdict)
                                    : CHANGE_NONE;
        if (change == CHANGE_WORSE)
            add(g, REGRESSION, f);
        else if (change == CHANGE_BETTER)
            add(g, IMPROVEMENT, f);
        else
            g->unchanged++;
    }
    for (size_t i = 0; i < b->count; i++) {
        const baseline_entry *e = &b->entries[i];
        if (run_doc_find(run, e->id))
            continue;
        if (run_selects(run, e->id))
            add(g, MISSING, (finding){.expected = e});
        else
            g->not_selected++;
    }
    return 0;
}

int baseline_gate(const baseline *b, const run_doc *run, FILE *out, const char *json_path,
                  char *err, size_t errlen)
{
    gate_state g = {0};
    for (int k = 0; k < FINDING_KINDS; k++)
        g.lists[k] = checked_calloc(run->count + b->count, sizeof *g.lists[k]);
    int rc = compare_cases(b, run, &g, err, errlen);
    if (rc == 0) {
        const char *agent = json_string(b->root, "agent", "");
        const char *run_agent = json_string(run->root, "agent", "");
        if (*agent && *run_agent && strcmp(agent, run_agent) != 0)
            fprintf(out, "note: baseline %s was recorded with %s, this run is %s\n", b->path,
                    agent, run_agent);
        for (int k = 0; k < FINDING_KINDS; k++)
            for (size_t i = 0; i < g.counts[k]; i++)
                print_finding(out, (finding_kind)k, &g.lists[k][i]);
        fprintf(out, "baseline %s: %zu regressions, %zu improvements, %zu new, %zu missing, "
                     "%zu unchanged, %zu not selected\n",
                b->path, g.counts[REGRESSION], g.counts[IMPROVEMENT], g.counts[NEW_CASE],
                g.counts[MISSING], g.unchanged, g.not_selected);
        fflush(out);
        if (json_path && write_json(b, &g, json_path, err, errlen) != 0)
            rc = -1;
        else
            rc = g.counts[REGRESSION] || g.counts[MISSING] ? 1 : 0;
    }
    for (int k = 0; k < FINDING_KINDS; k++)
        free(g.lists[k]);
    return rc;
}
