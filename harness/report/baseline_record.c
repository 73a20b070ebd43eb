/* Baselines made from finished runs (baseline_record.h). */
#include "report/baseline_record.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lang/catalog.h"
#include "lang/names.h"
#include "report/baseline_file.h"

#define DEFAULT_COMMENT                                                                         \
    "Verdicts (outcome, close_outcome) expected per case; \"note\" says why a verdict that "   \
    "is not OK is accepted. Unstable cases list every verdict seen."

static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* One verdict of one case in one run (or in the old baseline). */
typedef struct sighting {
    const char *id;
    verdict_pair v;
    bool any;       /* the old baseline's unstable case without "seen" */
} sighting;

typedef struct sightings {
    sighting *items;
    size_t count, cap;
} sightings;

static void add(sightings *s, sighting one)
{
    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        if (!s->items)
            abort();
    }
    s->items[s->count++] = one;
}

static int compare_sightings(const void *a, const void *b)
{
    const sighting *x = a, *y = b;
    int d = strcmp(x->id, y->id);
    return d ? d : verdict_pair_compare_names(&x->v, &y->v);
}

/* The cases, each a run of sightings of one id with distinct verdicts. */
typedef struct case_group {
    const sighting *first;
    size_t count;
    bool any;
} case_group;

static int compare_groups(const void *a, const void *b)
{
    const case_group *x = a, *y = b;
    int d = case_id_compare(x->first->id, y->first->id);
    return d ? d : strcmp(x->first->id, y->first->id);
}

static void put_string(FILE *out, const char *s)
{
    cJSON *str = cJSON_CreateString(s);
    char *text = str ? cJSON_PrintUnformatted(str) : NULL;
    if (!text)
        abort();
    fputs(text, out);
    free(text);
    cJSON_Delete(str);
}

static void put_pair(FILE *out, verdict_pair v)
{
    fprintf(out, "[\"%s\", \"%s\"]", verdict_name(v.outcome),
            close_verdict_name(v.close));
}

/* Appends id to a list of ids, "..." once it is full. */
static void list_id(char *list, size_t cap, const char *id)
{
    size_t used = strlen(list);
    if (used + strlen(id) + 5 >= cap) {
        if (used + 5 < cap && (used < 3 || strcmp(list + used - 3, "...") != 0))
            strcat(list, used ? " ..." : "...");
        return;
    }
    if (used)
        strcat(list, " ");
    strcat(list, id);
}

static void put_case(FILE *out, const case_group *g, const baseline *old,
                     baseline_record_summary *sum, bool last)
{
    const char *id = g->first->id;
    const baseline_entry *was = old ? baseline_find(old, id) : NULL;
    bool unstable = g->any || g->count > 1;
    bool all_ok = !unstable && g->first->v.outcome == VERDICT_OK && g->first->v.close == CLOSE_OK;
    const char *note = was && was->note && *was->note && !all_ok ? was->note : NULL;
    fputs("    ", out);
    put_string(out, id);
    if (unstable) {
        fputs(": {\"unstable\": true", out);
        if (!g->any) {
            fputs(", \"seen\": [", out);
            for (size_t i = 0; i < g->count; i++) {
                fputs(i ? ", " : "", out);
                put_pair(out, g->first[i].v);
            }
            fputc(']', out);
        }
        sum->unstable++;
        list_id(sum->unstable_ids, sizeof sum->unstable_ids, id);
    } else {
        fprintf(out, ": {\"outcome\": \"%s\", \"close_outcome\": \"%s\"",
                verdict_name(g->first->v.outcome),
                close_verdict_name(g->first->v.close));
    }
    if (!all_ok && !note)
        list_id(sum->unreviewed_ids, sizeof sum->unreviewed_ids, id);
    if (!note && unstable)
        note = BASELINE_UNSTABLE_NOTE;
    if (note) {
        fputs(", \"note\": ", out);
        put_string(out, note);
    }
    fputs(last ? "}\n" : "},\n", out);
}

