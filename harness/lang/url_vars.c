/* Parts of the target URL in request targets and header values (url_vars.h). */
#include "lang/url_vars.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = { "authority", "target", "host", "port", "path" };

/* Length of the name at p (after '$'), or 0 if none matches. */
static size_t name_at(const char *p, size_t *which)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(p, names[i], n) == 0) {
            *which = i;
            return n;
        }
    }
    return 0;
}

int url_vars_check(const char *text, char *err, size_t cap)
{
    for (const char *p = strchr(text, '$'); p; p = strchr(p, '$')) {
        size_t which;
        if (p[1] == '$') {
            p += 2;
            continue;
        }
        size_t n = name_at(p + 1, &which);
        if (n == 0) {
            snprintf(err, cap,
                     "expected $host, $port, $authority, $path, $target or $$, found '%.12s'", p);
            return -1;
        }
        p += 1 + n;
    }
    return 0;
}

/* Writes part `which` of url into out (cap bytes, NUL-terminated). */
static void part(size_t which, const target_url *url, char *out, size_t cap)
{
    const char *open = url->ipv6_literal ? "[" : "", *close = url->ipv6_literal ? "]" : "";
    bool default_port = url->port == (url->secure ? 443 : 80);
    switch (which) {
    case 0: /* authority: as the default Host field */
        if (default_port)
            snprintf(out, cap, "%s%s%s", open, url->host, close);
        else
            snprintf(out, cap, "%s%s%s:%u", open, url->host, close, url->port);
        break;
    case 1:
        snprintf(out, cap, "%s", url->target);
        break;
    case 2:
        snprintf(out, cap, "%s%s%s", open, url->host, close);
        break;
    case 3:
        snprintf(out, cap, "%u", url->port);
        break;
    default: /* path: the target without its query */
        snprintf(out, cap, "%.*s", (int)strcspn(url->target, "?"), url->target);
        break;
    }
}

char *url_vars_expand(const char *text, const target_url *url)
{
    size_t cap = strlen(text) + 1, len = 0;
    for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$'))
        cap += sizeof url->target + sizeof url->host + 8;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = text; *p;) {
        size_t which, n;
        if (p[0] == '$' && p[1] == '$') {
            out[len++] = '$';
            p += 2;
        } else if (p[0] == '$' && (n = name_at(p + 1, &which)) != 0) {
            part(which, url, out + len, cap - len);
            len += strlen(out + len);
            p += 1 + n;
        } else {
            out[len++] = *p++;
        }
    }
    out[len] = '\0';
    return out;
}
