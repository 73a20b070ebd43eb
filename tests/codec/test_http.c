/*
 * HTTP/1.x head parser: request and response heads, every input parsed whole,
 * from a copy that ends at an unreadable page, and as every prefix of itself
 * (each prefix also ending at an unreadable page).
 */
#include "http_compare.h"
#include "tap.h"
#include "guard.h"

#include <limits.h>

#include "wscodec/error.h"
#include "wscodec/http.h"

#define MAXH 64
#define BIG ((size_t)1 << 20)

#define S(lit) lit, sizeof(lit) - 1

static bool same_request(const ws_http_request *a, const char *base_a, const ws_http_request *b,
                         const char *base_b)
{
    return same_slice(a->method, base_a, b->method, base_b, a->method_len, b->method_len) &&
           same_slice(a->target, base_a, b->target, base_b, a->target_len, b->target_len) &&
           a->version_major == b->version_major && a->version_minor == b->version_minor &&
           same_headers(a->headers, a->num_headers, base_a, b->headers, b->num_headers, base_b);
}

static bool same_response(const ws_http_response *a, const char *base_a,
                          const ws_http_response *b, const char *base_b)
{
    return a->status == b->status && a->version_major == b->version_major &&
           a->version_minor == b->version_minor &&
           same_slice(a->reason, base_a, b->reason, base_b, a->reason_len, b->reason_len) &&
           same_headers(a->headers, a->num_headers, base_a, b->headers, b->num_headers, base_b);
}

/* ---- one parser input, three ways ----------------------------------------- */

/*
 * The rule every split must obey: a prefix shorter than the head gives
 * WS_NEED_MORE; once the result is final (a length or an error) every longer
 * prefix gives the same one, with the same fields on success.
 */
static int req_parse(const char *buf, size_t len, size_t max_head, size_t max_headers,
                     ws_http_request *req, ws_http_header *hs)
{
    memset(req, 0, sizeof *req);
    req->headers = hs;
    req->max_headers = max_headers;
    return ws_http_parse_request(buf, len, max_head, req);
}

static int req_case(const char *what, const char *input, size_t len, size_t max_head,
                    size_t max_headers, int want, ws_http_request *out, ws_http_header *out_hs)
{
    int rc = req_parse(input, len, max_head, max_headers, out, out_hs);
    is_int(rc, want, "request %s: whole", what);

    ws_http_header ghs[MAXH];
    ws_http_request g;
    guarded gc = guard_copy(input, len);
    int grc = req_parse((const char *)gc.data, len, max_head, max_headers, &g, ghs);
    ok(grc == rc && (rc <= 0 || same_request(&g, (const char *)gc.data, out, input)),
       "request %s: guarded copy gives the same result", what);
    guard_free(&gc);

    bool final_seen = false, good = true;
    size_t bad_at = 0;
    for (size_t i = 0; i <= len && good; i++) {
        guarded gp = guard_copy(input, i);
        int prc = req_parse((const char *)gp.data, i, max_head, max_headers, &g, ghs);
        if (prc == WS_NEED_MORE) {
            good = !final_seen && (rc == WS_NEED_MORE || rc < 0 || i < (size_t)rc);
        } else {
            final_seen = true;
            good = prc == rc && (rc <= 0 || same_request(&g, (const char *)gp.data, out, input));
        }
        if (!good)
            bad_at = i;
        guard_free(&gp);
    }
    ok(good, "request %s: every prefix gives WS_NEED_MORE, then the same result", what);
    if (!good)
        tap_diag("first inconsistent prefix: %zu bytes", bad_at);
    return rc;
}

static int res_parse(const char *buf, size_t len, size_t max_head, size_t max_headers,
                     ws_http_response *res, ws_http_header *hs)
{
    memset(res, 0, sizeof *res);
    res->headers = hs;
    res->max_headers = max_headers;
    return ws_http_parse_response(buf, len, max_head, res);
}

