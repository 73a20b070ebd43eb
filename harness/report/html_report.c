/* report_html (reports.h): the folder of pages for one or several runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/catalog.h"
#include "report/html_pages.h"
#include "report/report_paths.h"
#include "report/reports.h"

/* Autobahn's rule: lower case letters and digits stay, anything else is _. */
static void make_slugs(html_agent *agents, const run_doc *runs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        html_agent *a = &agents[i];
        a->run = &runs[i];
        size_t n = report_agent_slug(runs[i].agent, a->slug, 65);
        if (n == 0)
            memcpy(a->slug, "agent", (n = 5));
        a->slug[n] = '\0';
        /* the same name twice (two runs of one agent) gets _2, _3... */
        for (unsigned k = 2;; k++) {
            bool taken = false;
            for (size_t j = 0; j < i; j++)
                taken |= strcmp(agents[j].slug, a->slug) == 0;
            if (!taken)
                break;
            snprintf(a->slug + n, sizeof a->slug - n, "_%u", k);
        }
    }
}

static int compare_ids(const void *a, const void *b)
{
    return case_id_compare(*(const char *const *)a, *(const char *const *)b);
}

/* Every id of every run, in case order, each once. */
static const char **all_ids(const run_doc *runs, size_t count, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += runs[i].count;
    const char **ids = malloc((total ? total : 1) * sizeof *ids);
    if (!ids)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < runs[i].count; j++)
            ids[k++] = runs[i].cases[j].id;
    qsort(ids, total, sizeof *ids, compare_ids);
    size_t out = 0;
    for (size_t i = 0; i < total; i++)
        if (out == 0 || strcmp(ids[out - 1], ids[i]) != 0)
            ids[out++] = ids[i];
    *n = out;
    return ids;
}

int report_html(const run_doc *runs, size_t count, const char *dir, char *err, size_t errlen)
{
    html_agent *agents = calloc(count ? count : 1, sizeof *agents);
    if (!agents)
        abort();
    make_slugs(agents, runs, count);
    size_t id_count = 0;
    const char **ids = all_ids(runs, count, &id_count);
    size_t cap = strlen(dir) + 300;
    char *path = malloc(cap);
    if (!path)
        abort();
    int rc = report_make_dirs(dir, err, errlen);
    for (size_t i = 0; i < count && rc == 0; i++) {
        snprintf(path, cap, "%s/pages/%s", dir, agents[i].slug);
        rc = report_make_dirs(path, err, errlen);
        for (size_t j = 0; j < runs[i].count && rc == 0; j++) {
            const run_case *c = &runs[i].cases[j];
            if (!run_doc_id_names_file(c->id))
                continue;
            snprintf(path, cap, "%s/pages/%s/%s.html", dir, agents[i].slug, c->id);
            rc = html_case_page_write(agents, count, i, c, path, err, errlen);
        }
    }
    if (rc == 0)
        rc = html_index_write(agents, count, ids, id_count, dir, err, errlen);
    free(path);
    free(ids);
    free(agents);
    return rc;
}
