/* The opening handshake of a connection: the request read, checked and
 * answered with a 101 (and permessage-deflate when offered) or an error. */
#include <stdlib.h>
#include <string.h>

#include "echo/breaks.h"
#include "echo/conn.h"

#define MAX_HEADERS 64          /* 431 beyond */
#define EXTENSION_OFFERS_MAX 16 /* permessage-deflate offers looked at */

static void refuse_handshake(conn *c, int err)
{
    char response[1024];
    int n = ws_handshake_build_error(err, response, sizeof response);
    if (n <= 0 || !byte_queue_append(&c->out, response, (size_t)n)) {
        conn_destroy(c);
        return;
    }
    conn_close_after_flush(c);
}

/* Changes one character of the Sec-WebSocket-Accept value. */
static void spoil_accept(char *response, size_t length)
{
    static const char field[] = "Sec-WebSocket-Accept: ";
    size_t field_len = sizeof field - 1;
    for (size_t i = 0; i + field_len < length; i++) {
        if (memcmp(response + i, field, field_len) == 0) {
            char *v = response + i + field_len;
            *v = *v == 'A' ? 'B' : 'A';
            return;
        }
    }
}

/*
 * The first permessage-deflate offer in offers, cut down to the parameters
 * that keep it valid, in order: unknown names, repeated names and invalid
 * values are dropped. What a server that ignores what it does not understand
 * would accept (--break pmd-accept-invalid). False if there is no such offer.
 */
static bool valid_part_of_first_offer(const ws_extension *offers, size_t num, ws_extension *out)
{
    size_t name_len = strlen(WS_PMD_EXTENSION_NAME);
    for (size_t i = 0; i < num; i++) {
        const ws_extension *offer = &offers[i];
        if (offer->name_len != name_len || memcmp(offer->name, WS_PMD_EXTENSION_NAME, name_len))
            continue;
        *out = *offer;
        out->num_params = 0;
        for (size_t p = 0; p < offer->num_params; p++) {
            out->params[out->num_params++] = offer->params[p];
            ws_pmd_params unused;
            if (ws_pmd_parse(out, WS_PMD_OFFER, &unused) != WS_OK)
                out->num_params--;
        }
        return true;
    }
    return false;
}

/*
 * Chooses among the client's permessage-deflate offers (RFC 7692 §5) and sets
 * up the inflater and deflater. Looks at the first EXTENSION_OFFERS_MAX
 * extensions offered. True with the response's extension value in out.
 */
static bool agree_deflate(conn *c, const ws_http_header *headers, size_t num_headers, char *out,
                          size_t cap)
{
    ws_extension offers[EXTENSION_OFFERS_MAX];
    size_t num = 0;
    for (const ws_http_header *h =
             ws_http_find_header(headers, num_headers, "Sec-WebSocket-Extensions", NULL);
         h && num < EXTENSION_OFFERS_MAX;
         h = ws_http_find_header(headers, num_headers, "Sec-WebSocket-Extensions", h))
        ws_handshake_parse_extensions(h->value, h->value_len, offers, EXTENSION_OFFERS_MAX, &num);
    ws_pmd_params agreed;
    size_t chosen;
    int choice = ws_pmd_server_choose(offers, num, NULL, &agreed, &chosen);
    ws_extension valid_part;
    if (choice == 0 && has_break(c, BREAK_PMD_ACCEPT_INVALID) &&
        valid_part_of_first_offer(offers, num, &valid_part))
        choice = ws_pmd_server_choose(&valid_part, 1, NULL, &agreed, &chosen);
    if (choice != 1 || ws_pmd_format(&agreed, out, cap) < 0)
        return false;
    ws_deflater_config ours = {.level = 1};
    ws_inflater_config theirs = {.max_message_size = c->shared->options->max_message};
    ws_pmd_configure(&agreed, WS_ROLE_SERVER, &ours, &theirs);
    /* Compressing beyond what was agreed, on purpose. */
    if (has_break(c, BREAK_PMD_KEEP_CONTEXT))
        ours.no_context_takeover = false;
    if (has_break(c, BREAK_PMD_WIDE_WINDOW))
        ours.window_bits = WS_PMD_WINDOW_BITS_MAX;
    if (ws_inflater_init(&c->inflater, &theirs) != WS_OK)
        return false;
    if (ws_deflater_init(&c->deflater, &ours) != WS_OK) {
        ws_inflater_free(&c->inflater);
        return false;
    }
    c->deflate = true;
    return true;
}

/* Queues the 101 for a valid request; false when refused instead. */
static bool accept_request(conn *c, const ws_http_request *req,
                           const ws_handshake_request_info *info)
{
    /* No subprotocol is ever accepted; permessage-deflate is, when offered. */
    ws_handshake_response_spec spec = {.key = info->key, .key_len = info->key_len};
    char extensions[WS_PMD_FORMAT_MAX];
    if (info->num_extensions && !c->shared->options->no_deflate &&
        agree_deflate(c, req->headers, req->num_headers, extensions, sizeof extensions)) {
        spec.extensions = extensions;
        spec.extensions_len = strlen(extensions);
    }
    char response[512 + WS_PMD_FORMAT_MAX];
    int n = ws_handshake_build_response(&spec, response, sizeof response);
    if (n < 0 || conn_init_assembler(c) != 0) {
        refuse_handshake(c, n < 0 ? n : WS_E_NO_MEMORY);
        return false;
    }
    if (has_break(c, BREAK_WRONG_ACCEPT))
        spoil_accept(response, (size_t)n);
    if (!byte_queue_append(&c->out, response, (size_t)n)) {
        conn_destroy(c);
        return false;
    }
    return true;
}

void conn_process_request(conn *c)
{
    ws_http_header headers[MAX_HEADERS];
    ws_http_request req = {.headers = headers, .max_headers = MAX_HEADERS};
    int head = ws_http_parse_request(c->head, c->head_length, HEAD_MAX, &req);
    if (head == WS_NEED_MORE)
        return;
    if (head < 0) {
        refuse_handshake(c, head);
        return;
    }
    ws_handshake_request_info info = {0};
    int err = ws_handshake_check_request(&req, &info);
    if (err == WS_E_HS_VERSION && has_break(c, BREAK_ANY_VERSION))
        err = WS_OK;
    if (err != WS_OK) {
        refuse_handshake(c, err);
        return;
    }
    if (!accept_request(c, &req, &info))
        return;
    c->phase = PHASE_OPEN;
    c->deadline = 0; /* idle connections may stay */

    /* Frames that came with the request are processed, then the head goes. */
    char *rest_owner = c->head;
    size_t rest_length = c->head_length - (size_t)head;
    c->head = NULL;
    c->head_length = 0;
    if (rest_length)
        conn_process_frames(c, (const uint8_t *)rest_owner + head, rest_length);
    free(rest_owner);
}