static int res_case(const char *what, const char *input, size_t len, size_t max_head,
                    size_t max_headers, int want, ws_http_response *out, ws_http_header *out_hs)
{
    int rc = res_parse(input, len, max_head, max_headers, out, out_hs);
    is_int(rc, want, "response %s: whole", what);

    ws_http_header ghs[MAXH];
    ws_http_response g;
    guarded gc = guard_copy(input, len);
    int grc = res_parse((const char *)gc.data, len, max_head, max_headers, &g, ghs);
    ok(grc == rc && (rc <= 0 || same_response(&g, (const char *)gc.data, out, input)),
       "response %s: guarded copy gives the same result", what);
    guard_free(&gc);

    bool final_seen = false, good = true;
    size_t bad_at = 0;
    for (size_t i = 0; i <= len && good; i++) {
        guarded gp = guard_copy(input, i);
        int prc = res_parse((const char *)gp.data, i, max_head, max_headers, &g, ghs);
        if (prc == WS_NEED_MORE) {
            good = !final_seen && (rc == WS_NEED_MORE || rc < 0 || i < (size_t)rc);
        } else {
            final_seen = true;
            good = prc == rc && (rc <= 0 || same_response(&g, (const char *)gp.data, out, input));
        }
        if (!good)
            bad_at = i;
        guard_free(&gp);
    }
    ok(good, "response %s: every prefix gives WS_NEED_MORE, then the same result", what);
    if (!good)
        tap_diag("first inconsistent prefix: %zu bytes", bad_at);
    return rc;
}

#define is_str(ptr, len, lit, ...) is_mem(ptr, len, lit, sizeof(lit) - 1, __VA_ARGS__)

/* ---- requests -------------------------------------------------------------- */

