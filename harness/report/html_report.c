/* report_html (reports.h): the folder of pages for one or several runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/catalog.h"
#include "report/html_pages.h"
#include "report/reports.h"

bool html_id_names_file(const char *id)
{
    static const char allowed[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_";
    return *id && *id != '.' && strspn(id, allowed) == strlen(id) && !strstr(id, "..") &&
           strlen(id) < 200;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        snprintf(err, errlen, "%s: exists and is not a folder", path);
        return -1;
    }
    snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    return -1;
}

/* mkdir -p */
static int make_dirs(const char *path, char *err, size_t errlen)
{
    char *p = strdup(path);
    if (!p)
        abort();
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++)
        if (*s == '/') {
            *s = '\0';
            rc = make_dir(p, err, errlen);
            *s = '/';
        }
    if (rc == 0)
        rc = make_dir(p, err, errlen);
    free(p);
    return rc;
}

/* Autobahn's rule: lower case letters and digits stay, anything else is _. */
static void make_slugs(html_agent *agents, const run_doc *runs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        html_agent *a = &agents[i];
        a->run = &runs[i];
        size_t n = 0;
        for (const unsigned char *s = (const unsigned char *)runs[i].agent; *s && n < 64; s++) {
            unsigned char c = *s;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            a->slug[n++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? (char)c : '_';
        }
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
    int rc = make_dirs(dir, err, errlen);
    for (size_t i = 0; i < count && rc == 0; i++) {
        snprintf(path, cap, "%s/pages/%s", dir, agents[i].slug);
        rc = make_dirs(path, err, errlen);
        for (size_t j = 0; j < runs[i].count && rc == 0; j++) {
            const run_case *c = &runs[i].cases[j];
            if (!html_id_names_file(c->id))
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
