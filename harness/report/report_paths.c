/* Report folders and file names (report_paths.h). */
#define _DEFAULT_SOURCE
#include "report/report_paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int make_dir(const char *target, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (mkdir(path, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    snprintf(err, errlen, "%s: cannot create %s: %s", target, path,
             errno == EEXIST ? "something else has that name" : strerror(errno));
    return -1;
}

/* mkdir -p of path; errors are about target (the folder or file wanted). */
static int make_dirs(const char *target, const char *path, char *err, size_t errlen)
{
    char *p = strdup(path);
    if (!p)
        abort();
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++)
        if (*s == '/' && s[-1] != '/') {
            *s = '\0';
            rc = make_dir(target, p, err, errlen);
            *s = '/';
        }
    if (rc == 0)
        rc = make_dir(target, p, err, errlen);
    free(p);
    return rc;
}

int report_make_dirs(const char *path, char *err, size_t errlen)
{
    return make_dirs(path, path, err, errlen);
}

int report_make_parent_dirs(const char *file, char *err, size_t errlen)
{
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file)
        return 0;
    char *dir = strndup(file, (size_t)(slash - file));
    if (!dir)
        abort();
    int rc = make_dirs(file, dir, err, errlen);
    free(dir);
    return rc;
}

size_t report_agent_slug(const char *agent, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)agent; *p && n + 1 < cap; p++) {
        if ((*p & 0xc0) == 0x80)
            continue; /* the rest of a character already written */
        unsigned char c = (unsigned char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        out[n++] = (char)((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
    }
    if (cap)
        out[n] = '\0';
    return n;
}
