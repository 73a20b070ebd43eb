/* ws:// and wss:// URLs (RFC 6455 §3). */
#include "run/target_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t cap, const char *msg, const char *text)
{
    snprintf(err, cap, "%s: %s", msg, text);
    return -1;
}

int target_url_parse(const char *text, target_url *url, char *err, size_t cap)
{
    memset(url, 0, sizeof *url);
    const char *p;
    if (strncasecmp(text, "ws://", 5) == 0) {
        p = text + 5;
    } else if (strncasecmp(text, "wss://", 6) == 0) {
        url->secure = true;
        p = text + 6;
    } else {
        return fail(err, cap, "expected a ws:// or wss:// URL", text);
    }
    if (strchr(text, '#'))
        return fail(err, cap, "a WebSocket URL has no fragment (RFC 6455 3)", text);

    const char *host_end;
    if (*p == '[') {
        host_end = strchr(p, ']');
        if (!host_end)
            return fail(err, cap, "unterminated IPv6 literal", text);
        if ((size_t)(host_end - p - 1) >= sizeof url->host || host_end == p + 1)
            return fail(err, cap, "bad IPv6 literal", text);
        memcpy(url->host, p + 1, (size_t)(host_end - p - 1));
        url->ipv6_literal = true;
        p = host_end + 1;
    } else {
        host_end = p + strcspn(p, ":/?");
        if (host_end == p)
            return fail(err, cap, "missing host", text);
        if ((size_t)(host_end - p) >= sizeof url->host)
            return fail(err, cap, "host name too long", text);
        memcpy(url->host, p, (size_t)(host_end - p));
        p = host_end;
    }
    if (strchr(url->host, '@'))
        return fail(err, cap, "user information is not allowed in a WebSocket URL", text);

    url->port = url->secure ? 443 : 80;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/' && *end != '?'))
            return fail(err, cap, "bad port", text);
        url->port = (uint16_t)port;
        url->port_given = true;
        p = end;
    } else if (*p && *p != '/' && *p != '?') {
        return fail(err, cap, "unexpected character after host", text);
    }

    const char *target = *p ? p : "/";
    size_t n = strlen(target);
    if (n + 2 > sizeof url->target)
        return fail(err, cap, "request target too long", text);
    if (*target == '?')
        snprintf(url->target, sizeof url->target, "/%s", target);
    else
        memcpy(url->target, target, n + 1);
    for (const char *c = url->target; *c; c++)
        if ((unsigned char)*c <= 0x20 || *c == 0x7f)
            return fail(err, cap, "request target has a space or control character", text);
    return 0;
}
