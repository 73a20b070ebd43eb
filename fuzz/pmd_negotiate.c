/*
 * Fuzz target: permessage-deflate negotiation (wscodec/deflate.h, RFC 7692
 * §5, §7): parameters of offers and responses, the server's choice, the
 * client's check, formatting.
 *
 * Input layout:
 *   [0]   the server's configuration: bits 0-3 server_max_window_bits, bits
 *         4-7 client_max_window_bits (index into windows)
 *   [1]   bit 0 server_no_context_takeover, bit 1 client_no_context_takeover
 *   [2..] the client's Sec-WebSocket-Extensions value, then optionally a
 *         line feed and a server's response value to check as a client
 * Properties:
 *   - every element that parses as an offer formats to text that parses
 *     back to the same parameters;
 *   - when the server accepts an offer: it is a permessage-deflate element
 *     that parses, the response honours the configuration, its text parses
 *     as a response to the same parameters, and a client that made these
 *     offers (when all of them are valid) accepts it with that agreement;
 *   - a server with the zero configuration accepts whenever some offer
 *     parses;
 *   - any agreement a client accepts (from the fuzzed response too) gives
 *     windows in 8..15 that ws_pmd_configure() turns into configurations
 *     ws_deflater_init() and ws_inflater_init() accept.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "wscodec/deflate.h"
#include "wscodec/error.h"
#include "wscodec/handshake.h"

#define OFFERS_MAX 8

static const uint8_t windows[16] = { 0, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 15, 12, 9, 8 };

static bool is_pmd(const ws_extension *e)
{
    return e->name_len == 18 && memcmp(e->name, "permessage-deflate", 18) == 0;
}

static bool same_params(const ws_pmd_params *a, const ws_pmd_params *b)
{
    return a->server_no_context_takeover == b->server_no_context_takeover &&
           a->client_no_context_takeover == b->client_no_context_takeover &&
           a->server_max_window_bits == b->server_max_window_bits &&
           a->client_max_window_bits == b->client_max_window_bits;
}

/* Formats p and parses the text back as kind. */
static void check_format(const ws_pmd_params *p, ws_pmd_kind kind)
{
    char text[WS_PMD_FORMAT_MAX];
    int len = ws_pmd_format(p, text, sizeof text);
    FUZZ_CHECK(len > 0 && (size_t)len < sizeof text && text[len] == '\0');
    char tiny[4];
    FUZZ_CHECK(ws_pmd_format(p, tiny, sizeof tiny) == WS_E_BUFFER_TOO_SMALL && tiny[0] == '\0');
    ws_extension ext;
    size_t num = 0;
    FUZZ_CHECK(ws_handshake_parse_extensions(text, (size_t)len, &ext, 1, &num) == WS_OK);
    FUZZ_CHECK(num == 1 && is_pmd(&ext));
    ws_pmd_params back;
    FUZZ_CHECK(ws_pmd_parse(&ext, kind, &back) == WS_OK);
    FUZZ_CHECK(same_params(p, &back));
}

static bool window_ok(uint8_t w) { return w == 0 || (w >= 8 && w <= 15); }

