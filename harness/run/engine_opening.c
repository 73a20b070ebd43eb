/*
 * The opening handshake (RFC 6455 §4) in either role, checked by the codec.
 * A client sends the request the case asks for (§4.1's defaults, then the
 * case's edits, or raw bytes) and checks the answer; with permessage-deflate
 * agreed (RFC 7692) the peer's RSV1 messages are inflated from then on. A
 * server reads the request and answers 101, or refuses a request that breaks
 * §4.2.1 with the codec's error response and drops the connection.
 */
#define _DEFAULT_SOURCE
#include "run/engine_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lang/payload.h"
#include "lang/url_vars.h"

#define MAX_HEADERS 64
#define MAX_EXTENSIONS 16

/* ---- the client's request ---------------------------------------------------- */

typedef struct header_line {
    char *name, *value;
} header_line;

typedef struct header_list {
    header_line h[MAX_HEADERS];
    size_t n;
} header_list;

static char *dup_string(const char *text)
{
    char *p = strdup(text ? text : "");
    if (!p)
        abort();
    return p;
}

static char *must_expand(const char *text, const target_url *url)
{
    char *p = url_vars_expand(text, url);
    if (!p)
        abort();
    return p;
}

/* Adds a header, or with `replace` sets every field of that name to value
 * (the first keeps its place, the others go). */
static void set_header(header_list *l, const char *name, const char *value, bool replace)
{
    if (replace) {
        bool found = false;
        for (size_t i = 0; i < l->n; i++)
            if (strcasecmp(l->h[i].name, name) == 0) {
                if (found) {
                    l->h[i].name[0] = '\0'; /* removed when written */
                } else {
                    free(l->h[i].value);
                    l->h[i].value = dup_string(value);
                    found = true;
                }
            }
        if (found)
            return;
    }
    if (l->n < MAX_HEADERS) {
        l->h[l->n].name = dup_string(name);
        l->h[l->n].value = dup_string(value);
        l->n++;
    }
}

static void append_list(char **list, const char *value)
{
    size_t old = *list ? strlen(*list) : 0;
    char *p = realloc(*list, old + strlen(value) + 3);
    if (!p)
        abort();
    snprintf(p + old, strlen(value) + 3, "%s%s", old ? ", " : "", value);
    *list = p;
}

/* A raw request carries its own key: the response must answer that one. */
static void key_from_raw(engine *e, const payload *raw)
{
    size_t n = raw->length < ENGINE_HEAD_MAX ? (size_t)raw->length : ENGINE_HEAD_MAX;
    char *text = malloc(n ? n : 1);
    if (!text)
        abort();
    payload_copy(raw, 0, (uint8_t *)text, n);
    ws_http_header headers[MAX_HEADERS];
    ws_http_request req = {.headers = headers, .max_headers = MAX_HEADERS};
    if (ws_http_parse_request(text, n, ENGINE_HEAD_MAX, &req) > 0) {
        const ws_http_header *key = ws_http_find_header(headers, req.num_headers,
                                                        "Sec-WebSocket-Key", NULL);
        if (key && key->value_len < sizeof e->key)
            snprintf(e->key, sizeof e->key, "%.*s", (int)key->value_len, key->value);
    }
    free(text);
}

/* §4.1's headers, then the case's edits in order. */
static void request_headers(engine *e, header_list *l)
{
    const request_spec *rq = &e->def->request;
    char *host = must_expand("$authority", e->cfg.url);
    set_header(l, "Host", host, false);
    free(host);
    set_header(l, "Upgrade", "websocket", false);
    set_header(l, "Connection", "Upgrade", false);
    set_header(l, "Sec-WebSocket-Key", e->key, false);
    set_header(l, "Sec-WebSocket-Version", "13", false);
    set_header(l, "User-Agent", e->cfg.user_agent, false);
    if (rq->extensions)
        set_header(l, "Sec-WebSocket-Extensions", rq->extensions, false);
    for (size_t i = 0; i < rq->edit_count; i++) {
        const header_edit *ed = &rq->edits[i];
        if (ed->op == HEADER_REMOVE) {
            for (size_t j = 0; j < l->n; j++)
                if (strcasecmp(l->h[j].name, ed->name) == 0)
                    l->h[j].name[0] = '\0';
        } else {
            char *value = must_expand(ed->value, e->cfg.url);
            set_header(l, ed->name, value, ed->op == HEADER_SET);
            free(value);
        }
    }
}