/* Every verdict of the runs (and of old when merging), in sightings. */
static int gather(const run_doc *runs, size_t count, const baseline *old, bool merge,
                  sightings *all, char *err, size_t errlen)
{
    const char *agent = json_string(runs[0].root, "agent", "");
    for (size_t r = 0; r < count; r++) {
        const char *this_agent = json_string(runs[r].root, "agent", "");
        if (strcmp(this_agent, agent) != 0) {
            say(err, errlen, "%s: agent \"%s\", but %s has \"%s\": a baseline is made from runs "
                             "of one agent", runs[r].path, this_agent, runs[0].path, agent);
            return -1;
        }
        for (size_t i = 0; i < runs[r].count; i++) {
            const run_case *c = &runs[r].cases[i];
            sighting s = {.id = c->id};
            if (!run_case_verdict(&runs[r], c, &s.v, err, errlen))
                return -1;
            add(all, s);
        }
    }
    for (size_t i = 0; merge && old && i < old->count; i++) {
        const baseline_entry *e = &old->entries[i];
        if (e->seen_count == 0)
            add(all, (sighting){.id = e->id, .any = true});
        for (size_t k = 0; k < e->seen_count; k++)
            add(all, (sighting){.id = e->id, .v = e->seen[k]});
    }
    return 0;
}

/* Groups the sorted sightings by case, dropping repeated verdicts. */
static case_group *group(sightings *all, size_t *count)
{
    qsort(all->items, all->count, sizeof *all->items, compare_sightings);
    size_t kept = 0;
    for (size_t i = 0; i < all->count; i++) {
        sighting *s = &all->items[i];
        if (kept && strcmp(all->items[kept - 1].id, s->id) == 0 && !s->any &&
            !all->items[kept - 1].any && compare_sightings(&all->items[kept - 1], s) == 0)
            continue;
        all->items[kept++] = *s;
    }
    all->count = kept;
    case_group *groups = calloc(kept ? kept : 1, sizeof *groups);
    if (!groups)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < kept; i++) {
        sighting *s = &all->items[i];
        if (!n || strcmp(groups[n - 1].first->id, s->id) != 0)
            groups[n++] = (case_group){.first = s};
        case_group *g = &groups[n - 1];
        if (s->any)
            g->any = true;  /* the old case took any verdict: so does the new one */
        else
            g->count++;
    }
    *count = n;
    qsort(groups, n, sizeof *groups, compare_groups);
    return groups;
}

static void put_head(FILE *out, const run_doc *runs, size_t count, const baseline *old, bool merge)
{
    const run_doc *last = &runs[count - 1];
    const char *server = old ? json_string(old->root, "server", NULL) : NULL;
    const char *comment = old ? json_string(old->root, "comment", NULL) : NULL;
    double old_runs = merge && old ? json_number(old->root, "runs", 0) : 0;
    fputs("{\n", out);
    if (server) {
        fputs("  \"server\": ", out);
        put_string(out, server);
        fputs(",\n", out);
    }
    fputs("  \"agent\": ", out);
    put_string(out, json_string(last->root, "agent", ""));
    fputs(",\n  \"wsconform\": ", out);
    put_string(out, json_string(last->root, "version", WSCONFORM_VERSION));
    fprintf(out, ",\n  \"runs\": %zu,\n  \"comment\": ",
            count + (old_runs > 0 && old_runs < 1e9 ? (size_t)old_runs : 0));
    put_string(out, comment ? comment : DEFAULT_COMMENT);
    fputs(",\n  \"cases\": {\n", out);
}

int baseline_record(const run_doc *runs, size_t count, const baseline *old, bool merge,
                    FILE *out, baseline_record_summary *summary, char *err, size_t errlen)
{
    *summary = (baseline_record_summary){0};
    sightings all = {0};
    if (gather(runs, count, old, merge, &all, err, errlen) != 0) {
        free(all.items);
        return -1;
    }
    size_t n;
    case_group *groups = group(&all, &n);
    put_head(out, runs, count, old, merge);
    for (size_t i = 0; i < n; i++)
        put_case(out, &groups[i], old, summary, i + 1 == n);
    fputs("  }\n}\n", out);
    summary->cases = n;
    summary->runs = count;
    free(groups);
    free(all.items);
    if (fflush(out) != 0 || ferror(out)) {
        say(err, errlen, "cannot write the baseline");
        return -1;
    }
    return 0;
}
