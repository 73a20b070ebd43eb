/*
 * Fuzz target: the response head parser (ws_http_parse_response) and the
 * client's handshake check (ws_handshake_check_response), wscodec/http.h and
 * wscodec/handshake.h.
 *
 * Input: a control byte (http_common.h; bit 3 picks which request the client
 * is taken to have sent: with the RFC 6455 key, two subprotocols and two
 * extensions offered, or with another key and no offers), then the bytes a
 * client reads. Properties, besides those of http_common.h:
 *   - version, status (the three digits as written) and reason lie in the
 *     head as the grammar says; the head rebuilt canonically parses the same;
 *   - ws_handshake_check_response() returns one of its documented errors, and
 *     the checks documented before the failing one did pass: status 101, one
 *     Upgrade equal to "websocket", Connection listing "upgrade", exactly one
 *     Sec-WebSocket-Accept equal to the accept value of the key (precomputed
 *     here, not by the codec); with NULL or non-NULL out alike;
 *   - on success the subprotocol reported is one of those offered, and both
 *     reported values point into the head.
 */
#include "http_common.h"
#include "wscodec/handshake.h"

typedef struct client_request {
    ws_handshake_request_spec spec;
    const char *accept;
    const char *offered_protocols[2];
} client_request;

static const client_request requests[2] = {
    {
        .spec = { .host = "server.example.com", .key = "dGhlIHNhbXBsZSBub25jZQ==",
                  .protocols = "chat, superchat",
                  .extensions = "permessage-deflate; client_max_window_bits, x-webkit-deflate-frame" },
        .accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        .offered_protocols = { "chat", "superchat" },
    },
    {
        .spec = { .host = "example.org", .key = "AQIDBAUGBwgJCgsMDQ4PEC==" },
        .accept = "OfS0wDaT5NoxF2gqm7Zj2YtetzM=",
    },
};

static int parse_response(const char *buf, size_t len, size_t max_head, ws_http_header *hs,
                          size_t max_headers, head_sig *sig)
{
    ws_http_response res = { .headers = hs, .max_headers = max_headers };
    memset(sig, 0, sizeof *sig);
    sig->rc = ws_http_parse_response(buf, len, max_head, &res);
    if (sig->rc > 0) {
        sig->str_off[0] = (size_t)(res.reason - buf);
        sig->str_len[0] = res.reason_len;
        sig->major = res.version_major;
        sig->minor = res.version_minor;
        sig->status = res.status;
        sig->num_headers = res.num_headers;
    }
    return sig->rc;
}

static void check_response_fields(const char *s, const ws_http_response *res, int rc)
{
    FUZZ_CHECK(memcmp(s, "HTTP/", 5) == 0);
    FUZZ_CHECK(res->version_major == s[5] - '0' && res->version_minor == s[7] - '0');
    FUZZ_CHECK(s[8] == ' ' && s[12] == ' ');
    int status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    FUZZ_CHECK(res->status == status && status >= 0 && status <= 999);
    FUZZ_CHECK(res->reason == s + 13);
    FUZZ_CHECK(fuzz_inside(res->reason, res->reason_len, s, (size_t)rc));
    FUZZ_CHECK(res->reason[res->reason_len] == '\r');
    for (size_t i = 0; i < res->reason_len; i++)
        FUZZ_CHECK(is_field_byte((unsigned char)res->reason[i]));
}

static void check_canonical(const ws_http_response *res)
{
    size_t cap = res->reason_len + 20 + canonical_headers_size(res->headers, res->num_headers);
    char *buf = malloc(cap);
    if (!buf)
        abort();
    size_t n = (size_t)snprintf(buf, cap, "HTTP/%d.%d %03d ", res->version_major,
                                res->version_minor, res->status);
    if (res->reason_len)
        memcpy(buf + n, res->reason, res->reason_len);
    n += res->reason_len;
    buf[n++] = '\r';
    buf[n++] = '\n';
    n = write_canonical_headers(buf, n, res->headers, res->num_headers);
    FUZZ_CHECK(n <= cap);

    ws_http_header *hs = malloc((res->num_headers + 1) * sizeof *hs);
    if (!hs)
        abort();
    ws_http_response again = { .headers = hs, .max_headers = res->num_headers };
    FUZZ_CHECK(ws_http_parse_response(buf, n, SIZE_MAX, &again) == (int)n);
    FUZZ_CHECK(again.version_major == res->version_major &&
               again.version_minor == res->version_minor && again.status == res->status);
    FUZZ_CHECK(again.reason_len == res->reason_len &&
               (res->reason_len == 0 || memcmp(again.reason, res->reason, res->reason_len) == 0));
    FUZZ_CHECK(again.num_headers == res->num_headers);
    check_same_fields(hs, res->headers, res->num_headers);
    free(hs);
    free(buf);
}

