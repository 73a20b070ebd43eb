/* Loading case files, selecting and ordering cases. */
#include "lang/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/caselang.h"

#ifndef WSCONFORM_CASES_DIR
#define WSCONFORM_CASES_DIR "cases"
#endif

/* Directory nesting followed while looking for case files (a guard against
 * symbolic-link loops). */
#define CATALOG_DEPTH_MAX 32

/* Subdirectory names skipped while walking a tree (see catalog.h). */
#define EXAMPLES_DIR "examples"

const char *catalog_compiled_dir(void)
{
    return WSCONFORM_CASES_DIR;
}

const char *catalog_default_dir(void)
{
    const char *env = getenv("WSCONFORM_CASES");
    return env && *env ? env : catalog_compiled_dir();
}

/* ---- reading files ------------------------------------------------------ */

static int read_file(const char *path, char **text, size_t *len, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_cap, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_cap, "%s: expected a regular file", path);
        fclose(f);
        return -1;
    }
    if ((unsigned long long)st.st_size > CATALOG_FILE_MAX) {
        snprintf(err, err_cap, "%s: expected a case file of at most %u MiB, found %lld bytes", path,
                 CATALOG_FILE_MAX >> 20, (long long)st.st_size);
        fclose(f);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size ? size : 1);
    if (!buf) {
        snprintf(err, err_cap, "%s: out of memory", path);
        fclose(f);
        return -1;
    }
    size_t got = fread(buf, 1, size, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || got != size) {
        snprintf(err, err_cap, "%s: cannot read: %s", path, failed ? strerror(errno) : "file shrank");
        free(buf);
        return -1;
    }
    *text = buf;
    *len = size;
    return 0;
}

int catalog_load_file(const char *path, case_list *list, char *err, size_t err_cap)
{
    char *text;
    size_t len;
    if (read_file(path, &text, &len, err, err_cap) != 0)
        return -1;
    caselang_error e;
    int rc = caselang_parse(text, len, path, true, list, &e);
    free(text);
    if (rc != 0)
        caselang_format_error(&e, err, err_cap);
    return rc;
}

/* ---- finding files ------------------------------------------------------ */

typedef struct path_list {
    char **paths;
    size_t count, cap;
} path_list;

static int add_path(path_list *l, char *path)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p)
            return -1;
        l->paths = p;
        l->cap = cap;
    }
    l->paths[l->count++] = path;
    return 0;
}

static bool has_case_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".case") == 0;
}