/* Notes what a header sent decides about the response: an edited key is the
 * one it must answer; what the client offers decides what it may accept
 * (§4.1), repeated fields forming one list (§9.1, §11.3.4). */
static void note_sent_header(engine *e, const header_line *h, bool *key_sent)
{
    if (!*key_sent && strcasecmp(h->name, "Sec-WebSocket-Key") == 0) {
        *key_sent = true;
        if (strlen(h->value) < sizeof e->key)
            snprintf(e->key, sizeof e->key, "%s", h->value);
    }
    if (strcasecmp(h->name, "Sec-WebSocket-Protocol") == 0)
        append_list(&e->offered_protocols, h->value);
    if (strcasecmp(h->name, "Sec-WebSocket-Extensions") == 0)
        append_list(&e->offered_extensions, h->value);
}

/* The request line and the headers left, as text; frees the list. */
static char *render_request(engine *e, header_list *l, size_t *length)
{
    const request_spec *rq = &e->def->request;
    const char *method = rq->method ? rq->method : "GET";
    const char *version = rq->version ? rq->version : "HTTP/1.1";
    char *target = rq->target ? must_expand(rq->target, e->cfg.url) : dup_string(e->cfg.url->target);
    size_t cap = 1024 + strlen(method) + strlen(target) + strlen(version);
    for (size_t i = 0; i < l->n; i++)
        cap += strlen(l->h[i].name) + strlen(l->h[i].value) + 4;
    char *text = malloc(cap);
    if (!text)
        abort();
    size_t len = (size_t)snprintf(text, cap, "%s %s %s\r\n", method, target, version);
    free(target);
    bool key_sent = false;
    for (size_t i = 0; i < l->n; i++) {
        if (l->h[i].name[0]) {
            len += (size_t)snprintf(text + len, cap - len, "%s: %s\r\n", l->h[i].name,
                                    l->h[i].value);
            note_sent_header(e, &l->h[i], &key_sent);
        }
        free(l->h[i].name);
        free(l->h[i].value);
    }
    len += (size_t)snprintf(text + len, cap - len, "\r\n");
    *length = len;
    return text;
}

/* Queues the request the case asks for, cut as it says (trickle). */
static void queue_request(engine *e)
{
    const request_spec *rq = &e->def->request;
    out_unit *u = out_unit_new(0);
    if (rq->raw.length) {
        key_from_raw(e, &rq->raw);
        u->body = &rq->raw;
        u->body_length = rq->raw.length;
    } else {
        header_list l = {.n = 0};
        request_headers(e, &l);
        u->bytes = (uint8_t *)render_request(e, &l, &u->bytes_length);
    }
    u->chop = rq->trickle;
    u->pause_ms = rq->trickle_ms;
    uint64_t length = u->bytes_length + u->body_length;
    outq_push(&e->out, u);
    wire_log_frames_after(&e->r->wire, WIRE_OUT, length);
}

void engine_opening_start(engine *e)
{
    if (e->cfg.role == ROLE_CLIENT)
        queue_request(e);
}

/* ---- the assembler and compression --------------------------------------------- */

/* What the peer sends is read by the codec in the engine's role, up to this
 * case's bound; with compression agreed, RSV1 messages are inflated. Close
 * payloads are judged by the engine, so that an invalid one is still
 * recorded. */
void engine_init_assembler(engine *e)
{
    ws_assembler_config in = {.role = e->cfg.role == ROLE_CLIENT ? WS_ROLE_CLIENT : WS_ROLE_SERVER,
                              .max_message_size = e->peer_message_cap,
                              .lenient = WS_LENIENT_CLOSE};
    if (e->inflater_ready) {
        in.rsv_allowed = WS_RSV1;
        in.inflater = &e->inflater;
    }
    ws_assembler_init(&e->in, &in);
}

/* The permessage-deflate offers among the extensions offered that are valid
 * offers (a case may make invalid ones on purpose); *invalid: the first of
 * the others, and why it is invalid. */
static size_t valid_offers(ws_extension *offers, size_t count, int *invalid_rc,
                           const ws_extension **invalid)
{
    size_t n = 0;
    *invalid = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!ws_http_equal_nocase(offers[i].name, offers[i].name_len, WS_PMD_EXTENSION_NAME,
                                  strlen(WS_PMD_EXTENSION_NAME)))
            continue;
        ws_pmd_params p;
        int rc = ws_pmd_parse(&offers[i], WS_PMD_OFFER, &p);
        if (rc == WS_OK) {
            offers[n++] = offers[i];
        } else if (!*invalid) {
            *invalid_rc = rc;
            *invalid = &offers[i];
        }
    }
    return n;
}

