/*
 * HTTP/1.x head parser. One left-to-right pass over at most max_head bytes:
 * every step checks for the end of input before it reads, reports
 * WS_NEED_MORE there, and fails at the first byte the grammar cannot accept.
 */
#include "wscodec/http.h"

#include <limits.h>
#include <string.h>

#include "wscodec/error.h"

bool ws_http_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool ws_http_is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!ws_http_is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

bool ws_http_equal_nocase(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len)
        return false;
    for (size_t i = 0; i < a_len; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return false;
    return true;
}

const ws_http_header *ws_http_find_header(const ws_http_header *headers, size_t num_headers,
                                          const char *name, const ws_http_header *after)
{
    if (!headers || !name)
        return NULL;
    size_t name_len = strlen(name);
    size_t i = after ? (size_t)(after - headers) + 1 : 0;
    for (; i < num_headers; i++)
        if (ws_http_equal_nocase(headers[i].name, headers[i].name_len, name, name_len))
            return &headers[i];
    return NULL;
}

size_t ws_http_count_headers(const ws_http_header *headers, size_t num_headers,
                             const char *name)
{
    size_t n = 0;
    for (const ws_http_header *h = ws_http_find_header(headers, num_headers, name, NULL); h;
         h = ws_http_find_header(headers, num_headers, name, h))
        n++;
    return n;
}

/* field-vchar, SP or HTAB (RFC 7230 §3.2): everything but other controls and DEL. */
static bool is_field_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Reads CRLF; a bare CR or a bare LF is a syntax error (RFC 7230 §3.5 lets a
 * recipient accept bare LF, a strict codec does not). */
static int expect_crlf(const char **pp, const char *end)
{
    const char *p = *pp;
    if (p == end)
        return WS_NEED_MORE;
    if (*p != '\r')
        return WS_E_HTTP_SYNTAX;
    if (++p == end)
        return WS_NEED_MORE;
    if (*p != '\n')
        return WS_E_HTTP_SYNTAX;
    *pp = p + 1;
    return WS_OK;
}

static int expect_byte(const char **pp, const char *end, char want)
{
    if (*pp == end)
        return WS_NEED_MORE;
    if (**pp != want)
        return WS_E_HTTP_SYNTAX;
    (*pp)++;
    return WS_OK;
}

static int expect_digit(const char **pp, const char *end, int *digit)
{
    if (*pp == end)
        return WS_NEED_MORE;
    if (!is_digit((unsigned char)**pp))
        return WS_E_HTTP_SYNTAX;
    *digit = **pp - '0';
    (*pp)++;
    return WS_OK;
}

/* HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 7230 §2.6). */
static int parse_version(const char **pp, const char *end, int *major, int *minor)
{
    static const char name[] = "HTTP/";
    int rc;
    for (size_t i = 0; i < sizeof name - 1; i++)
        if ((rc = expect_byte(pp, end, name[i])) != WS_OK)
            return rc;
    if ((rc = expect_digit(pp, end, major)) != WS_OK)
        return rc;
    if ((rc = expect_byte(pp, end, '.')) != WS_OK)
        return rc;
    return expect_digit(pp, end, minor);
}

/* header-field = field-name ":" OWS field-value OWS, each line ending in
 * CRLF, until an empty line (RFC 7230 §3.2). */
static int parse_headers(const char **pp, const char *end, ws_http_header *headers,
                         size_t max_headers, size_t *num_headers)
{
    const char *p = *pp;
    *num_headers = 0;
    for (;;) {
        if (p == end)
            return WS_NEED_MORE;
        if (*p == '\r') {
            int rc = expect_crlf(&p, end);
            if (rc == WS_OK)
                *pp = p;
            return rc;
        }
        /* Whitespace at the start of a line is obs-fold, or whitespace before
         * the first field: both rejected (RFC 7230 §3, §3.2.4). */
        if (*p == ' ' || *p == '\t')
            return WS_E_HTTP_SYNTAX;
        if (*num_headers == max_headers)
            return WS_E_HTTP_TOO_MANY_HEADERS;

        const char *name = p;
        for (;;) {
            if (p == end)
                return WS_NEED_MORE;
            if (*p == ':')
                break;
            /* Also rejects whitespace before the colon (RFC 7230 §3.2.4). */
            if (!ws_http_is_tchar((unsigned char)*p))
                return WS_E_HTTP_SYNTAX;
            p++;
        }
        if (p == name)
            return WS_E_HTTP_SYNTAX;
        size_t name_len = (size_t)(p - name);
        p++;

        while (p != end && (*p == ' ' || *p == '\t'))
            p++;
        const char *value = p, *value_end = p;
        for (;;) {
            if (p == end)
                return WS_NEED_MORE;
            unsigned char c = (unsigned char)*p;
            if (c == '\r')
                break;
            if (!is_field_byte(c))
                return WS_E_HTTP_SYNTAX;
            p++;
            if (c != ' ' && c != '\t')
                value_end = p;
        }
        int rc = expect_crlf(&p, end);
        if (rc != WS_OK)
            return rc;

        ws_http_header *h = &headers[(*num_headers)++];
        h->name = name;
        h->name_len = name_len;
        h->value = value;
        h->value_len = (size_t)(value_end - value);
    }
}