static int walk(const char *dir, int depth, path_list *out, char *err, size_t err_cap)
{
    if (depth > CATALOG_DEPTH_MAX) {
        snprintf(err, err_cap, "%s: expected directories nested at most %d deep, found deeper", dir,
                 CATALOG_DEPTH_MAX);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_cap, "%s: cannot open directory: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", hidden files and editors' droppings */
        size_t n = strlen(dir) + 1 + strlen(e->d_name) + 1;
        char *path = malloc(n);
        if (!path) {
            snprintf(err, err_cap, "%s: out of memory", dir);
            rc = -1;
            break;
        }
        snprintf(path, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            free(path); /* a dangling link: not a case file */
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            /* Worked examples of the language reuse real ids; they are read
             * only when named as the root. */
            if (strcmp(e->d_name, EXAMPLES_DIR) != 0)
                rc = walk(path, depth + 1, out, err, err_cap);
            free(path);
        } else if (S_ISREG(st.st_mode) && has_case_suffix(e->d_name)) {
            if (add_path(out, path) != 0) {
                free(path);
                snprintf(err, err_cap, "%s: out of memory", dir);
                rc = -1;
            }
        } else {
            free(path);
        }
    }
    closedir(d);
    return rc;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int catalog_find_files(const char *dir, char ***paths, size_t *count, char *err, size_t err_cap)
{
    path_list l = {0};
    struct stat st;
    *paths = NULL;
    *count = 0;
    if (stat(dir, &st) != 0) {
        snprintf(err, err_cap, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        char *copy = strdup(dir);
        if (!copy || add_path(&l, copy) != 0) {
            free(copy);
            snprintf(err, err_cap, "%s: out of memory", dir);
            return -1;
        }
    } else if (walk(dir, 0, &l, err, err_cap) != 0) {
        for (size_t i = 0; i < l.count; i++)
            free(l.paths[i]);
        free(l.paths);
        return -1;
    }
    if (l.count > 1)
        qsort(l.paths, l.count, sizeof *l.paths, compare_paths);
    *paths = l.paths;
    *count = l.count;
    return 0;
}

void catalog_free_files(char **paths, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

int catalog_load_dir(const char *dir, case_list *list, char *err, size_t err_cap)
{
    char **paths;
    size_t count;
    if (catalog_find_files(dir, &paths, &count, err, err_cap) != 0)
        return -1;
    if (count == 0) {
        snprintf(err, err_cap, "%s: expected *.case files in the case directory, found none", dir);
        free(paths);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = catalog_load_file(paths[i], list, err, err_cap);
    catalog_free_files(paths, count);
    return rc;
}

/* ---- ids ---------------------------------------------------------------- */

static bool all_digits(const char *p, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

int case_id_compare(const char *a, const char *b)
{
    const char *pa = a, *pb = b;
    for (;;) {
        if (!*pa || !*pb) {
            if (*pa || *pb)
                return *pa ? 1 : -1; /* a prefix sorts first */
            break;
        }
        size_t na = strcspn(pa, "."), nb = strcspn(pb, ".");
        bool da = all_digits(pa, na), db = all_digits(pb, nb);
        int c = 0;
        if (da && db) {
            /* By value without overflow: drop leading zeros, then the longer
             * number is the larger. */
            const char *xa = pa, *xb = pb;
            size_t ma = na, mb = nb;
            while (ma > 1 && *xa == '0') {
                xa++;
                ma--;
            }
            while (mb > 1 && *xb == '0') {
                xb++;
                mb--;
            }
            c = ma != mb ? (ma < mb ? -1 : 1) : memcmp(xa, xb, ma);
        } else if (da != db) {
            c = da ? -1 : 1;
        } else {
            c = memcmp(pa, pb, na < nb ? na : nb);
            if (c == 0 && na != nb)
                c = na < nb ? -1 : 1;
        }
        if (c)
            return c < 0 ? -1 : 1;
        pa += na;
        pb += nb;
        if (*pa == '.' && *pb == '.') {
            pa++;
            pb++;
        }
    }
    int c = strcmp(a, b); /* equal by value ("01" and "1"): any fixed order */
    return c < 0 ? -1 : c > 0;
}

bool catalog_id_matches(const char *list, const char *id)
{
    if (!list)
        return false;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *start = p, *end = p + n;
        while (start < end && (*start == ' ' || *start == '\t'))
            start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > start) {
            char pattern[256];
            size_t len = (size_t)(end - start);
            if (len < sizeof pattern) {
                memcpy(pattern, start, len);
                pattern[len] = '\0';
                if (fnmatch(pattern, id, 0) == 0)
                    return true;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

static bool list_has_items(const char *list)
{
    if (!list)
        return false;
    for (const char *p = list; *p; p++)
        if (*p != ',' && *p != ' ' && *p != '\t')
            return true;
    return false;
}

bool catalog_id_selected(const char *include, const char *exclude, const char *id)
{
    if (list_has_items(include) && !catalog_id_matches(include, id))
        return false;
    return !catalog_id_matches(exclude, id);
}

static int compare_cases(const void *a, const void *b)
{
    const case_def *x = *(const case_def *const *)a, *y = *(const case_def *const *)b;
    return case_id_compare(x->id, y->id);
}

int catalog_select(const case_list *all, const char *include, const char *exclude,
                   const case_def ***selected, size_t *count, char *err, size_t err_cap)
{
    *selected = NULL;
    *count = 0;
    if (all->count == 0)
        return 0;
    const case_def **out = malloc(all->count * sizeof *out);
    if (!out) {
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < all->count; i++)
        if (catalog_id_selected(include, exclude, all->cases[i].id))
            out[n++] = &all->cases[i];
    if (n == 0) {
        free(out);
        return 0;
    }
    qsort(out, n, sizeof *out, compare_cases);
    *selected = out;
    *count = n;
    return 0;
}
