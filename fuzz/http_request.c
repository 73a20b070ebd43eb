/*
 * Fuzz target: the request head parser (ws_http_parse_request) and the
 * server's handshake check (ws_handshake_check_request), wscodec/http.h and
 * wscodec/handshake.h.
 *
 * Input: a control byte (http_common.h; bit 3 set: the offers are counted,
 * not stored), then the bytes a server reads. Properties, besides those of
 * http_common.h:
 *   - method, target and version are as the grammar says and lie in the head;
 *   - the head rebuilt canonically ("name: value", single spaces) parses to
 *     the same method, target, version and fields;
 *   - ws_handshake_check_request() returns one of its documented errors, and
 *     every check documented before the one that failed did pass (GET,
 *     HTTP/1.1 or later, one Host, Upgrade, Connection, one valid key, one
 *     version "13"); what it reports points into the head;
 *   - an accepted request gives a response (ws_handshake_build_response)
 *     that parses and that ws_handshake_check_response() accepts for the
 *     request's key; a refused one gives an error response
 *     (ws_handshake_build_error) that parses, with the status of the error
 *     table.
 */
#include "http_common.h"
#include "wscodec/handshake.h"

static int parse_request(const char *buf, size_t len, size_t max_head, ws_http_header *hs,
                         size_t max_headers, head_sig *sig)
{
    ws_http_request req = { .headers = hs, .max_headers = max_headers };
    memset(sig, 0, sizeof *sig);
    sig->rc = ws_http_parse_request(buf, len, max_head, &req);
    if (sig->rc > 0) {
        sig->str_off[0] = (size_t)(req.method - buf);
        sig->str_len[0] = req.method_len;
        sig->str_off[1] = (size_t)(req.target - buf);
        sig->str_len[1] = req.target_len;
        sig->major = req.version_major;
        sig->minor = req.version_minor;
        sig->num_headers = req.num_headers;
    }
    return sig->rc;
}

static void check_request_fields(const char *s, const ws_http_request *req, int rc)
{
    FUZZ_CHECK(fuzz_inside(req->method, req->method_len, s, (size_t)rc));
    FUZZ_CHECK(fuzz_inside(req->target, req->target_len, s, (size_t)rc));
    FUZZ_CHECK(ws_http_is_token(req->method, req->method_len));
    FUZZ_CHECK(req->target_len > 0);
    for (size_t i = 0; i < req->target_len; i++)
        FUZZ_CHECK(req->target[i] > 0x20 && req->target[i] < 0x7f);
    FUZZ_CHECK(req->method[req->method_len] == ' ' && req->target[-1] == ' ');
    FUZZ_CHECK(req->version_major >= 0 && req->version_major <= 9);
    FUZZ_CHECK(req->version_minor >= 0 && req->version_minor <= 9);
    /* Only empty lines come before the request line. */
    for (const char *p = s; p < req->method; p += 2)
        FUZZ_CHECK(p[0] == '\r' && p[1] == '\n');
}

/* Rebuilds the head with single spaces and re-parses it. */
static void check_canonical(const ws_http_request *req)
{
    size_t cap = req->method_len + req->target_len + 16 +
                 canonical_headers_size(req->headers, req->num_headers);
    char *buf = malloc(cap);
    if (!buf)
        abort();
    size_t n = 0;
    memcpy(buf + n, req->method, req->method_len), n += req->method_len;
    buf[n++] = ' ';
    memcpy(buf + n, req->target, req->target_len), n += req->target_len;
    n += (size_t)snprintf(buf + n, cap - n, " HTTP/%d.%d\r\n", req->version_major,
                          req->version_minor);
    n = write_canonical_headers(buf, n, req->headers, req->num_headers);
    FUZZ_CHECK(n <= cap);

    ws_http_header *hs = malloc((req->num_headers + 1) * sizeof *hs);
    if (!hs)
        abort();
    ws_http_request again = { .headers = hs, .max_headers = req->num_headers };
    FUZZ_CHECK(ws_http_parse_request(buf, n, SIZE_MAX, &again) == (int)n);
    FUZZ_CHECK(again.method_len == req->method_len &&
               memcmp(again.method, req->method, req->method_len) == 0);
    FUZZ_CHECK(again.target_len == req->target_len &&
               memcmp(again.target, req->target, req->target_len) == 0);
    FUZZ_CHECK(again.version_major == req->version_major &&
               again.version_minor == req->version_minor);
    FUZZ_CHECK(again.num_headers == req->num_headers);
    check_same_fields(hs, req->headers, req->num_headers);
    free(hs);
    free(buf);
}

/* Position of each check of ws_handshake_check_request() in its order. */
static int stage_of(int rc)
{
    static const int order[] = {
        WS_E_HS_METHOD,     WS_E_HS_HTTP_VERSION, WS_E_HS_REQUEST_TARGET, WS_E_HS_HOST,
        WS_E_HS_UPGRADE,    WS_E_HS_CONNECTION,   WS_E_HS_KEY_MISSING,    WS_E_HS_KEY_DUPLICATE,
        WS_E_HS_KEY_INVALID, WS_E_HS_VERSION,
    };
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (rc == order[i])
            return i;
    if (rc == WS_E_HS_PROTOCOL_SYNTAX || rc == WS_E_HS_EXTENSIONS_SYNTAX ||
        rc == WS_E_HS_TOO_MANY_ITEMS || rc == WS_OK)
        return 10;
    FUZZ_CHECK(!"undocumented error from ws_handshake_check_request");
    return -1;
}

static bool any_lists(const ws_http_request *req, const char *name, const char *token)
{
    for (size_t i = 0; i < req->num_headers; i++) {
        const ws_http_header *h = &req->headers[i];
        if (ws_http_equal_nocase(h->name, h->name_len, name, strlen(name)) &&
            ws_handshake_list_contains(h->value, h->value_len, token))
            return true;
    }
    return false;
}