/* request-line = method SP request-target SP HTTP-version CRLF (RFC 7230 §3.1.1). */
static int parse_request(const char *buf, const char *end, ws_http_request *req)
{
    const char *p = buf;
    int rc;

    /* RFC 7230 §3.5: a server SHOULD ignore empty lines before the request-line. */
    for (;;) {
        if (p == end)
            return WS_NEED_MORE;
        if (*p != '\r')
            break;
        if ((rc = expect_crlf(&p, end)) != WS_OK)
            return rc;
    }

    req->method = p;
    for (;;) {
        if (p == end)
            return WS_NEED_MORE;
        if (*p == ' ')
            break;
        if (!ws_http_is_tchar((unsigned char)*p))
            return WS_E_HTTP_SYNTAX;
        p++;
    }
    req->method_len = (size_t)(p - req->method);
    if (req->method_len == 0)
        return WS_E_HTTP_SYNTAX;
    p++;

    /* The target's finer grammar is judged by the handshake (RFC 6455
     * §4.2.1); here it is any run of visible ASCII. */
    req->target = p;
    for (;;) {
        if (p == end)
            return WS_NEED_MORE;
        unsigned char c = (unsigned char)*p;
        if (c == ' ')
            break;
        if (c < 0x21 || c > 0x7e)
            return WS_E_HTTP_SYNTAX;
        p++;
    }
    req->target_len = (size_t)(p - req->target);
    if (req->target_len == 0)
        return WS_E_HTTP_SYNTAX;
    p++;

    if ((rc = parse_version(&p, end, &req->version_major, &req->version_minor)) != WS_OK)
        return rc;
    if ((rc = expect_crlf(&p, end)) != WS_OK)
        return rc;
    if ((rc = parse_headers(&p, end, req->headers, req->max_headers, &req->num_headers)) != WS_OK)
        return rc;
    return (int)(p - buf);
}

/* status-line = HTTP-version SP status-code SP reason-phrase CRLF (RFC 7230 §3.1.2). */
static int parse_response(const char *buf, const char *end, ws_http_response *res)
{
    const char *p = buf;
    int rc;

    if ((rc = parse_version(&p, end, &res->version_major, &res->version_minor)) != WS_OK)
        return rc;
    if ((rc = expect_byte(&p, end, ' ')) != WS_OK)
        return rc;
    res->status = 0;
    for (int i = 0; i < 3; i++) {
        int d;
        if ((rc = expect_digit(&p, end, &d)) != WS_OK)
            return rc;
        res->status = res->status * 10 + d;
    }
    if ((rc = expect_byte(&p, end, ' ')) != WS_OK)
        return rc;

    /* reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
    res->reason = p;
    for (;;) {
        if (p == end)
            return WS_NEED_MORE;
        unsigned char c = (unsigned char)*p;
        if (c == '\r')
            break;
        if (!is_field_byte(c))
            return WS_E_HTTP_SYNTAX;
        p++;
    }
    res->reason_len = (size_t)(p - res->reason);
    if ((rc = expect_crlf(&p, end)) != WS_OK)
        return rc;
    if ((rc = parse_headers(&p, end, res->headers, res->max_headers, &res->num_headers)) != WS_OK)
        return rc;
    return (int)(p - buf);
}

/* An incomplete head is an error once max_head bytes are in hand: no later
 * byte can complete it within the limit (RFC 6455 §10.4). */
static int limit_result(int rc, size_t len, size_t max_head)
{
    if (rc == WS_NEED_MORE && len >= max_head)
        return WS_E_HTTP_TOO_LARGE;
    return rc;
}

int ws_http_parse_request(const char *buf, size_t len, size_t max_head, ws_http_request *req)
{
    if (!req || (!buf && len > 0) || (!req->headers && req->max_headers > 0))
        return WS_E_INVALID_ARGUMENT;
    if (max_head > INT_MAX)
        max_head = INT_MAX;
    req->num_headers = 0;
    if (len == 0)
        return limit_result(WS_NEED_MORE, len, max_head);
    const char *end = buf + (len < max_head ? len : max_head);
    return limit_result(parse_request(buf, end, req), len, max_head);
}

int ws_http_parse_response(const char *buf, size_t len, size_t max_head, ws_http_response *res)
{
    if (!res || (!buf && len > 0) || (!res->headers && res->max_headers > 0))
        return WS_E_INVALID_ARGUMENT;
    if (max_head > INT_MAX)
        max_head = INT_MAX;
    res->num_headers = 0;
    if (len == 0)
        return limit_result(WS_NEED_MORE, len, max_head);
    const char *end = buf + (len < max_head ? len : max_head);
    return limit_result(parse_response(buf, end, res), len, max_head);
}