/* Accepting an offer §7 says to decline: a violation that names the offer. */
static void accepted_invalid(engine *e, const ws_extension *offer, int why)
{
    const ws_error_info *info = ws_error_lookup(why);
    const char *end = offer->name + offer->name_len;
    if (offer->num_params) {
        const ws_extension_param *last = &offer->params[offer->num_params - 1];
        end = last->value ? last->value + last->value_len + (last->quoted ? 1 : 0)
                          : last->name + last->name_len;
    }
    size_t shown = (size_t)(end - offer->name);
    char detail[240];
    snprintf(detail, sizeof detail,
             "the server accepted permessage-deflate on an offer a server MUST decline, "
             "\"%.*s\": %s (%s)", (int)(shown < 100 ? shown : 100), offer->name,
             info ? info->message : "invalid offer", info ? info->rfc_section : "RFC 7692 7");
    engine_violation(e, "bad handshake response: %s", detail);
}

/* When the 101 agreed to permessage-deflate (RFC 7692) on one of the offers the
 * case made, the peer's RSV1 messages are inflated from now on and `compress`
 * follows the agreement. WS_OK, or why the response accepts none of the
 * offers; an invalid offer accepted is a violation of its own. */
static int agree_compression(engine *e, const ws_handshake_response_info *info)
{
    if (!info->extensions || !e->offered_extensions)
        return WS_OK;
    ws_extension offers[MAX_EXTENSIONS], answer[MAX_EXTENSIONS];
    size_t num_offers = 0, num_answer = 0;
    int rc = ws_handshake_parse_extensions(e->offered_extensions, strlen(e->offered_extensions),
                                           offers, MAX_EXTENSIONS, &num_offers);
    if (rc != WS_OK)
        return WS_OK; /* a malformed offer made on purpose: the server had to decline it */
    rc = ws_handshake_parse_extensions(info->extensions, info->extensions_len, answer,
                                       MAX_EXTENSIONS, &num_answer);
    if (rc != WS_OK)
        return rc;
    int invalid_rc = WS_OK;
    const ws_extension *invalid;
    size_t n = valid_offers(offers, num_offers, &invalid_rc, &invalid);
    ws_pmd_params agreed;
    rc = ws_pmd_client_accept(offers, n, answer, num_answer, &agreed);
    if (rc < 0 && invalid) {
        accepted_invalid(e, invalid, invalid_rc);
        return rc;
    }
    if (rc <= 0)
        return rc == 0 ? WS_OK : rc;
    ws_inflater_config theirs = {.max_message_size = e->peer_message_cap};
    ws_pmd_configure(&agreed, WS_ROLE_CLIENT, NULL, &theirs);
    if (ws_inflater_init(&e->inflater, &theirs) != WS_OK)
        abort();
    e->inflater_ready = true;
    ws_assembler_free(&e->in);
    engine_init_assembler(e);
    compressor_free(&e->comp);
    compressor_init(&e->comp, &agreed, WS_ROLE_CLIENT);
    e->r->compressed = true;
    return WS_OK;
}

/* ---- heads from the peer -------------------------------------------------------- */

static void describe_error(int rc, char *out, size_t cap)
{
    const ws_error_info *info = ws_error_lookup(rc);
    snprintf(out, cap, "%s (%s)", info ? info->message : "invalid", info ? info->rfc_section : "");
}

/* A client reads the response: anything but a valid 101 ends the case. */
/* The Server header names the implementation when the user does not. */
static void keep_server_header(case_result *r, const ws_http_response *res)
{
    const ws_http_header *h = ws_http_find_header(res->headers, res->num_headers, "Server", NULL);
    size_t n = 0;
    for (size_t i = 0; h && i < h->value_len && n + 1 < sizeof r->server_header; i++)
        r->server_header[n++] = h->value[i] >= 0x20 && h->value[i] < 0x7f ? h->value[i] : '?';
    r->server_header[n] = '\0';
}