static void check_handshake(const char *s, size_t head_len, const ws_http_request *req,
                            bool store)
{
    ws_handshake_token protocols[4];
    ws_extension extensions[2];
    ws_handshake_request_info info = {
        .protocols = store ? protocols : NULL,
        .max_protocols = store ? 4 : 0,
        .extensions = store ? extensions : NULL,
        .max_extensions = store ? 2 : 0,
    };
    int rc = ws_handshake_check_request(req, &info);
    int stage = stage_of(rc);
    const ws_http_header *hs = req->headers;
    size_t n = req->num_headers;

    if (stage > 0)
        FUZZ_CHECK(req->method_len == 3 && memcmp(req->method, "GET", 3) == 0);
    if (stage > 1)
        FUZZ_CHECK(req->version_major > 1 || (req->version_major == 1 && req->version_minor >= 1));
    if (stage > 2)
        FUZZ_CHECK(info.target == req->target && info.target_len == req->target_len);
    if (stage > 3) {
        FUZZ_CHECK(ws_http_count_headers(hs, n, "host") == 1);
        FUZZ_CHECK(fuzz_inside(info.host, info.host_len, s, head_len) && info.host_len > 0);
    }
    if (stage > 4)
        FUZZ_CHECK(any_lists(req, "Upgrade", "websocket"));
    if (stage > 5)
        FUZZ_CHECK(any_lists(req, "Connection", "Upgrade"));
    if (stage > 7)
        FUZZ_CHECK(ws_http_count_headers(hs, n, "sec-websocket-key") == 1);
    if (stage > 8) {
        FUZZ_CHECK(info.key_len == WS_HANDSHAKE_KEY_LEN);
        FUZZ_CHECK(fuzz_inside(info.key, info.key_len, s, head_len));
        FUZZ_CHECK(ws_handshake_check_key(info.key, info.key_len) == WS_OK);
    }
    if (stage > 9) {
        const ws_http_header *v = ws_http_find_header(hs, n, "Sec-WebSocket-Version", NULL);
        FUZZ_CHECK(v && v->value_len == 2 && memcmp(v->value, "13", 2) == 0);
        FUZZ_CHECK(ws_http_count_headers(hs, n, "Sec-WebSocket-Version") == 1);
        FUZZ_CHECK(info.origin == NULL || fuzz_inside(info.origin, info.origin_len, s, head_len));
    }
    if (rc == WS_OK || rc == WS_E_HS_PROTOCOL_SYNTAX || rc == WS_E_HS_TOO_MANY_ITEMS) {
        size_t stored = info.num_protocols < info.max_protocols ? info.num_protocols
                                                                 : info.max_protocols;
        for (size_t i = 0; store && i < stored; i++) {
            FUZZ_CHECK(fuzz_inside(protocols[i].str, protocols[i].len, s, head_len));
            FUZZ_CHECK(ws_http_is_token(protocols[i].str, protocols[i].len));
        }
    }
    if (rc == WS_OK) {
        FUZZ_CHECK(!store || info.num_extensions <= 2);
        for (size_t i = 0; store && i < info.num_extensions; i++)
            FUZZ_CHECK(fuzz_inside(extensions[i].name, extensions[i].name_len, s, head_len));

        /* Answer it, and read the answer as the client would. */
        char response[512];
        ws_handshake_response_spec rs = { .key = info.key, .key_len = info.key_len };
        int len = ws_handshake_build_response(&rs, response, sizeof response);
        FUZZ_CHECK(len > 0);
        ws_http_header rh[8];
        ws_http_response res = { .headers = rh, .max_headers = 8 };
        FUZZ_CHECK(ws_http_parse_response(response, (size_t)len, 8192, &res) == len);
        char key[WS_HANDSHAKE_KEY_LEN + 1];
        memcpy(key, info.key, WS_HANDSHAKE_KEY_LEN);
        key[WS_HANDSHAKE_KEY_LEN] = '\0';
        ws_handshake_request_spec spec = { .host = "h", .key = key };
        FUZZ_CHECK(ws_handshake_check_response(&res, &spec, NULL) == WS_OK);
    } else {
        char response[1024];
        int len = ws_handshake_build_error(rc, response, sizeof response);
        FUZZ_CHECK(len > 0);
        ws_http_header rh[16];
        ws_http_response res = { .headers = rh, .max_headers = 16 };
        FUZZ_CHECK(ws_http_parse_response(response, (size_t)len, 8192, &res) > 0);
        const ws_error_info *e = ws_error_lookup(rc);
        FUZZ_CHECK(e != NULL);
        FUZZ_CHECK(res.status == (e->http_status ? e->http_status : 500));
        if (res.status == 426) {
            const ws_http_header *v =
                ws_http_find_header(rh, res.num_headers, "Sec-WebSocket-Version", NULL);
            FUZZ_CHECK(v && v->value_len == 2 && memcmp(v->value, "13", 2) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_input in;
    if (!http_input_parse(data, size, parse_request, &in))
        return 0;
    if (in.rc > 0) {
        ws_http_request req = { .headers = in.hs, .max_headers = in.max_headers };
        FUZZ_CHECK(ws_http_parse_request(in.s, in.n, in.max_head, &req) == in.rc);
        check_head(in.s, in.rc, in.hs, req.num_headers, in.max_headers);
        check_request_fields(in.s, &req, in.rc);
        check_canonical(&req);
        check_handshake(in.s, (size_t)in.rc, &req, (data[0] & 8) == 0);
    }
    free(in.hs);
    return 0;
}
