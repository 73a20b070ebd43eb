/*
 * Opening handshake: keys and accept values, header value grammars, the
 * server's reading of requests, the client's reading of responses, and the
 * heads each side writes. Every head is parsed whole, from a copy that ends at
 * an unreadable page, and as every prefix of itself; every header value is
 * parsed whole and from a guarded copy, and every prefix of it is parsed from
 * a guarded copy to catch over-reads. Every error of the handshake range
 * (-500..-799) must be produced at least once.
 */
#include "http_compare.h"
#include "tap.h"
#include "guard.h"

#include <limits.h>

#include "wscodec/error.h"
#include "wscodec/handshake.h"
#include "wscodec/http.h"

#define MAXH 48
#define MAX_HEAD 8192
#define S(lit) lit, sizeof(lit) - 1
#define is_str(ptr, len, lit, ...) is_mem(ptr, len, lit, sizeof(lit) - 1, __VA_ARGS__)

/* memmem() is not in C11 or POSIX. */
static const char *find_mem(const char *hay, size_t hay_len, const char *needle, size_t len)
{
    for (size_t i = 0; len <= hay_len && i <= hay_len - len; i++)
        if (memcmp(hay + i, needle, len) == 0)
            return hay + i;
    return NULL;
}

/* ---- which handshake errors the cases produced ----------------------------- */

static bool seen[300];

static void note(int rc)
{
    if (rc <= -500 && rc > -800)
        seen[-rc - 500] = true;
}

/* ---- parsing a head three ways --------------------------------------------- */

static int req_parse(const char *buf, size_t len, ws_http_request *req, ws_http_header *hs)
{
    memset(req, 0, sizeof *req);
    req->headers = hs;
    req->max_headers = MAXH;
    return ws_http_parse_request(buf, len, MAX_HEAD, req);
}

static int res_parse(const char *buf, size_t len, ws_http_response *res, ws_http_header *hs)
{
    memset(res, 0, sizeof *res);
    res->headers = hs;
    res->max_headers = MAXH;
    return ws_http_parse_response(buf, len, MAX_HEAD, res);
}

/* Whole, guarded, every guarded prefix: a prefix gives WS_NEED_MORE until the
 * result is final, then the same result with the same fields. */
static int req_three_ways(const char *what, const char *raw, size_t len, ws_http_request *req,
                          ws_http_header *hs)
{
    int rc = req_parse(raw, len, req, hs);
    ws_http_request g;
    ws_http_header ghs[MAXH];
    bool final_seen = false, good = true, guarded_same = false;
    for (size_t i = 0; i <= len && good; i++) {
        guarded gp = guard_copy(raw, i);
        const char *base = (const char *)gp.data;
        int prc = req_parse(base, i, &g, ghs);
        bool same = prc == rc &&
                    (rc <= 0 || (same_slice(g.method, base, req->method, raw, g.method_len,
                                            req->method_len) &&
                                 same_slice(g.target, base, req->target, raw, g.target_len,
                                            req->target_len) &&
                                 same_headers(ghs, g.num_headers, base, hs, req->num_headers,
                                              raw)));
        if (prc == WS_NEED_MORE)
            good = !final_seen && (rc < 0 || i < (size_t)rc);
        else
            good = final_seen = same;
        if (i == len)
            guarded_same = same;
        guard_free(&gp);
    }
    ok(good && guarded_same, "%s: guarded copy and every prefix agree with the whole", what);
    return rc;
}

static int res_three_ways(const char *what, const char *raw, size_t len, ws_http_response *res,
                          ws_http_header *hs)
{
    int rc = res_parse(raw, len, res, hs);
    ws_http_response g;
    ws_http_header ghs[MAXH];
    bool final_seen = false, good = true, guarded_same = false;
    for (size_t i = 0; i <= len && good; i++) {
        guarded gp = guard_copy(raw, i);
        const char *base = (const char *)gp.data;
        int prc = res_parse(base, i, &g, ghs);
        bool same = prc == rc &&
                    (rc <= 0 || (g.status == res->status &&
                                 same_headers(ghs, g.num_headers, base, hs, res->num_headers,
                                              raw)));
        if (prc == WS_NEED_MORE)
            good = !final_seen && (rc < 0 || i < (size_t)rc);
        else
            good = final_seen = same;
        if (i == len)
            guarded_same = same;
        guard_free(&gp);
    }
    ok(good && guarded_same, "%s: guarded copy and every prefix agree with the whole", what);
    return rc;
}

/* ---- keys ------------------------------------------------------------------- */

static bool all_base64(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i >= n - 2)))
            return false;
    }
    return true;
}