static bool accept_response(engine *e, const ws_http_response *res, int used, uint64_t now)
{
    e->r->response_status = res->status;
    keep_server_header(e->r, res);
    if (res->status != 101) {
        engine_add_event(e, EVENT_HTTP, e->head, (size_t)used, now)->status = res->status;
        engine_drop(e, now);
        return false;
    }
    ws_handshake_request_spec spec = {.host = e->cfg.url->host, .key = e->key,
                                      .protocols = e->offered_protocols,
                                      .extensions = e->offered_extensions};
    ws_handshake_response_info info;
    int rc = ws_handshake_check_response(res, &spec, &info);
    if (rc == WS_OK)
        rc = agree_compression(e, &info);
    if (rc != WS_OK) {
        char detail[200];
        describe_error(rc, detail, sizeof detail);
        engine_violation(e, "bad handshake response: %s", detail);
        engine_drop(e, now);
        return false;
    }
    return true;
}

/* A server reads the request: a valid one is answered 101, any other is
 * refused with the codec's error response, and the connection ends once it
 * is written. */
static bool accept_request(engine *e, const ws_http_request *req, int parsed)
{
    ws_handshake_request_info info = {0};
    int rc = parsed < 0 ? parsed : ws_handshake_check_request(req, &info);
    enum { RESPONSE_MAX = 1024 };
    out_unit *u = out_unit_new(RESPONSE_MAX);
    int n;
    if (rc == WS_OK) {
        ws_handshake_response_spec spec = {.key = info.key, .key_len = info.key_len};
        n = ws_handshake_build_response(&spec, (char *)u->bytes, RESPONSE_MAX);
    } else {
        char detail[200];
        describe_error(rc, detail, sizeof detail);
        engine_violation(e, "bad handshake request: %s", detail);
        n = ws_handshake_build_error(rc, (char *)u->bytes, RESPONSE_MAX);
        e->drop_when_flushed = true;
    }
    u->bytes_length = n > 0 ? (size_t)n : 0;
    outq_push(&e->out, u);
    wire_log_frames_after(&e->r->wire, WIRE_OUT, u->bytes_length);
    return rc == WS_OK;
}

/* Parses the head collected so far: its length once complete and accepted,
 * 0 while incomplete, -1 when the case ended or the head was refused. */
static int read_head(engine *e, uint64_t now)
{
    ws_http_header headers[MAX_HEADERS];
    const char *text = (const char *)e->head;
    if (e->cfg.role == ROLE_SERVER) {
        ws_http_request req = {.headers = headers, .max_headers = MAX_HEADERS};
        int used = ws_http_parse_request(text, e->head_length, ENGINE_HEAD_MAX, &req);
        if (used == WS_NEED_MORE)
            return 0;
        return accept_request(e, &req, used) ? used : -1;
    }
    ws_http_response res = {.headers = headers, .max_headers = MAX_HEADERS};
    int used = ws_http_parse_response(text, e->head_length, ENGINE_HEAD_MAX, &res);
    if (used == WS_NEED_MORE)
        return 0;
    if (used < 0) {
        engine_violation(e, "malformed handshake response: %s", ws_strerror(used));
        engine_drop(e, now);
        return -1;
    }
    return accept_response(e, &res, used, now) ? used : -1;
}

void engine_opening_input(engine *e, const uint8_t *bytes, size_t n, uint64_t now)
{
    if (e->drop_when_flushed)
        return; /* refused: nothing more is read */
    size_t room = ENGINE_HEAD_MAX - e->head_length;
    size_t take = n < room ? n : room;
    memcpy(e->head + e->head_length, bytes, take);
    e->head_length += take;
    int used = read_head(e, now);
    if (used <= 0)
        return;
    engine_opened(e, now);
    if (e->phase != PH_OPEN || e->def->close.by == CLOSER_NONE)
        return;
    /* Bytes after the head (from the buffer or the rest of this read) are frames. */
    size_t extra_in_head = e->head_length - (size_t)used;
    wire_log_frames_start(&e->r->wire, WIRE_IN, e->head + used, extra_in_head,
                          now - e->start_us);
    if (take < n)
        wire_log_frames_start(&e->r->wire, WIRE_IN, bytes + take, n - take, now - e->start_us);
    if (extra_in_head)
        engine_feed_frames(e, e->head + used, extra_in_head, now);
    if (take < n && e->phase == PH_OPEN)
        engine_feed_frames(e, bytes + take, n - take, now);
}

void engine_opening_free(engine *e)
{
    free(e->offered_protocols);
    free(e->offered_extensions);
    e->offered_protocols = e->offered_extensions = NULL;
}
