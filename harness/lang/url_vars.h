/*
 * Parts of the target URL that a case's request target and header values may
 * name, so that a case fits any endpoint: $host (an IPv6 literal in
 * brackets), $port, $authority (the default Host value: host, and port unless
 * it is the scheme's), $path (the URL's path), $target (path and query, the
 * default request target). $$ is one dollar sign.
 */
#ifndef WSCONFORM_URL_VARS_H
#define WSCONFORM_URL_VARS_H

#include <stddef.h>

#include "run/target_url.h"

/* 0 if every '$' in text starts a known name or "$$"; else -1 with
 * "expected $host, $port, $authority, $path, $target or $$, found '...'" in err. */
int url_vars_check(const char *text, char *err, size_t cap);

/* text with every name replaced by its part of url, in a new string (free()
 * it); NULL if out of memory. text must have passed url_vars_check(). */
char *url_vars_expand(const char *text, const target_url *url);

#endif