static void test_keys(void)
{
    char accept[WS_HANDSHAKE_ACCEPT_LEN + 1];

    /* RFC 6455 §1.3 and §4.2.2. */
    is_int(ws_handshake_accept(S("dGhlIHNhbXBsZSBub25jZQ=="), accept), WS_OK, "accept: RFC key");
    is_str(accept, strlen(accept), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "accept: RFC 6455 1.3 vector");
    /* Computed independently: printf %s KEY+GUID | openssl sha1 -binary | base64 */
    is_int(ws_handshake_accept(S("x3JJHMbDL1EzLkh9GBhXDw=="), accept), WS_OK, "accept: 2nd key");
    is_str(accept, strlen(accept), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=", "accept: second vector");
    is_int(ws_handshake_accept(S("AQIDBAUGBwgJCgsMDQ4PEC=="), accept), WS_OK, "accept: 3rd key");
    is_str(accept, strlen(accept), "OfS0wDaT5NoxF2gqm7Zj2YtetzM=", "accept: RFC 4.1 example key");
    is_int(ws_handshake_accept(NULL, 0, accept), WS_OK, "accept: empty key is still hashed");
    is_str(accept, strlen(accept), "Kfh9QIsMVZcl6xEPYxPHzW8SZ8w=", "accept: GUID alone");
    is_int(ws_handshake_accept(NULL, 3, accept), WS_E_INVALID_ARGUMENT, "accept: NULL key");
    is_int(ws_handshake_accept("k", 1, NULL), WS_E_INVALID_ARGUMENT, "accept: NULL out");
    guarded gk = guard_copy("dGhlIHNhbXBsZSBub25jZQ==", 24);
    ws_handshake_accept((const char *)gk.data, 24, accept);
    is_str(accept, strlen(accept), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "accept: guarded key");
    guard_free(&gk);

    char k1[WS_HANDSHAKE_KEY_LEN + 1], k2[WS_HANDSHAKE_KEY_LEN + 1];
    memset(k1, 'x', sizeof k1);
    is_int(ws_handshake_make_key(k1), WS_OK, "make_key");
    is_int(strlen(k1), 24, "key is 24 characters and NUL-terminated");
    ok(all_base64(k1, 24) && k1[22] == '=' && k1[23] == '=', "key is padded base64");
    is_int(ws_handshake_check_key(k1, 24), WS_OK, "made key passes the server's check");
    is_int(ws_handshake_make_key(k2), WS_OK, "make_key again");
    ok(memcmp(k1, k2, 24) != 0, "two keys differ");
    is_int(ws_handshake_make_key(NULL), WS_E_INVALID_ARGUMENT, "make_key: NULL out");

    static const struct {
        const char *what;
        const char *key;
        size_t len;
        int want;
    } keys[] = {
        { "RFC 1.3 key", S("dGhlIHNhbXBsZSBub25jZQ=="), WS_OK },
        { "RFC 4.1 example, unused bits set", S("AQIDBAUGBwgJCgsMDQ4PEC=="), WS_OK },
        { "canonical 01..10", S("AQIDBAUGBwgJCgsMDQ4PEA=="), WS_OK },
        { "15 bytes", S("AAECAwQFBgcICQoLDA0O"), WS_E_HS_KEY_INVALID },
        { "17 bytes, also 24 characters", S("AAECAwQFBgcICQoLDA0ODxA="), WS_E_HS_KEY_INVALID },
        { "16 bytes unpadded", S("dGhlIHNhbXBsZSBub25jZQ"), WS_E_HS_KEY_INVALID },
        { "non-base64 characters", S("dGhlIHNhbXBsZSBub25jZ!=="), WS_E_HS_KEY_INVALID },
        { "URL-safe alphabet", S("dGhlIHNhbXBsZSBub25jZ-=="), WS_E_HS_KEY_INVALID },
        { "padding inside", S("dGhlIHNh=XBsZSBub25jZQ=="), WS_E_HS_KEY_INVALID },
        { "three padding characters", S("dGhlIHNhbXBsZSBub25jZ==="), WS_E_HS_KEY_INVALID },
        { "inner space", S("dGhlIHNhbXBs ZSBub25jZQ="), WS_E_HS_KEY_INVALID },
        { "empty", S(""), WS_E_HS_KEY_INVALID },
        { "only padding", S("===="), WS_E_HS_KEY_INVALID },
        { "32 bytes", S("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="), WS_E_HS_KEY_INVALID },
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        is_int(ws_handshake_check_key(keys[i].key, keys[i].len), keys[i].want, "check_key: %s",
               keys[i].what);
        guarded g = guard_copy(keys[i].key, keys[i].len);
        is_int(ws_handshake_check_key((const char *)g.data, keys[i].len), keys[i].want,
               "check_key guarded: %s", keys[i].what);
        guard_free(&g);
    }
    is_int(ws_handshake_check_key(NULL, 24), WS_E_HS_KEY_INVALID, "check_key: NULL");
}

/* ---- header values ------------------------------------------------------------ */

static void test_list_contains(void)
{
    static const struct {
        const char *value;
        size_t len;
        const char *token;
        bool want;
    } cases[] = {
        { S("Upgrade"), "upgrade", true },
        { S("UpGrAdE"), "upgrade", true },
        { S("keep-alive, Upgrade"), "upgrade", true },
        { S("Upgrade, keep-alive"), "upgrade", true },
        { S("keep-alive,Upgrade"), "upgrade", true },
        { S(" ,, \tupgrade\t ,,"), "upgrade", true },
        { S("keep-alive"), "upgrade", false },
        { S("upgraded"), "upgrade", false },
        { S("up grade"), "upgrade", false },
        { S("upgrade;q=1"), "upgrade", false },
        { S(""), "upgrade", false },
        { S(","), "upgrade", false },
        { S("websocket"), "websocket", true },
        { S("WebSocket"), "websocket", true },
        { S("h2c, WEBSOCKET"), "websocket", true },
        { S("websocket x"), "websocket", false },
        { S("websocketx"), "websocket", false },
        { S("websocket/13"), "websocket", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        guarded g = guard_copy(cases[i].value, cases[i].len);
        ok(ws_handshake_list_contains((const char *)g.data, cases[i].len, cases[i].token) ==
               cases[i].want,
           "\"%s\" %s \"%s\"", cases[i].value, cases[i].want ? "lists" : "does not list",
           cases[i].token);
        guard_free(&g);
    }
    ok(!ws_handshake_list_contains(NULL, 0, "upgrade"), "NULL list lists nothing");
}

/* Every prefix of a value, parsed from a guarded copy, must give a defined
 * answer without reading past it. */
static bool prefixes_defined(const char *v, size_t len, bool extensions)
{
    for (size_t i = 0; i <= len; i++) {
        guarded g = guard_copy(v, i);
        size_t num = 0;
        int rc;
        if (extensions) {
            ws_extension e[4];
            rc = ws_handshake_parse_extensions((const char *)g.data, i, e, 4, &num);
        } else {
            ws_handshake_token t[8];
            rc = ws_handshake_parse_protocols((const char *)g.data, i, t, 8, &num);
        }
        guard_free(&g);
        if (rc != WS_OK && rc != WS_E_HS_TOO_MANY_ITEMS &&
            rc != (extensions ? WS_E_HS_EXTENSIONS_SYNTAX : WS_E_HS_PROTOCOL_SYNTAX))
            return false;
    }
    return true;
}

static int protocols_case(const char *v, size_t len, ws_handshake_token *out, size_t max,
                          size_t *num, int want)
{
    *num = 0;
    int rc = ws_handshake_parse_protocols(v, len, out, max, num);
    is_int(rc, want, "protocols \"%.*s\"", (int)len, v);
    note(rc);
    guarded g = guard_copy(v, len);
    ws_handshake_token tg[16];
    size_t ng = 0;
    int grc = ws_handshake_parse_protocols((const char *)g.data, len, out ? tg : NULL, max, &ng);
    guard_free(&g);
    ok(grc == rc && ng == *num && prefixes_defined(v, len, false),
       "protocols \"%.*s\": guarded copy agrees, prefixes stay in bounds", (int)len, v);
    return rc;
}

static void test_protocols(void)
{
    ws_handshake_token t[16];
    size_t n;

    if (protocols_case(S("chat, superchat"), t, 16, &n, WS_OK) == WS_OK) {
        is_int(n, 2, "two protocols");
        is_str(t[0].str, t[0].len, "chat", "first");
        is_str(t[1].str, t[1].len, "superchat", "second");
    }
    if (protocols_case(S(" ,chat ,, \tsuperchat\t, "), t, 16, &n, WS_OK) == WS_OK) {
        is_int(n, 2, "empty elements and whitespace tolerated");
        is_str(t[1].str, t[1].len, "superchat", "second, trimmed");
    }
    protocols_case(S("v2.bookings.example.net"), t, 16, &n, WS_OK);
    protocols_case(S("chat superchat"), t, 16, &n, WS_E_HS_PROTOCOL_SYNTAX);
    protocols_case(S("chat;v=1"), t, 16, &n, WS_E_HS_PROTOCOL_SYNTAX);
    protocols_case(S("ch@t"), t, 16, &n, WS_E_HS_PROTOCOL_SYNTAX);
    protocols_case(S("\"chat\""), t, 16, &n, WS_E_HS_PROTOCOL_SYNTAX);
    protocols_case(S(""), t, 16, &n, WS_E_HS_PROTOCOL_SYNTAX);
    protocols_case(S(" , ,"), t, 16, &n, WS_E_HS_PROTOCOL_SYNTAX);
    if (protocols_case(S("a, b, c"), t, 2, &n, WS_E_HS_TOO_MANY_ITEMS) == WS_E_HS_TOO_MANY_ITEMS)
        is_int(n, 2, "the two that fit are kept");
    if (protocols_case(S("a, b, c"), NULL, 0, &n, WS_OK) == WS_OK)
        is_int(n, 3, "without storage, tokens are counted");

    /* Repeated fields append to one array. */
    n = 0;
    is_int(ws_handshake_parse_protocols(S("a, b"), t, 16, &n), WS_OK, "first field");
    is_int(ws_handshake_parse_protocols(S("c"), t, 16, &n), WS_OK, "second field");
    ok(n == 3 && t[2].len == 1 && t[2].str[0] == 'c', "second field appended");
    is_int(ws_handshake_parse_protocols(S("a"), t, 16, NULL), WS_E_INVALID_ARGUMENT, "NULL num");
    is_int(ws_handshake_parse_protocols(NULL, 3, t, 16, &n), WS_E_INVALID_ARGUMENT, "NULL value");
}

static int extensions_case(const char *v, size_t len, ws_extension *out, size_t max, size_t *num,
                           int want)
{
    *num = 0;
    int rc = ws_handshake_parse_extensions(v, len, out, max, num);
    is_int(rc, want, "extensions \"%.*s\"", (int)len, v);
    note(rc);
    guarded g = guard_copy(v, len);
    static ws_extension eg[8];
    size_t ng = 0;
    int grc = ws_handshake_parse_extensions((const char *)g.data, len, out ? eg : NULL, max, &ng);
    guard_free(&g);
    ok(grc == rc && ng == *num && prefixes_defined(v, len, true),
       "extensions \"%.*s\": guarded copy agrees, prefixes stay in bounds", (int)len, v);
    return rc;
}

static void test_extensions(void)
{
    static ws_extension e[8];
    size_t n;
    char buf[16];

    static const char pmd[] =
        "permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=\"10\"";
    if (extensions_case(S(pmd), e, 8, &n, WS_OK) == WS_OK) {
        is_int(n, 2, "two offers");
        is_str(e[0].name, e[0].name_len, "permessage-deflate", "first name");
        is_int(e[0].num_params, 1, "first: one parameter");
        is_str(e[0].params[0].name, e[0].params[0].name_len, "client_max_window_bits",
               "first: parameter name");
        ok(e[0].params[0].value == NULL && e[0].params[0].value_len == 0 &&
               !e[0].params[0].quoted,
           "first: parameter without value");
        is_str(e[1].name, e[1].name_len, "permessage-deflate", "second name");
        is_str(e[1].params[0].name, e[1].params[0].name_len, "server_max_window_bits",
               "second: parameter name");
        is_str(e[1].params[0].value, e[1].params[0].value_len, "10", "second: quotes stripped");
        ok(e[1].params[0].quoted && !e[1].params[0].escaped, "second: flagged as quoted");
        is_int(ws_extension_param_value(&e[1].params[0], buf, sizeof buf), 2, "value copied");
        is_mem(buf, 2, "10", 2, "value copy");
        is_int(ws_extension_param_value(&e[0].params[0], buf, sizeof buf), 0, "no value, 0");
    }

    static const char mux[] = "mux; max-channels=4; flow-control, deflate-stream";
    if (extensions_case(S(mux), e, 8, &n, WS_OK) == WS_OK) {
        is_int(n, 2, "RFC 9.1 example: two extensions");
        is_int(e[0].num_params, 2, "mux has two parameters");
        is_str(e[0].params[0].value, e[0].params[0].value_len, "4", "token value");
        ok(!e[0].params[0].quoted, "token value is not quoted");
        is_int(e[1].num_params, 0, "deflate-stream has none");
    }

    static const char spaced[] = " , foo \t;\t bar = baz ;  q = \"x\" ,, qux ,";
    if (extensions_case(S(spaced), e, 8, &n, WS_OK) == WS_OK) {
        is_int(n, 2, "whitespace and empty elements tolerated");
        is_str(e[0].params[0].value, e[0].params[0].value_len, "baz", "value after spaced =");
        is_str(e[0].params[1].value, e[0].params[1].value_len, "x", "quoted after spaced =");
        is_str(e[1].name, e[1].name_len, "qux", "second name");
    }

    static const char escaped[] = "a; b=\"1\\0\"";
    if (extensions_case(S(escaped), e, 8, &n, WS_OK) == WS_OK) {
        ok(e[0].params[0].quoted && e[0].params[0].escaped, "quoted-pair flagged");
        is_str(e[0].params[0].value, e[0].params[0].value_len, "1\\0", "raw value kept");
        is_int(ws_extension_param_value(&e[0].params[0], buf, sizeof buf), 2, "unescaped length");
        is_mem(buf, 2, "10", 2, "unescaped value");
        is_int(ws_extension_param_value(&e[0].params[0], buf, 1), WS_E_BUFFER_TOO_SMALL,
               "unescaped value does not fit");
    }

    static const struct {
        const char *v;
        size_t len;
    } bad[] = {
        { S(";x") },
        { S("a;=b") },
        { S("a; b=\"10") },
        { S("a; b=\"10\\") },
        { S("a; b=\"") },
        { S("a b") },
        { S("") },
        { S(" , ,") },
        { S("a;") },
        { S("a; b=") },
        { S("a; b=\"\"") },
        { S("a; b=\"1 0\"") },
        { S("a; b=\"1\\ 0\"") },
        { S("a; b=\"x\"y") },
        { S("a; b=c d") },
        { S("a; b=c=d") },
        { S("a=b") },
        { S("a,;b") },
        { S("a; b c") },
        { S("\"a\"") },
        { S("caf\xc3\xa9") },
        { S("a; b=\x01") },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        extensions_case(bad[i].v, bad[i].len, e, 8, &n, WS_E_HS_EXTENSIONS_SYNTAX);

    if (extensions_case(S("a, b; x, c"), e, 2, &n, WS_E_HS_TOO_MANY_ITEMS) ==
        WS_E_HS_TOO_MANY_ITEMS)
        is_int(n, 2, "the two extensions that fit are kept");
    static const char nine[] = "a; p1; p2; p3; p4; p5; p6; p7; p8; p9";
    extensions_case(S(nine), e, 8, &n, WS_E_HS_TOO_MANY_ITEMS);
    static const char eight[] = "a; p1; p2; p3; p4; p5; p6; p7; p8=\"8\"";
    if (extensions_case(S(eight), e, 8, &n, WS_OK) == WS_OK)
        is_int(e[0].num_params, WS_EXTENSION_MAX_PARAMS, "eight parameters fit");
    if (extensions_case(S(nine), NULL, 0, &n, WS_OK) == WS_OK)
        is_int(n, 1, "without storage, no bound on parameters");

    n = 0;
    is_int(ws_handshake_parse_extensions(S("foo"), e, 8, &n), WS_OK, "first field");
    is_int(ws_handshake_parse_extensions(S("bar; baz=2"), e, 8, &n), WS_OK, "second field");
    ok(n == 2 && e[1].name_len == 3 && memcmp(e[1].name, "bar", 3) == 0 && e[1].num_params == 1,
       "repeated fields append (RFC 9.1: foo + bar; baz=2)");
    is_int(ws_handshake_parse_extensions(S("a"), e, 8, NULL), WS_E_INVALID_ARGUMENT, "NULL num");
    is_int(ws_extension_param_value(NULL, buf, 1), WS_E_INVALID_ARGUMENT, "param NULL");
}

/* ---- server: reading requests ------------------------------------------------- */

#define RL "GET /chat HTTP/1.1\r\n"
#define HOST "Host: server.example.com\r\n"
#define UPG "Upgrade: websocket\r\n"
#define CONN "Connection: Upgrade\r\n"
#define KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define VER "Sec-WebSocket-Version: 13\r\n"
#define END "\r\n"
#define BASE RL HOST UPG CONN KEY VER

static ws_handshake_token g_protocols[4];
static ws_extension g_extensions[4];

static int server_case(const char *what, const char *raw, size_t len, int want,
                       ws_http_request *req, ws_http_header *hs, ws_handshake_request_info *info)
{
    int rc = req_three_ways(what, raw, len, req, hs);
    if (rc > 0) {
        memset(info, 0, sizeof *info);
        info->protocols = g_protocols;
        info->max_protocols = 4;
        info->extensions = g_extensions;
        info->max_extensions = 4;
        rc = ws_handshake_check_request(req, info);
    }
    is_int(rc, want, "server reads %s", what);
    note(rc);
    return rc;
}

static void test_server_valid(void)
{
    ws_http_request req;
    ws_http_header hs[MAXH];
    ws_handshake_request_info info;

    static const char rfc[] = RL HOST UPG CONN KEY
        "Origin: http://example.com\r\n"
        "Sec-WebSocket-Protocol: chat, superchat\r\n" VER END;
    if (server_case("the RFC 1.3 request", S(rfc), WS_OK, &req, hs, &info) == WS_OK) {
        is_str(info.key, info.key_len, "dGhlIHNhbXBsZSBub25jZQ==", "key");
        is_str(info.origin, info.origin_len, "http://example.com", "origin");
        is_str(info.host, info.host_len, "server.example.com", "host");
        is_str(info.target, info.target_len, "/chat", "target");
        is_int(info.num_protocols, 2, "two protocols offered");
        is_str(info.protocols[1].str, info.protocols[1].len, "superchat", "second protocol");
        is_int(info.num_extensions, 0, "no extensions offered");
        ok(info.key >= rfc && info.key < rfc + sizeof rfc, "key points into the request");
    }

    static const char nocase[] = "GET /chat HTTP/1.1\r\n"
                                 "hOST: server.example.com\r\n"
                                 "UPGRADE: WebSocket\r\n"
                                 "connection: UpGrAdE\r\n"
                                 "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "SEC-WEBSOCKET-VERSION: 13\r\n" END;
    server_case("case-insensitive names and tokens", S(nocase), WS_OK, &req, hs, &info);
    if (server_case("no Origin", S(BASE END), WS_OK, &req, hs, &info) == WS_OK)
        ok(info.origin == NULL && info.origin_len == 0, "origin absent");
    server_case("Connection: keep-alive, Upgrade",
                S(RL HOST UPG "Connection: keep-alive, Upgrade\r\n" KEY VER END), WS_OK, &req, hs,
                &info);
    server_case("Connection split over two fields",
                S(RL HOST UPG "Connection: keep-alive\r\nConnection: Upgrade\r\n" KEY VER END),
                WS_OK, &req, hs, &info);
    server_case("Upgrade listing two protocols",
                S(RL HOST "Upgrade: h2c, websocket\r\n" CONN KEY VER END), WS_OK, &req, hs, &info);
    server_case("whitespace around values",
                S(RL HOST UPG CONN "Sec-WebSocket-Key: \t dGhlIHNhbXBsZSBub25jZQ== \t\r\n"
                  "Sec-WebSocket-Version:  13 \r\n" END),
                WS_OK, &req, hs, &info);
    server_case("key of the RFC 4.1 example",
                S(RL HOST UPG CONN "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEC==\r\n" VER END),
                WS_OK, &req, hs, &info);
    server_case("HTTP/1.2", S("GET /chat HTTP/1.2\r\n" HOST UPG CONN KEY VER END), WS_OK, &req,
                hs, &info);
    if (server_case("absolute http target",
                    S("GET http://server.example.com:80/chat?a=1&b=%2F HTTP/1.1\r\n" HOST UPG CONN
                          KEY VER END),
                    WS_OK, &req, hs, &info) == WS_OK)
        is_str(info.target, info.target_len, "http://server.example.com:80/chat?a=1&b=%2F",
               "absolute target reported as sent");
    server_case("absolute wss target without path",
                S("GET WSS://server.example.com?x HTTP/1.1\r\n" HOST UPG CONN KEY VER END), WS_OK,
                &req, hs, &info);
    server_case("target with every pchar",
                S("GET /a-._~!$&'()*+,;=:@/%41?q=/? HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
                WS_OK, &req, hs, &info);
    server_case("IPv6 Host with port",
                S(RL "Host: [::1]:9001\r\n" UPG CONN KEY VER END), WS_OK, &req, hs, &info);
    server_case("leading empty line", S("\r\n" BASE END), WS_OK, &req, hs, &info);

    static const char pmd[] =
        BASE "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, "
             "permessage-deflate; server_max_window_bits=\"10\"\r\n" END;
    if (server_case("permessage-deflate offers", S(pmd), WS_OK, &req, hs, &info) == WS_OK) {
        is_int(info.num_extensions, 2, "two extension offers");
        is_str(info.extensions[1].params[0].value, info.extensions[1].params[0].value_len, "10",
               "second offer's window bits");
    }
    static const char split[] = BASE "Sec-WebSocket-Extensions: foo\r\n"
                                     "Sec-WebSocket-Protocol: chat\r\n"
                                     "Sec-WebSocket-Extensions: bar; baz=2\r\n"
                                     "Sec-WebSocket-Protocol: superchat, x\r\n" END;
    if (server_case("offers split over fields", S(split), WS_OK, &req, hs, &info) == WS_OK) {
        ok(info.num_extensions == 2 && info.extensions[1].name_len == 3 &&
               memcmp(info.extensions[1].name, "bar", 3) == 0,
           "extensions from both fields");
        ok(info.num_protocols == 3 && info.protocols[2].len == 1, "protocols from both fields");
    }

    /* Without storage the offers are checked and counted. */
    if (req_parse(S(split), &req, hs) > 0) {
        memset(&info, 0, sizeof info);
        is_int(ws_handshake_check_request(&req, &info), WS_OK, "offers without storage");
        ok(info.num_protocols == 3 && info.num_extensions == 2, "offers counted");
    }
    is_int(ws_handshake_check_request(NULL, &info), WS_E_INVALID_ARGUMENT, "NULL request");
    is_int(ws_handshake_check_request(&req, NULL), WS_E_INVALID_ARGUMENT, "NULL info");
}

static void test_server_errors(void)
{
    static char big[MAX_HEAD + 64];
    static char many[4096];
    size_t at;

    memcpy(big, BASE, sizeof BASE - 1);
    at = sizeof BASE - 1;
    memcpy(big + at, "Cookie: ", 8);
    at += 8;
    memset(big + at, 'c', sizeof big - at - 4);
    memcpy(big + sizeof big - 4, "\r\n\r\n", 4);

    memcpy(many, BASE, sizeof BASE - 1);
    at = sizeof BASE - 1;
    for (int i = 0; i < MAXH; i++)
        at += (size_t)snprintf(many + at, sizeof many - at, "X-Extra-%d: %d\r\n", i, i);
    at += (size_t)snprintf(many + at, sizeof many - at, "\r\n");
    size_t many_len = at;

    const struct {
        const char *what;
        const char *raw;
        size_t len;
        int want;
    } cases[] = {
        { "bare LF line ends", S("GET /chat HTTP/1.1\nHost: a\n\n"), WS_E_HTTP_SYNTAX },
        { "folded Upgrade", S(RL HOST "Upgrade:\r\n websocket\r\n" CONN KEY VER END),
          WS_E_HTTP_SYNTAX },
        { "POST", S("POST /chat HTTP/1.1\r\n" HOST UPG CONN KEY VER END), WS_E_HS_METHOD },
        { "lowercase get", S("get /chat HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_METHOD },
        { "HTTP/1.0", S("GET /chat HTTP/1.0\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_HTTP_VERSION },
        { "HTTP/0.9", S("GET /chat HTTP/0.9\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_HTTP_VERSION },
        { "asterisk target", S("GET * HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "relative target", S("GET chat HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "target with a fragment", S("GET /chat#top HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "target with a bad escape", S("GET /%zz HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "target with a cut escape", S("GET /%4 HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "target with a quote", S("GET /a\"b HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "ftp target", S("GET ftp://server.example.com/ HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "authority-form target",
          S("GET server.example.com:80 HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "absolute target without host", S("GET http:///chat HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "absolute target with userinfo",
          S("GET http://u:p@server.example.com/ HTTP/1.1\r\n" HOST UPG CONN KEY VER END),
          WS_E_HS_REQUEST_TARGET },
        { "missing Host", S(RL UPG CONN KEY VER END), WS_E_HS_HOST },
        { "two Host fields", S(RL HOST "Host: other.example.com\r\n" UPG CONN KEY VER END),
          WS_E_HS_HOST },
        { "empty Host", S(RL "Host:\r\n" UPG CONN KEY VER END), WS_E_HS_HOST },
        { "Host with a space", S(RL "Host: a b\r\n" UPG CONN KEY VER END), WS_E_HS_HOST },
        { "Host with userinfo", S(RL "Host: u@a\r\n" UPG CONN KEY VER END), WS_E_HS_HOST },
        { "missing Upgrade", S(RL HOST CONN KEY VER END), WS_E_HS_UPGRADE },
        { "Upgrade: h2c", S(RL HOST "Upgrade: h2c\r\n" CONN KEY VER END), WS_E_HS_UPGRADE },
        { "Upgrade: websocketx", S(RL HOST "Upgrade: websocketx\r\n" CONN KEY VER END),
          WS_E_HS_UPGRADE },
        { "Upgrade: web socket", S(RL HOST "Upgrade: web socket\r\n" CONN KEY VER END),
          WS_E_HS_UPGRADE },
        { "missing Connection", S(RL HOST UPG KEY VER END), WS_E_HS_CONNECTION },
        { "Connection: keep-alive", S(RL HOST UPG "Connection: keep-alive\r\n" KEY VER END),
          WS_E_HS_CONNECTION },
        { "Connection: Upgraded", S(RL HOST UPG "Connection: Upgraded\r\n" KEY VER END),
          WS_E_HS_CONNECTION },
        { "Upgrade token in the wrong field",
          S(RL HOST "Upgrade: websocket, upgrade\r\nConnection: close\r\n" KEY VER END),
          WS_E_HS_CONNECTION },
        { "missing key", S(RL HOST UPG CONN VER END), WS_E_HS_KEY_MISSING },
        { "two Sec-WebSocket-Key fields", S(RL HOST UPG CONN KEY KEY VER END),
          WS_E_HS_KEY_DUPLICATE },
        { "two different keys",
          S(RL HOST UPG CONN KEY "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n" VER END),
          WS_E_HS_KEY_DUPLICATE },
        { "duplicate key that is also invalid",
          S(RL HOST UPG CONN "Sec-WebSocket-Key: x\r\n" KEY VER END), WS_E_HS_KEY_DUPLICATE },
        { "key of 15 bytes", S(RL HOST UPG CONN "Sec-WebSocket-Key: AAECAwQFBgcICQoLDA0O\r\n" VER END),
          WS_E_HS_KEY_INVALID },
        { "key of 17 bytes",
          S(RL HOST UPG CONN "Sec-WebSocket-Key: AAECAwQFBgcICQoLDA0ODxA=\r\n" VER END),
          WS_E_HS_KEY_INVALID },
        { "non-base64 key",
          S(RL HOST UPG CONN "Sec-WebSocket-Key: this-is-not-base64-at-all!\r\n" VER END),
          WS_E_HS_KEY_INVALID },
        { "empty key", S(RL HOST UPG CONN "Sec-WebSocket-Key:\r\n" VER END), WS_E_HS_KEY_INVALID },
        { "missing version", S(RL HOST UPG CONN KEY END), WS_E_HS_VERSION },
        { "version 8", S(RL HOST UPG CONN KEY "Sec-WebSocket-Version: 8\r\n" END),
          WS_E_HS_VERSION },
        { "version 12", S(RL HOST UPG CONN KEY "Sec-WebSocket-Version: 12\r\n" END),
          WS_E_HS_VERSION },
        { "version 14", S(RL HOST UPG CONN KEY "Sec-WebSocket-Version: 14\r\n" END),
          WS_E_HS_VERSION },
        { "version 013", S(RL HOST UPG CONN KEY "Sec-WebSocket-Version: 013\r\n" END),
          WS_E_HS_VERSION },
        { "version list", S(RL HOST UPG CONN KEY "Sec-WebSocket-Version: 13, 8\r\n" END),
          WS_E_HS_VERSION },
        { "two version fields", S(RL HOST UPG CONN KEY VER VER END), WS_E_HS_VERSION },
        { "protocols without comma", S(BASE "Sec-WebSocket-Protocol: chat superchat\r\n" END),
          WS_E_HS_PROTOCOL_SYNTAX },
        { "empty protocol field", S(BASE "Sec-WebSocket-Protocol:\r\n" END),
          WS_E_HS_PROTOCOL_SYNTAX },
        { "extension ;x", S(BASE "Sec-WebSocket-Extensions: ;x\r\n" END),
          WS_E_HS_EXTENSIONS_SYNTAX },
        { "extension a;=b", S(BASE "Sec-WebSocket-Extensions: a;=b\r\n" END),
          WS_E_HS_EXTENSIONS_SYNTAX },
        { "unterminated quote",
          S(BASE "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"10\r\n" END),
          WS_E_HS_EXTENSIONS_SYNTAX },
        { "extension a b", S(BASE "Sec-WebSocket-Extensions: a b\r\n" END),
          WS_E_HS_EXTENSIONS_SYNTAX },
        { "five protocols for four slots",
          S(BASE "Sec-WebSocket-Protocol: a, b, c\r\nSec-WebSocket-Protocol: d, e\r\n" END),
          WS_E_HS_TOO_MANY_ITEMS },
        { "five extensions for four slots", S(BASE "Sec-WebSocket-Extensions: a, b, c, d, e\r\n" END),
          WS_E_HS_TOO_MANY_ITEMS },
        { "oversized head", big, sizeof big, WS_E_HTTP_TOO_LARGE },
        { "too many fields", many, many_len, WS_E_HTTP_TOO_MANY_HEADERS },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_http_request req;
        ws_http_header hs[MAXH];
        ws_handshake_request_info info;
        server_case(cases[i].what, cases[i].raw, cases[i].len, cases[i].want, &req, hs, &info);
    }
}

/* ---- client: reading responses -------------------------------------------------- */

#define SL "HTTP/1.1 101 Switching Protocols\r\n"
#define ACC "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
#define OK_HEAD SL UPG CONN ACC

static const ws_handshake_request_spec client_spec = {
    .host = "server.example.com",
    .target = "/chat",
    .key = "dGhlIHNhbXBsZSBub25jZQ==",
    .origin = "http://example.com",
    .protocols = "chat, superchat",
    .extensions = "permessage-deflate; client_max_window_bits, x-webkit-deflate-frame",
};
static const ws_handshake_request_spec bare_spec = {
    .host = "server.example.com",
    .key = "dGhlIHNhbXBsZSBub25jZQ==",
};
static const ws_handshake_request_spec bad_offer_spec = {
    .host = "server.example.com",
    .key = "dGhlIHNhbXBsZSBub25jZQ==",
    .protocols = "chat superchat",
    .extensions = "a;=b",
};

static int client_case(const char *what, const char *raw, size_t len,
                       const ws_handshake_request_spec *spec, int want,
                       ws_handshake_response_info *info, ws_http_header *hs)
{
    ws_http_response res;
    int rc = res_three_ways(what, raw, len, &res, hs);
    if (rc > 0) {
        memset(info, 0, sizeof *info);
        rc = ws_handshake_check_response(&res, spec, info);
    }
    is_int(rc, want, "client reads %s", what);
    note(rc);
    return rc;
}

static void test_client(void)
{
    ws_handshake_response_info info;
    ws_http_header hs[MAXH];

    if (client_case("the RFC 1.3 response", S(OK_HEAD "Sec-WebSocket-Protocol: chat\r\n" END),
                    &client_spec, WS_OK, &info, hs) == WS_OK) {
        is_str(info.protocol, info.protocol_len, "chat", "selected protocol");
        ok(info.extensions == NULL, "no extensions in use");
    }
    if (client_case("no protocol, no extension", S(OK_HEAD END), &bare_spec, WS_OK, &info, hs) ==
        WS_OK)
        ok(info.protocol == NULL && info.protocol_len == 0, "no protocol in use");
    if (client_case("accepted extension",
                    S(OK_HEAD "Sec-WebSocket-Extensions: permessage-deflate; "
                              "server_no_context_takeover\r\n" END),
                    &client_spec, WS_OK, &info, hs) == WS_OK)
        is_str(info.extensions, info.extensions_len,
               "permessage-deflate; server_no_context_takeover", "extensions in use");
    client_case("two accepted extensions",
                S(OK_HEAD "Sec-WebSocket-Extensions: x-webkit-deflate-frame, permessage-deflate\r\n" END),
                &client_spec, WS_OK, &info, hs);
    client_case("case-insensitive names and tokens",
                S(SL "upgrade: WEBSOCKET\r\nCONNECTION: keep-alive, UpGrAdE\r\n"
                     "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" END),
                &client_spec, WS_OK, &info, hs);
    client_case("accept with whitespace around it",
                S(SL UPG CONN "Sec-WebSocket-Accept: \t s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n" END),
                &client_spec, WS_OK, &info, hs);
    client_case("frame bytes behind the head",
                S(OK_HEAD END "\x81\x05hello"), &client_spec, WS_OK, &info, hs);

    static const struct {
        const char *what;
        const char *raw;
        size_t len;
        const ws_handshake_request_spec *spec;
        int want;
    } cases[] = {
        { "200 OK", S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), &client_spec,
          WS_E_HS_STATUS },
        { "302 redirect", S("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n\r\n"), &client_spec,
          WS_E_HS_STATUS },
        { "426 with supported versions",
          S("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13, 8\r\n\r\n"), &client_spec,
          WS_E_HS_STATUS },
        { "100 Continue", S("HTTP/1.1 100 Continue\r\n\r\n"), &client_spec, WS_E_HS_STATUS },
        { "missing Upgrade", S(SL CONN ACC END), &client_spec, WS_E_HS_RESPONSE_UPGRADE },
        { "Upgrade: h2c", S(SL "Upgrade: h2c\r\n" CONN ACC END), &client_spec,
          WS_E_HS_RESPONSE_UPGRADE },
        { "Upgrade listing websocket among others (4.1 wants the value itself)",
          S(SL "Upgrade: websocket, h2c\r\n" CONN ACC END), &client_spec,
          WS_E_HS_RESPONSE_UPGRADE },
        { "two Upgrade fields", S(SL UPG UPG CONN ACC END), &client_spec,
          WS_E_HS_RESPONSE_UPGRADE },
        { "missing Connection", S(SL UPG ACC END), &client_spec, WS_E_HS_RESPONSE_CONNECTION },
        { "Connection: keep-alive", S(SL UPG "Connection: keep-alive\r\n" ACC END), &client_spec,
          WS_E_HS_RESPONSE_CONNECTION },
        { "missing accept", S(SL UPG CONN END), &client_spec, WS_E_HS_ACCEPT_MISSING },
        { "accept of another key",
          S(SL UPG CONN "Sec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\n" END), &client_spec,
          WS_E_HS_ACCEPT_MISMATCH },
        { "accept in the wrong case",
          S(SL UPG CONN "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\r\n" END), &client_spec,
          WS_E_HS_ACCEPT_MISMATCH },
        { "the key echoed as accept",
          S(SL UPG CONN "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n" END), &client_spec,
          WS_E_HS_ACCEPT_MISMATCH },
        { "truncated accept",
          S(SL UPG CONN "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n" END), &client_spec,
          WS_E_HS_ACCEPT_MISMATCH },
        { "two accept fields", S(OK_HEAD ACC END), &client_spec, WS_E_HS_ACCEPT_MISMATCH },
        { "extension not offered",
          S(OK_HEAD "Sec-WebSocket-Extensions: permessage-bzip2\r\n" END), &client_spec,
          WS_E_HS_EXTENSION_NOT_OFFERED },
        { "second extension not offered",
          S(OK_HEAD "Sec-WebSocket-Extensions: permessage-deflate, foo\r\n" END), &client_spec,
          WS_E_HS_EXTENSION_NOT_OFFERED },
        { "extension when none was offered",
          S(OK_HEAD "Sec-WebSocket-Extensions: permessage-deflate\r\n" END), &bare_spec,
          WS_E_HS_EXTENSION_NOT_OFFERED },
        { "extension name in another case",
          S(OK_HEAD "Sec-WebSocket-Extensions: Permessage-Deflate\r\n" END), &client_spec,
          WS_E_HS_EXTENSION_NOT_OFFERED },
        { "malformed extensions",
          S(OK_HEAD "Sec-WebSocket-Extensions: permessage-deflate;\r\n" END), &client_spec,
          WS_E_HS_EXTENSIONS_SYNTAX },
        { "malformed extensions before one not offered",
          S(OK_HEAD "Sec-WebSocket-Extensions: foo, permessage-deflate; x=\"\r\n" END),
          &client_spec, WS_E_HS_EXTENSIONS_SYNTAX },
        { "two extension fields",
          S(OK_HEAD "Sec-WebSocket-Extensions: permessage-deflate\r\n"
                    "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n" END),
          &client_spec, WS_E_HS_EXTENSIONS_SYNTAX },
        { "protocol not offered", S(OK_HEAD "Sec-WebSocket-Protocol: superchat2\r\n" END),
          &client_spec, WS_E_HS_PROTOCOL_NOT_OFFERED },
        { "protocol in another case", S(OK_HEAD "Sec-WebSocket-Protocol: CHAT\r\n" END),
          &client_spec, WS_E_HS_PROTOCOL_NOT_OFFERED },
        { "a list of protocols", S(OK_HEAD "Sec-WebSocket-Protocol: chat, superchat\r\n" END),
          &client_spec, WS_E_HS_PROTOCOL_NOT_OFFERED },
        { "empty protocol", S(OK_HEAD "Sec-WebSocket-Protocol:\r\n" END), &client_spec,
          WS_E_HS_PROTOCOL_NOT_OFFERED },
        { "two protocol fields",
          S(OK_HEAD "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n" END),
          &client_spec, WS_E_HS_PROTOCOL_NOT_OFFERED },
        { "protocol when none was offered", S(OK_HEAD "Sec-WebSocket-Protocol: chat\r\n" END),
          &bare_spec, WS_E_HS_PROTOCOL_NOT_OFFERED },
        { "protocol against a malformed offer", S(OK_HEAD "Sec-WebSocket-Protocol: chat\r\n" END),
          &bad_offer_spec, WS_E_INVALID_ARGUMENT },
        { "extension against a malformed offer", S(OK_HEAD "Sec-WebSocket-Extensions: a\r\n" END),
          &bad_offer_spec, WS_E_INVALID_ARGUMENT },
        { "malformed status line", S("HTTP/1.1 101\r\n" UPG CONN ACC END), &client_spec,
          WS_E_HTTP_SYNTAX },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        client_case(cases[i].what, cases[i].raw, cases[i].len, cases[i].spec, cases[i].want, &info,
                    hs);

    ws_http_response res;
    res_parse(S(OK_HEAD END), &res, hs);
    is_int(ws_handshake_check_response(NULL, &client_spec, &info), WS_E_INVALID_ARGUMENT,
           "NULL response");
    is_int(ws_handshake_check_response(&res, NULL, &info), WS_E_INVALID_ARGUMENT, "NULL spec");
    ws_handshake_request_spec no_key = client_spec;
    no_key.key = NULL;
    is_int(ws_handshake_check_response(&res, &no_key, &info), WS_E_INVALID_ARGUMENT, "NULL key");
    is_int(ws_handshake_check_response(&res, &client_spec, NULL), WS_OK, "NULL info is fine");
}

/* ---- writing heads -------------------------------------------------------------- */

/* Builds with every capacity below the needed one (into a buffer ending at an
 * unreadable page, so a write past cap faults) and with exactly it. */
typedef int (*builder)(const void *arg, char *out, size_t cap);

static int build_request_fn(const void *arg, char *out, size_t cap)
{
    return ws_handshake_build_request(arg, out, cap);
}

static int build_response_fn(const void *arg, char *out, size_t cap)
{
    return ws_handshake_build_response(arg, out, cap);
}

static int build_error_fn(const void *arg, char *out, size_t cap)
{
    return ws_handshake_build_error(*(const int *)arg, out, cap);
}

static void check_capacities(const char *what, builder fn, const void *arg, int need)
{
    static const char blank[4096];
    bool good = need > 0 && (size_t)need <= sizeof blank;
    size_t bad = 0;
    for (size_t cap = 0; good && cap <= (size_t)need; cap++) {
        guarded g = guard_copy(blank, cap);
        int rc = fn(arg, (char *)g.data, cap);
        good = rc == (cap < (size_t)need ? WS_E_BUFFER_TOO_SMALL : need);
        bad = cap;
        guard_free(&g);
    }
    ok(good, "%s: WS_E_BUFFER_TOO_SMALL below %d bytes, fits in exactly %d", what, need, need);
    if (!good)
        tap_diag("wrong at capacity %zu", bad);
}

static void test_build_request(void)
{
    char out[1024];
    ws_handshake_request_spec spec = client_spec;
    spec.extensions = "permessage-deflate; client_max_window_bits";
    spec.extra_headers = "Cookie: a=b\r\n";

    static const char want[] = "GET /chat HTTP/1.1\r\n"
                               "Host: server.example.com\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                               "Origin: http://example.com\r\n"
                               "Sec-WebSocket-Protocol: chat, superchat\r\n"
                               "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                               "Cookie: a=b\r\n"
                               "\r\n";
    int n = ws_handshake_build_request(&spec, out, sizeof out);
    is_mem(out, n > 0 ? (size_t)n : 0, want, sizeof want - 1, "full client request");
    check_capacities("client request", build_request_fn, &spec, (int)sizeof want - 1);

    /* What the client writes, the server accepts, offers and all. */
    ws_http_request req;
    ws_http_header hs[MAXH];
    ws_handshake_request_info info;
    if (n > 0 && server_case("the built request", out, (size_t)n, WS_OK, &req, hs, &info) == WS_OK)
        ok(info.num_protocols == 2 && info.num_extensions == 1 && info.extensions[0].num_params == 1,
           "offers survive the round trip");

    ws_handshake_request_spec m = bare_spec;
    static const char minimal[] = "GET / HTTP/1.1\r\n"
                                  "Host: server.example.com\r\n"
                                  "Upgrade: websocket\r\n"
                                  "Connection: Upgrade\r\n"
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Sec-WebSocket-Version: 13\r\n"
                                  "\r\n";
    n = ws_handshake_build_request(&m, out, sizeof out);
    is_mem(out, n > 0 ? (size_t)n : 0, minimal, sizeof minimal - 1, "minimal client request");

    static const struct {
        const char *host;
        uint16_t port;
        bool secure;
        const char *want;
    } hosts[] = {
        { "example.com", 80, false, "Host: example.com\r\n" },
        { "example.com", 443, true, "Host: example.com\r\n" },
        { "example.com", 443, false, "Host: example.com:443\r\n" },
        { "example.com", 80, true, "Host: example.com:80\r\n" },
        { "example.com", 9001, false, "Host: example.com:9001\r\n" },
        { "example.com", 0, true, "Host: example.com\r\n" },
        { "::1", 9001, false, "Host: [::1]:9001\r\n" },
        { "[::1]", 80, false, "Host: [::1]\r\n" },
        { "127.0.0.1", 65535, true, "Host: 127.0.0.1:65535\r\n" },
    };
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        m = bare_spec;
        m.host = hosts[i].host;
        m.port = hosts[i].port;
        m.secure = hosts[i].secure;
        n = ws_handshake_build_request(&m, out, sizeof out);
        size_t wl = strlen(hosts[i].want);
        ok(n > 16 + (int)wl && memcmp(out + 16, hosts[i].want, wl) == 0, "%s port %u%s: %.*s",
           hosts[i].host, hosts[i].port, hosts[i].secure ? " (wss)" : "", (int)wl - 2,
           hosts[i].want);
    }

    /* A client can send a version the server must refuse with 426. */
    m = bare_spec;
    m.version = "8";
    n = ws_handshake_build_request(&m, out, sizeof out);
    if (n > 0)
        server_case("a built request with version 8", out, (size_t)n, WS_E_HS_VERSION, &req, hs,
                    &info);

    /* Round trip with a fresh key. */
    char key[WS_HANDSHAKE_KEY_LEN + 1];
    ws_handshake_make_key(key);
    m = client_spec;
    m.key = key;
    n = ws_handshake_build_request(&m, out, sizeof out);
    if (n > 0 && server_case("a built request with a fresh key", out, (size_t)n, WS_OK, &req, hs,
                             &info) == WS_OK) {
        char reply[512];
        ws_handshake_response_spec rs = { .key = info.key, .key_len = info.key_len,
                                          .protocol = info.protocols[1].str,
                                          .protocol_len = info.protocols[1].len };
        int rn = ws_handshake_build_response(&rs, reply, sizeof reply);
        ws_handshake_response_info ri;
        ws_http_header rhs[MAXH];
        if (rn > 0 && client_case("the server's reply to a fresh key", reply, (size_t)rn, &m, WS_OK,
                                  &ri, rhs) == WS_OK)
            is_str(ri.protocol, ri.protocol_len, "superchat", "the server's choice is in use");
    }

    m = bare_spec;
    m.host = NULL;
    is_int(ws_handshake_build_request(&m, out, sizeof out), WS_E_INVALID_ARGUMENT, "NULL host");
    m = bare_spec;
    m.key = NULL;
    is_int(ws_handshake_build_request(&m, out, sizeof out), WS_E_INVALID_ARGUMENT, "NULL key");
    is_int(ws_handshake_build_request(NULL, out, sizeof out), WS_E_INVALID_ARGUMENT, "NULL spec");
    is_int(ws_handshake_build_request(&bare_spec, NULL, 10), WS_E_INVALID_ARGUMENT, "NULL out");
    const char *injected[] = { "/chat\r\nX-Evil: 1", "a\nb" };
    for (int i = 0; i < 2; i++) {
        m = bare_spec;
        m.target = injected[i];
        is_int(ws_handshake_build_request(&m, out, sizeof out), WS_E_INVALID_ARGUMENT,
               "CR or LF in the target refused (%d)", i);
        m = bare_spec;
        m.origin = injected[i];
        is_int(ws_handshake_build_request(&m, out, sizeof out), WS_E_INVALID_ARGUMENT,
               "CR or LF in the origin refused (%d)", i);
    }
    m = bare_spec;
    m.extra_headers = "X-Raw: 1\r\nX-Raw: 2\r\n";
    n = ws_handshake_build_request(&m, out, sizeof out);
    ok(n > 0 && find_mem(out, (size_t)n, "X-Raw: 1\r\nX-Raw: 2\r\n\r\n", 22) != NULL,
       "extra header lines written as given");
}

static void test_build_response(void)
{
    char out[512];
    ws_handshake_response_spec spec = {
        .key = "dGhlIHNhbXBsZSBub25jZQ==", .key_len = 24,
        .protocol = "chat", .protocol_len = 4,
    };
    static const char want[] = "HTTP/1.1 101 Switching Protocols\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                               "Sec-WebSocket-Protocol: chat\r\n"
                               "\r\n";
    int n = ws_handshake_build_response(&spec, out, sizeof out);
    is_mem(out, n > 0 ? (size_t)n : 0, want, sizeof want - 1, "the RFC 1.3 response");
    check_capacities("server response", build_response_fn, &spec, (int)sizeof want - 1);
    ws_handshake_response_info info;
    ws_http_header hs[MAXH];
    if (n > 0)
        client_case("the built response", out, (size_t)n, &client_spec, WS_OK, &info, hs);

    spec.protocol = NULL;
    spec.protocol_len = 0;
    spec.extensions = "permessage-deflate; server_no_context_takeover";
    spec.extensions_len = strlen(spec.extensions);
    spec.extra_headers = "Set-Cookie: a=b\r\n";
    spec.extra_headers_len = strlen(spec.extra_headers);
    n = ws_handshake_build_response(&spec, out, sizeof out);
    ok(n > 0 && find_mem(out, (size_t)n,
                       "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"
                       "Set-Cookie: a=b\r\n\r\n", 93) != NULL,
       "extensions and extra lines written");
    if (n > 0 && client_case("a built response with an extension", out, (size_t)n, &client_spec,
                             WS_OK, &info, hs) == WS_OK)
        ok(info.protocol == NULL && info.extensions_len == 46, "extension in use, no protocol");

    spec.extensions = "a\r\nb";
    spec.extensions_len = 4;
    is_int(ws_handshake_build_response(&spec, out, sizeof out), WS_E_INVALID_ARGUMENT,
           "CRLF in extensions refused");
    spec.extensions = NULL;
    spec.key = NULL;
    is_int(ws_handshake_build_response(&spec, out, sizeof out), WS_E_INVALID_ARGUMENT, "NULL key");
    is_int(ws_handshake_build_response(NULL, out, sizeof out), WS_E_INVALID_ARGUMENT, "NULL spec");
}

/* Parses a built error response and checks what every refusal must carry. */
static void check_error_response(int err)
{
    char out[1024];
    const ws_error_info *row = ws_error_lookup(err);
    int status = row && row->http_status ? row->http_status : 500;
    const char *name = row ? row->name : "an unknown error";

    int n = ws_handshake_build_error(err, out, sizeof out);
    ws_http_response res;
    ws_http_header hs[MAXH];
    int hl = n > 0 ? res_parse(out, (size_t)n, &res, hs) : n;
    if (!ok(hl > 0, "error response for %s parses", name))
        return;
    is_int(res.status, status, "%s answers %d", name, status);
    const ws_http_header *cl = ws_http_find_header(hs, res.num_headers, "Content-Length", NULL);
    ok(cl && (size_t)strtoul(cl->value, NULL, 10) == (size_t)(n - hl) && n > hl,
       "%s: Content-Length matches the body", name);
    const ws_http_header *conn = ws_http_find_header(hs, res.num_headers, "Connection", NULL);
    ok(conn && ws_handshake_list_contains(conn->value, conn->value_len, "close"),
       "%s: Connection: close", name);
    if (row && row->message[0])
        ok(find_mem(out + hl, (size_t)(n - hl), row->message, strlen(row->message)) != NULL,
           "%s: body names the error", name);
    const ws_http_header *v =
        ws_http_find_header(hs, res.num_headers, "Sec-WebSocket-Version", NULL);
    if (status == 426) {
        ok(v && v->value_len == 2 && memcmp(v->value, "13", 2) == 0,
           "%s: Sec-WebSocket-Version: 13", name);
        const ws_http_header *u = ws_http_find_header(hs, res.num_headers, "Upgrade", NULL);
        ok(u && ws_handshake_list_contains(u->value, u->value_len, "websocket") &&
               ws_handshake_list_contains(conn->value, conn->value_len, "upgrade"),
           "%s: 426 names the protocol to upgrade to", name);
    } else {
        ok(v == NULL, "%s: no Sec-WebSocket-Version outside 426", name);
    }
    if (status == 405) {
        const ws_http_header *a = ws_http_find_header(hs, res.num_headers, "Allow", NULL);
        ok(a && a->value_len == 3 && memcmp(a->value, "GET", 3) == 0, "%s: Allow: GET", name);
    }
}

static void test_build_error(void)
{
    /* Every handshake error a server can meet, from the table. */
    for (size_t i = 0; i < ws_error_count(); i++) {
        const ws_error_info *row = ws_error_at(i);
        if (row->code <= -500 && row->code > -800 && row->http_status)
            check_error_response(row->code);
    }
    check_error_response(WS_E_CRYPTO);
    check_error_response(WS_E_LENGTH_MSB_SET); /* no status in the table: 500 */
    check_error_response(-12345);

    char out[512];
    int n = ws_handshake_build_error(WS_E_HS_VERSION, out, sizeof out);
    static const char v426[] = "HTTP/1.1 426 Upgrade Required\r\n"
                               "Upgrade: websocket\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\n"
                               "Content-Length: 57\r\n"
                               "Connection: Upgrade, close\r\n"
                               "\r\n"
                               "Sec-WebSocket-Version missing or not 13 (RFC 6455 4.2.2)\n";
    is_mem(out, n > 0 ? (size_t)n : 0, v426, sizeof v426 - 1, "the 426 response in full");
    int err = WS_E_HS_VERSION;
    check_capacities("426 response", build_error_fn, &err, (int)sizeof v426 - 1);
    err = WS_E_HTTP_TOO_LARGE;
    n = ws_handshake_build_error(err, out, sizeof out);
    ok(n > 0 && memcmp(out, S("HTTP/1.1 431 Request Header Fields Too Large\r\n")) == 0,
       "431 status line");
    check_capacities("431 response", build_error_fn, &err, n);
    n = ws_handshake_build_error(WS_E_HS_METHOD, out, sizeof out);
    ok(n > 0 && memcmp(out, S("HTTP/1.1 405 Method Not Allowed\r\n")) == 0, "405 status line");

    is_int(ws_handshake_build_error(WS_OK, out, sizeof out), WS_E_INVALID_ARGUMENT, "WS_OK");
    is_int(ws_handshake_build_error(WS_NEED_MORE, out, sizeof out), WS_E_INVALID_ARGUMENT,
           "WS_NEED_MORE");
    is_int(ws_handshake_build_error(7, out, sizeof out), WS_E_INVALID_ARGUMENT, "positive");
    is_int(ws_handshake_build_error(WS_E_HS_HOST, NULL, 0), WS_E_INVALID_ARGUMENT, "NULL out");
}

/* ---- every handshake error was produced ---------------------------------------- */

static void test_coverage(void)
{
    size_t rows = 0;
    for (size_t i = 0; i < ws_error_count(); i++) {
        const ws_error_info *row = ws_error_at(i);
        if (row->code > -500 || row->code <= -800)
            continue;
        rows++;
        ok(seen[-row->code - 500], "%s produced by a case", row->name);
    }
    ok(rows >= 23, "the table has the handshake errors (%zu)", rows);
}

int main(void)
{
    test_keys();
    test_list_contains();
    test_protocols();
    test_extensions();
    test_server_valid();
    test_server_errors();
    test_client();
    test_build_request();
    test_build_response();
    test_build_error();
    test_coverage();
    return done_testing();
}