/* An agreement drives both ends' payload configurations. */
static void check_agreement(const ws_pmd_params *agreed)
{
    FUZZ_CHECK(window_ok(agreed->server_max_window_bits));
    FUZZ_CHECK(window_ok(agreed->client_max_window_bits));
    for (int role = 0; role < 2; role++) {
        ws_deflater_config dc = { .mem_level = 1 };
        ws_inflater_config ic = { 0 };
        ws_pmd_configure(agreed, role ? WS_ROLE_CLIENT : WS_ROLE_SERVER, &dc, &ic);
        ws_deflater d;
        ws_inflater inf;
        FUZZ_CHECK(ws_deflater_init(&d, &dc) == WS_OK);
        FUZZ_CHECK(ws_inflater_init(&inf, &ic) == WS_OK);
        ws_deflater_free(&d);
        ws_inflater_free(&inf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    ws_pmd_server_config cfg = {
        .server_max_window_bits = windows[data[0] & 15],
        .client_max_window_bits = windows[data[0] >> 4],
        .server_no_context_takeover = (data[1] & 1) != 0,
        .client_no_context_takeover = (data[1] & 2) != 0,
    };
    const char *offer = (const char *)data + 2;
    size_t offer_len = size - 2;
    const char *answer = memchr(offer, '\n', offer_len);
    size_t answer_len = 0;
    if (answer) {
        answer_len = offer_len - (size_t)(answer - offer) - 1;
        offer_len = (size_t)(answer - offer);
        answer++;
    }

    ws_extension offers[OFFERS_MAX];
    size_t num_offers = 0;
    if (ws_handshake_parse_extensions(offer, offer_len, offers, OFFERS_MAX, &num_offers) != WS_OK)
        return 0;

    bool some_offer_parses = false, every_offer_parses = true;
    for (size_t i = 0; i < num_offers; i++) {
        if (!is_pmd(&offers[i]))
            continue;
        ws_pmd_params p;
        int rc = ws_pmd_parse(&offers[i], WS_PMD_OFFER, &p);
        FUZZ_CHECK(rc == WS_OK || (rc <= -800 && rc > -900));
        if (rc == WS_OK) {
            some_offer_parses = true;
            check_format(&p, WS_PMD_OFFER);
        } else {
            every_offer_parses = false;
        }
    }

    ws_pmd_params response;
    size_t chosen = SIZE_MAX;
    int rc = ws_pmd_server_choose(offers, num_offers, &cfg, &response, &chosen);
    FUZZ_CHECK(rc == 0 || rc == 1);
    if (rc == 1) {
        FUZZ_CHECK(chosen < num_offers && is_pmd(&offers[chosen]));
        ws_pmd_params asked;
        FUZZ_CHECK(ws_pmd_parse(&offers[chosen], WS_PMD_OFFER, &asked) == WS_OK);
        uint8_t our_limit = cfg.server_max_window_bits ? cfg.server_max_window_bits : 15;
        FUZZ_CHECK(response.server_max_window_bits <= our_limit);
        if (asked.server_max_window_bits)
            FUZZ_CHECK(response.server_max_window_bits &&
                       response.server_max_window_bits <= asked.server_max_window_bits);
        if (!asked.client_max_window_bits)
            FUZZ_CHECK(response.client_max_window_bits == 0);
        FUZZ_CHECK(response.client_max_window_bits != WS_PMD_WINDOW_BITS_NO_VALUE);
        if (asked.server_no_context_takeover || cfg.server_no_context_takeover)
            FUZZ_CHECK(response.server_no_context_takeover);
        check_format(&response, WS_PMD_RESPONSE);

        char text[WS_PMD_FORMAT_MAX];
        int len = ws_pmd_format(&response, text, sizeof text);
        ws_extension answer_ext;
        size_t num = 0;
        FUZZ_CHECK(ws_handshake_parse_extensions(text, (size_t)len, &answer_ext, 1, &num) == WS_OK);
        ws_pmd_params agreed;
        int c = ws_pmd_client_accept(offers, num_offers, &answer_ext, 1, &agreed);
        /* A client judges only against offers it could make, all valid. */
        FUZZ_CHECK(c == 1 || (!every_offer_parses && c == WS_E_INVALID_ARGUMENT));
        if (c == 1) {
            FUZZ_CHECK(agreed.server_max_window_bits == response.server_max_window_bits);
            FUZZ_CHECK(agreed.server_no_context_takeover == response.server_no_context_takeover);
            check_agreement(&agreed);
        }
        check_agreement(&response);
    } else {
        ws_pmd_server_config zero = { 0 };
        FUZZ_CHECK(ws_pmd_server_choose(offers, num_offers, &zero, &response, &chosen) ==
                       (some_offer_parses ? 1 : 0));
    }

    /* The fuzzed response, as a client reads it. */
    if (answer) {
        ws_extension resp[OFFERS_MAX];
        size_t num_resp = 0;
        if (ws_handshake_parse_extensions(answer, answer_len, resp, OFFERS_MAX, &num_resp) ==
            WS_OK) {
            ws_pmd_params agreed;
            int c = ws_pmd_client_accept(offers, num_offers, resp, num_resp, &agreed);
            FUZZ_CHECK(c == 0 || c == 1 || c == WS_E_HS_EXTENSION_NOT_OFFERED ||
                       c == WS_E_INVALID_ARGUMENT || (c <= -800 && c > -900));
            if (c == 1)
                check_agreement(&agreed);
        }
    }
    return 0;
}