static int stage_of(int rc)
{
    static const int order[] = {
        WS_E_HS_STATUS,          WS_E_HS_RESPONSE_UPGRADE, WS_E_HS_RESPONSE_CONNECTION,
        WS_E_HS_ACCEPT_MISSING,  WS_E_HS_ACCEPT_MISMATCH,  WS_E_HS_EXTENSIONS_SYNTAX,
        WS_E_HS_EXTENSION_NOT_OFFERED, WS_E_HS_PROTOCOL_NOT_OFFERED, WS_OK,
    };
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (rc == order[i])
            return i;
    FUZZ_CHECK(!"undocumented error from ws_handshake_check_response");
    return -1;
}

static void check_handshake(const char *s, size_t head_len, const ws_http_response *res,
                            const client_request *rq)
{
    ws_handshake_response_info info;
    memset(&info, 0x5a, sizeof info);
    int rc = ws_handshake_check_response(res, &rq->spec, &info);
    FUZZ_CHECK(ws_handshake_check_response(res, &rq->spec, NULL) == rc);
    int stage = stage_of(rc);
    const ws_http_header *hs = res->headers;
    size_t n = res->num_headers;

    if (stage > 0)
        FUZZ_CHECK(res->status == 101);
    if (stage > 1) {
        const ws_http_header *u = ws_http_find_header(hs, n, "Upgrade", NULL);
        FUZZ_CHECK(ws_http_count_headers(hs, n, "Upgrade") == 1);
        FUZZ_CHECK(ws_http_equal_nocase(u->value, u->value_len, "websocket", 9));
    }
    if (stage > 2) {
        bool listed = false;
        for (size_t i = 0; i < n; i++)
            if (ws_http_equal_nocase(hs[i].name, hs[i].name_len, "connection", 10) &&
                ws_handshake_list_contains(hs[i].value, hs[i].value_len, "UPGRADE"))
                listed = true;
        FUZZ_CHECK(listed);
    }
    if (stage > 4) {
        const ws_http_header *a = ws_http_find_header(hs, n, "sec-websocket-accept", NULL);
        FUZZ_CHECK(ws_http_count_headers(hs, n, "Sec-WebSocket-Accept") == 1);
        FUZZ_CHECK(a->value_len == 28 && memcmp(a->value, rq->accept, 28) == 0);
    }
    if (stage > 5)
        FUZZ_CHECK(ws_http_count_headers(hs, n, "Sec-WebSocket-Extensions") <= 1);
    if (rc == WS_OK) {
        size_t count = 0;
        const ws_http_header *e = ws_http_find_header(hs, n, "Sec-WebSocket-Extensions", NULL);
        if (e) {
            FUZZ_CHECK(info.extensions == e->value && info.extensions_len == e->value_len);
            FUZZ_CHECK(ws_handshake_parse_extensions(e->value, e->value_len, NULL, 0, &count) ==
                       WS_OK);
            FUZZ_CHECK(rq->spec.extensions != NULL);
        } else {
            FUZZ_CHECK(info.extensions == NULL && info.extensions_len == 0);
        }
        if (info.protocol) {
            FUZZ_CHECK(fuzz_inside(info.protocol, info.protocol_len, s, head_len));
            bool offered = false;
            for (int i = 0; i < 2; i++) {
                const char *p = rq->offered_protocols[i];
                if (p && strlen(p) == info.protocol_len &&
                    memcmp(p, info.protocol, info.protocol_len) == 0)
                    offered = true;
            }
            FUZZ_CHECK(offered);
        } else {
            FUZZ_CHECK(info.protocol_len == 0);
            FUZZ_CHECK(ws_http_count_headers(hs, n, "Sec-WebSocket-Protocol") == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_input in;
    if (!http_input_parse(data, size, parse_response, &in))
        return 0;
    if (in.rc > 0) {
        ws_http_response res = { .headers = in.hs, .max_headers = in.max_headers };
        FUZZ_CHECK(ws_http_parse_response(in.s, in.n, in.max_head, &res) == in.rc);
        check_head(in.s, in.rc, in.hs, res.num_headers, in.max_headers);
        check_response_fields(in.s, &res, in.rc);
        check_canonical(&res);
        check_handshake(in.s, (size_t)in.rc, &res, &requests[(data[0] >> 3) & 1]);
    }
    free(in.hs);
    return 0;
}