static void test_request_valid(void)
{
    ws_http_request r;
    ws_http_header hs[MAXH];

    static const char rfc[] = "GET /chat HTTP/1.1\r\n"
                              "Host: server.example.com\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Origin: http://example.com\r\n"
                              "Sec-WebSocket-Protocol: chat, superchat\r\n"
                              "Sec-WebSocket-Version: 13\r\n"
                              "\r\n";
    int n = req_case("RFC 6455 1.3", S(rfc), BIG, MAXH, (int)sizeof rfc - 1, &r, hs);
    if (n > 0) {
        is_str(r.method, r.method_len, "GET", "method");
        is_str(r.target, r.target_len, "/chat", "target");
        is_int(r.version_major, 1, "major version");
        is_int(r.version_minor, 1, "minor version");
        is_int(r.num_headers, 7, "seven header fields");
        is_str(hs[0].name, hs[0].name_len, "Host", "first name");
        is_str(hs[0].value, hs[0].value_len, "server.example.com", "first value");
        is_str(hs[3].name, hs[3].name_len, "Sec-WebSocket-Key", "key name");
        is_str(hs[3].value, hs[3].value_len, "dGhlIHNhbXBsZSBub25jZQ==", "key value");
        is_str(hs[5].value, hs[5].value_len, "chat, superchat", "list value kept whole");
        ok(hs[6].value >= rfc && hs[6].value < rfc + sizeof rfc, "values point into the input");
    }

    /* Frame bytes right behind the head are not part of it. */
    static const char with_frame[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n\x81\x85\x37\xfa";
    req_case("followed by a frame", S(with_frame), BIG, MAXH, (int)sizeof with_frame - 1 - 4,
             &r, hs);

    static const char ows[] = "GET / HTTP/1.1\r\n"
                              "X-A:   value with  inner  spaces \t \r\n"
                              "X-Empty:\r\n"
                              "X-Blank: \t  \r\n"
                              "X-Tight:v\r\n"
                              "\r\n";
    if (req_case("optional whitespace", S(ows), BIG, MAXH, (int)sizeof ows - 1, &r, hs) > 0) {
        is_str(hs[0].value, hs[0].value_len, "value with  inner  spaces",
               "OWS around the value is dropped, inner spaces kept");
        is_int(hs[1].value_len, 0, "empty value");
        is_int(hs[2].value_len, 0, "value of only whitespace is empty");
        is_str(hs[3].value, hs[3].value_len, "v", "no whitespace after the colon");
    }

    static const char no_headers[] = "GET / HTTP/1.1\r\n\r\n";
    if (req_case("no header fields", S(no_headers), BIG, MAXH, (int)sizeof no_headers - 1, &r,
                 hs) > 0)
        is_int(r.num_headers, 0, "no header fields");

    /* RFC 7230 §3.5: empty lines before the request line are skipped. */
    static const char leading[] = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    if (req_case("leading empty lines", S(leading), BIG, MAXH, (int)sizeof leading - 1, &r,
                 hs) > 0)
        is_str(r.method, r.method_len, "GET", "method after the empty lines");

    static const char obs_text[] = "GET / HTTP/1.1\r\nX-Name: caf\xc3\xa9 \x80\xff\r\n\r\n";
    if (req_case("obs-text in a value", S(obs_text), BIG, MAXH, (int)sizeof obs_text - 1, &r,
                 hs) > 0)
        is_str(hs[0].value, hs[0].value_len, "caf\xc3\xa9 \x80\xff", "obs-text kept");

    static const char http10[] = "GET / HTTP/1.0\r\nHost: a\r\n\r\n";
    if (req_case("HTTP/1.0", S(http10), BIG, MAXH, (int)sizeof http10 - 1, &r, hs) > 0)
        ok(r.version_major == 1 && r.version_minor == 0, "HTTP/1.0 parses as 1.0");

    static const char http20[] = "GET / HTTP/2.0\r\n\r\n";
    if (req_case("HTTP/2.0", S(http20), BIG, MAXH, (int)sizeof http20 - 1, &r, hs) > 0)
        ok(r.version_major == 2 && r.version_minor == 0, "HTTP/2.0 parses as 2.0");

    static const char post[] = "POST /x?y=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
    if (req_case("POST", S(post), BIG, MAXH, (int)sizeof post - 1, &r, hs) > 0) {
        is_str(r.method, r.method_len, "POST", "any token is a method");
        is_str(r.target, r.target_len, "/x?y=1", "target with query");
    }

    static const char lower[] = "get http://h/p HTTP/1.1\r\n\r\n";
    if (req_case("lowercase method, absolute target", S(lower), BIG, MAXH,
                 (int)sizeof lower - 1, &r, hs) > 0) {
        is_str(r.method, r.method_len, "get", "method kept as sent");
        is_str(r.target, r.target_len, "http://h/p", "absolute target");
    }

    static const char odd_names[] = "GET / HTTP/1.1\r\nX!#$%&'*+-.^_`|~9: 1\r\n\r\n";
    if (req_case("every tchar in a name", S(odd_names), BIG, MAXH, (int)sizeof odd_names - 1,
                 &r, hs) > 0)
        is_str(hs[0].name, hs[0].name_len, "X!#$%&'*+-.^_`|~9", "name of tchars");

    static const char colon_value[] = "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n";
    if (req_case("colons in a value", S(colon_value), BIG, MAXH, (int)sizeof colon_value - 1,
                 &r, hs) > 0)
        is_str(hs[0].value, hs[0].value_len, "[::1]:8080", "value split at the first colon only");
}

static void test_request_syntax(void)
{
    static const struct {
        const char *what;
        const char *input;
        size_t len;
    } cases[] = {
        { "bare LF line ends", S("GET / HTTP/1.1\nHost: a\n\n") },
        { "bare LF after a field", S("GET / HTTP/1.1\r\nHost: a\n\r\n") },
        { "bare LF after the request line only", S("GET / HTTP/1.1\nHost: a\r\n\r\n") },
        { "bare LF before the first field's CRLF", S("GET / HTTP/1.1\n\r\n") },
        { "bare LF ending the head", S("GET / HTTP/1.1\r\nHost: a\r\n\n") },
        { "bare CR inside a value", S("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n") },
        { "bare CR ending the head", S("GET / HTTP/1.1\r\nHost: a\r\n\rX") },
        { "obs-fold with a space", S("GET / HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n") },
        { "obs-fold with a tab", S("GET / HTTP/1.1\r\nX-A: b\r\n\tc\r\n\r\n") },
        { "whitespace before the first field", S("GET / HTTP/1.1\r\n Host: a\r\n\r\n") },
        { "space before the colon", S("GET / HTTP/1.1\r\nHost : a\r\n\r\n") },
        { "tab before the colon", S("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n") },
        { "empty field name", S("GET / HTTP/1.1\r\n: a\r\n\r\n") },
        { "field without colon", S("GET / HTTP/1.1\r\nHost a\r\n\r\n") },
        { "field name without anything", S("GET / HTTP/1.1\r\nHost\r\n\r\n") },
        { "separator in a name", S("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n") },
        { "non-ASCII in a name", S("GET / HTTP/1.1\r\nH\xc3\xb6st: a\r\n\r\n") },
        { "NUL in a value", S("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n") },
        { "control byte in a value", S("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n") },
        { "DEL in a value", S("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n") },
        { "separator in the method", S("G{T / HTTP/1.1\r\n\r\n") },
        { "space before the method", S(" GET / HTTP/1.1\r\n\r\n") },
        { "two spaces after the method", S("GET  / HTTP/1.1\r\n\r\n") },
        { "tab after the method", S("GET\t/ HTTP/1.1\r\n\r\n") },
        { "no request target", S("GET HTTP/1.1\r\n\r\n") },
        { "two spaces after the target", S("GET /  HTTP/1.1\r\n\r\n") },
        { "non-ASCII target", S("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n") },
        { "control byte in the target", S("GET /a\x01 HTTP/1.1\r\n\r\n") },
        { "lowercase protocol name", S("GET / http/1.1\r\n\r\n") },
        { "two-digit minor version", S("GET / HTTP/1.10\r\n\r\n") },
        { "two-digit major version", S("GET / HTTP/11.1\r\n\r\n") },
        { "version without minor", S("GET / HTTP/1\r\n\r\n") },
        { "space after the version", S("GET / HTTP/1.1 \r\n\r\n") },
        { "no version", S("GET /\r\n\r\n") },
        { "bare LF before the request line", S("\nGET / HTTP/1.1\r\n\r\n") },
        { "bare CR before the request line", S("\rGET / HTTP/1.1\r\n\r\n") },
        { "a response where a request belongs", S("HTTP/1.1 200 OK\r\n\r\n") },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_http_request r;
        ws_http_header hs[MAXH];
        req_case(cases[i].what, cases[i].input, cases[i].len, BIG, MAXH, WS_E_HTTP_SYNTAX, &r, hs);
    }
}

static void test_request_limits(void)
{
    ws_http_request r;
    ws_http_header hs[MAXH];
    static const char head[] = "GET / HTTP/1.1\r\nHost: a\r\nX-B: c\r\nX-D: e\r\n\r\n";
    size_t len = sizeof head - 1;

    req_case("exactly max_head long", head, len, len, MAXH, (int)len, &r, hs);
    req_case("one byte over max_head", head, len, len - 1, MAXH, WS_E_HTTP_TOO_LARGE, &r, hs);
    req_case("far over max_head", head, len, 10, MAXH, WS_E_HTTP_TOO_LARGE, &r, hs);
    is_int(req_parse(head, 0, 0, MAXH, &r, hs), WS_E_HTTP_TOO_LARGE,
           "max_head 0: nothing fits, not even an empty input");
    is_int(req_parse(head, len, SIZE_MAX, MAXH, &r, hs), (int)len,
           "max_head beyond INT_MAX is clamped");

    req_case("exactly max_headers fields", head, len, BIG, 3, (int)len, &r, hs);
    req_case("one field over max_headers", head, len, BIG, 2, WS_E_HTTP_TOO_MANY_HEADERS, &r, hs);
    req_case("no header storage", head, len, BIG, 0, WS_E_HTTP_TOO_MANY_HEADERS, &r, hs);
    static const char bare[] = "GET / HTTP/1.1\r\n\r\n";
    memset(&r, 0, sizeof r);
    is_int(ws_http_parse_request(S(bare), BIG, &r), (int)sizeof bare - 1,
           "no header storage is fine without header fields");
    /* A malformed line where the extra field would start is still malformed. */
    static const char fold[] = "GET / HTTP/1.1\r\nA: 1\r\n b\r\n\r\n";
    req_case("obs-fold judged before the field count", S(fold), BIG, 1, WS_E_HTTP_SYNTAX, &r,
             hs);

    /* A peer trickling an endless head is stopped as soon as max_head bytes
     * are in, whether its lines are complete or not. */
    enum { LIMIT = 8192, STREAM = 65536 };
    static char endless[STREAM];
    static char one_line[STREAM];
    size_t at = 0;
    memcpy(endless, "GET / HTTP/1.1\r\n", 16);
    at = 16;
    while (at + 17 <= STREAM) {
        memcpy(endless + at, "X-Pad: aaaaaaaa\r\n", 17);
        at += 17;
    }
    memset(endless + at, 'a', STREAM - at);
    memcpy(one_line, "GET / HTTP/1.1\r\nCookie: ", 24);
    memset(one_line + 24, 'c', STREAM - 24);
    static ws_http_header many[1024];
    const char *names[2] = { "many short fields", "one endless field" };
    const char *streams[2] = { endless, one_line };
    for (int s = 0; s < 2; s++) {
        memset(&r, 0, sizeof r);
        r.headers = many;
        r.max_headers = 1024;
        bool good = true;
        size_t bad = 0;
        for (size_t n = 0; n <= LIMIT + 64 && good; n++) {
            int rc = ws_http_parse_request(streams[s], n, LIMIT, &r);
            good = rc == (n < LIMIT ? WS_NEED_MORE : WS_E_HTTP_TOO_LARGE);
            bad = n;
        }
        ok(good, "%s: WS_NEED_MORE below %d bytes, WS_E_HTTP_TOO_LARGE from there", names[s],
           LIMIT);
        if (!good)
            tap_diag("wrong at %zu bytes", bad);
        is_int(ws_http_parse_request(streams[s], STREAM, LIMIT, &r), WS_E_HTTP_TOO_LARGE,
               "%s: 64 KiB in, still too large", names[s]);
        guarded g = guard_copy(streams[s], LIMIT);
        is_int(ws_http_parse_request((const char *)g.data, LIMIT, LIMIT, &r), WS_E_HTTP_TOO_LARGE,
               "%s: guarded, exactly max_head bytes", names[s]);
        guard_free(&g);
    }
}

static void test_request_arguments(void)
{
    ws_http_request r;
    ws_http_header hs[4];
    memset(&r, 0, sizeof r);
    r.headers = hs;
    r.max_headers = 4;
    is_int(ws_http_parse_request("GET", 3, BIG, NULL), WS_E_INVALID_ARGUMENT, "NULL request");
    is_int(ws_http_parse_request(NULL, 3, BIG, &r), WS_E_INVALID_ARGUMENT, "NULL buffer");
    is_int(ws_http_parse_request(NULL, 0, BIG, &r), WS_NEED_MORE, "NULL empty buffer");
    is_int(ws_http_parse_request("", 0, BIG, &r), WS_NEED_MORE, "empty input needs more");
    r.headers = NULL;
    is_int(ws_http_parse_request("GET", 3, BIG, &r), WS_E_INVALID_ARGUMENT,
           "NULL header storage with a capacity");
    ws_http_response res;
    memset(&res, 0, sizeof res);
    is_int(ws_http_parse_response("HTTP", 4, BIG, NULL), WS_E_INVALID_ARGUMENT, "NULL response");
    is_int(ws_http_parse_response(NULL, 4, BIG, &res), WS_E_INVALID_ARGUMENT,
           "NULL response buffer");
    res.max_headers = 2;
    is_int(ws_http_parse_response("HTTP", 4, BIG, &res), WS_E_INVALID_ARGUMENT,
           "NULL response header storage with a capacity");
}

/* ---- responses ------------------------------------------------------------- */

static void test_response(void)
{
    ws_http_response r;
    ws_http_header hs[MAXH];

    static const char rfc[] = "HTTP/1.1 101 Switching Protocols\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                              "Sec-WebSocket-Protocol: chat\r\n"
                              "\r\n";
    if (res_case("RFC 6455 1.3", S(rfc), BIG, MAXH, (int)sizeof rfc - 1, &r, hs) > 0) {
        is_int(r.status, 101, "status");
        is_int(r.version_major, 1, "major version");
        is_int(r.version_minor, 1, "minor version");
        is_str(r.reason, r.reason_len, "Switching Protocols", "reason phrase");
        is_int(r.num_headers, 4, "four fields");
        is_str(hs[2].value, hs[2].value_len, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "accept value");
    }

    static const char with_frame[] = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n\x81\x02hi";
    res_case("followed by a frame", S(with_frame), BIG, MAXH, (int)sizeof with_frame - 1 - 4, &r,
             hs);

    static const char empty_reason[] = "HTTP/1.1 101 \r\n\r\n";
    if (res_case("empty reason", S(empty_reason), BIG, MAXH, (int)sizeof empty_reason - 1, &r,
                 hs) > 0)
        is_int(r.reason_len, 0, "empty reason phrase");

    static const char odd_reason[] = "HTTP/1.0 404 Not\tFound \xc3\xa9\r\nContent-Length: 0\r\n\r\n";
    if (res_case("reason with tab and obs-text", S(odd_reason), BIG, MAXH,
                 (int)sizeof odd_reason - 1, &r, hs) > 0) {
        is_int(r.status, 404, "status 404");
        is_int(r.version_minor, 0, "HTTP/1.0 response");
        is_str(r.reason, r.reason_len, "Not\tFound \xc3\xa9", "reason kept as sent");
    }

    static const char s999[] = "HTTP/1.1 999 Whatever\r\n\r\n";
    if (res_case("status 999", S(s999), BIG, MAXH, (int)sizeof s999 - 1, &r, hs) > 0)
        is_int(r.status, 999, "any three digits");

    static const struct {
        const char *what;
        const char *input;
        size_t len;
    } bad[] = {
        { "no space before an empty reason", S("HTTP/1.1 101\r\n\r\n") },
        { "two-digit status", S("HTTP/1.1 10 X\r\n\r\n") },
        { "four-digit status", S("HTTP/1.1 1010 X\r\n\r\n") },
        { "letter in the status", S("HTTP/1.1 1O1 X\r\n\r\n") },
        { "two spaces before the status", S("HTTP/1.1  101 X\r\n\r\n") },
        { "control byte in the reason", S("HTTP/1.1 101 X\x01\r\n\r\n") },
        { "lowercase protocol name", S("http/1.1 101 X\r\n\r\n") },
        { "empty line before the status line", S("\r\nHTTP/1.1 101 X\r\n\r\n") },
        { "bare LF line ends", S("HTTP/1.1 101 X\nUpgrade: websocket\n\n") },
        { "bare LF after the status line only", S("HTTP/1.1 101 X\nUpgrade: websocket\r\n\r\n") },
        { "bare CR after the status line", S("HTTP/1.1 101 X\rUpgrade: websocket\r\n\r\n") },
        { "obs-fold", S("HTTP/1.1 101 X\r\nUpgrade: websocket\r\n ,x\r\n\r\n") },
        { "space before the colon", S("HTTP/1.1 101 X\r\nUpgrade : websocket\r\n\r\n") },
        { "a request where a response belongs", S("GET / HTTP/1.1\r\n\r\n") },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        res_case(bad[i].what, bad[i].input, bad[i].len, BIG, MAXH, WS_E_HTTP_SYNTAX, &r, hs);

    size_t len = sizeof rfc - 1;
    res_case("one byte over max_head", rfc, len, len - 1, MAXH, WS_E_HTTP_TOO_LARGE, &r, hs);
    res_case("exactly max_head", rfc, len, len, MAXH, (int)len, &r, hs);
    res_case("one field over max_headers", rfc, len, BIG, 3, WS_E_HTTP_TOO_MANY_HEADERS, &r, hs);
}

/* ---- helpers --------------------------------------------------------------- */

static void test_helpers(void)
{
    ok(ws_http_is_token(S("permessage-deflate")), "permessage-deflate is a token");
    ok(ws_http_is_token(S("!#$%&'*+-.^_`|~09azAZ")), "all tchar classes");
    ok(!ws_http_is_token(S("")), "empty is no token");
    ok(!ws_http_is_token(S("a b")), "space is no tchar");
    ok(!ws_http_is_token(S("a\"")), "quote is no tchar");
    ok(!ws_http_is_token(S("a,b")), "comma is no tchar");
    ok(!ws_http_is_token(S("caf\xc3\xa9")), "non-ASCII is no tchar");
    ok(!ws_http_is_tchar('\0') && !ws_http_is_tchar(0x7f) && !ws_http_is_tchar(0x80),
       "NUL, DEL and 0x80 are no tchar");

    ok(ws_http_equal_nocase(S("UpGrAdE"), S("upgrade")), "UpGrAdE equals upgrade");
    ok(ws_http_equal_nocase(S("SEC-WEBSOCKET-KEY"), S("Sec-WebSocket-Key")),
       "header names fold case");
    ok(!ws_http_equal_nocase(S("upgraded"), S("upgrade")), "longer is not equal");
    ok(!ws_http_equal_nocase(S("upgrad"), S("upgrade")), "shorter is not equal");
    ok(!ws_http_equal_nocase(S("\xc0"), S("\xe0")), "only ASCII letters fold");
    ok(!ws_http_equal_nocase(S("@"), S("`")), "@ and ` are not a case pair");
    ok(ws_http_equal_nocase(S(""), S("")), "empty equals empty");

    static const char head[] = "GET / HTTP/1.1\r\n"
                               "host: a\r\n"
                               "X-Multi: 1\r\n"
                               "Sec-WebSocket-Extensions: foo\r\n"
                               "x-multi: 2\r\n"
                               "SEC-WEBSOCKET-EXTENSIONS: bar; baz=2\r\n"
                               "X-MULTI: 3\r\n"
                               "\r\n";
    ws_http_request r;
    ws_http_header hs[MAXH];
    if (req_case("repeated fields", S(head), BIG, MAXH, (int)sizeof head - 1, &r, hs) <= 0)
        return;
    const ws_http_header *h = ws_http_find_header(hs, r.num_headers, "Host", NULL);
    ok(h == &hs[0], "Host finds host");
    ok(ws_http_find_header(hs, r.num_headers, "Host", h) == NULL, "only one Host");
    ok(ws_http_find_header(hs, r.num_headers, "Origin", NULL) == NULL, "absent field");
    ok(ws_http_find_header(hs, 0, "Host", NULL) == NULL, "nothing in an empty array");
    is_int(ws_http_count_headers(hs, r.num_headers, "x-MULTI"), 3, "three X-Multi");
    is_int(ws_http_count_headers(hs, r.num_headers, "sec-websocket-extensions"), 2,
           "two Sec-WebSocket-Extensions");
    is_int(ws_http_count_headers(hs, r.num_headers, "Origin"), 0, "no Origin");
    is_int(ws_http_count_headers(hs, r.num_headers, "X-Mult"), 0, "prefix of a name is no match");
    char seen[4] = { 0 };
    size_t k = 0;
    for (h = ws_http_find_header(hs, r.num_headers, "X-Multi", NULL); h && k < 3;
         h = ws_http_find_header(hs, r.num_headers, "X-Multi", h))
        seen[k++] = h->value[0];
    is_mem(seen, k, "123", 3, "iteration visits repeated fields in order");
}

int main(void)
{
    test_request_valid();
    test_request_syntax();
    test_request_limits();
    test_request_arguments();
    test_response();
    test_helpers();
    return done_testing();
}
