/* The error table: every value has a row, names and sections are well formed. */
#include "tap.h"
#include "wscodec/error.h"

static const int all_errors[] = {
    WS_OK, WS_NEED_MORE, WS_E_INVALID_ARGUMENT, WS_E_BUFFER_TOO_SMALL, WS_E_NO_MEMORY,
    WS_E_FAILED, WS_E_CRYPTO,
    WS_E_LENGTH_MSB_SET, WS_E_LENGTH_NOT_MINIMAL, WS_E_RSV_NOT_NEGOTIATED, WS_E_OPCODE_RESERVED,
    WS_E_CONTROL_FRAGMENTED, WS_E_CONTROL_TOO_LONG, WS_E_FRAME_NOT_MASKED, WS_E_FRAME_MASKED,
    WS_E_CONTINUATION_WITHOUT_START, WS_E_DATA_FRAME_INSIDE_MESSAGE, WS_E_FRAME_AFTER_CLOSE,
    WS_E_MESSAGE_TOO_BIG, WS_E_RSV1_ON_CONTINUATION, WS_E_RSV1_ON_CONTROL,
    WS_E_UTF8_INVALID, WS_E_UTF8_TRUNCATED,
    WS_E_CLOSE_PAYLOAD_ONE_BYTE, WS_E_CLOSE_CODE_INVALID, WS_E_CLOSE_REASON_NOT_UTF8,
    WS_E_HTTP_SYNTAX, WS_E_HTTP_TOO_LARGE, WS_E_HTTP_TOO_MANY_HEADERS, WS_E_HS_METHOD,
    WS_E_HS_HTTP_VERSION, WS_E_HS_HOST, WS_E_HS_UPGRADE, WS_E_HS_CONNECTION, WS_E_HS_KEY_MISSING,
    WS_E_HS_KEY_INVALID, WS_E_HS_KEY_DUPLICATE, WS_E_HS_VERSION, WS_E_HS_REQUEST_TARGET,
    WS_E_HS_STATUS, WS_E_HS_RESPONSE_UPGRADE, WS_E_HS_RESPONSE_CONNECTION, WS_E_HS_ACCEPT_MISSING,
    WS_E_HS_ACCEPT_MISMATCH, WS_E_HS_EXTENSION_NOT_OFFERED, WS_E_HS_PROTOCOL_NOT_OFFERED,
    WS_E_HS_EXTENSIONS_SYNTAX, WS_E_HS_PROTOCOL_SYNTAX, WS_E_HS_TOO_MANY_ITEMS,
    WS_E_PMD_PARAM_UNKNOWN, WS_E_PMD_PARAM_DUPLICATE, WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_VALUE,
    WS_E_PMD_CLIENT_NO_CONTEXT_TAKEOVER_VALUE, WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID,
    WS_E_PMD_CLIENT_MAX_WINDOW_BITS_INVALID, WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NO_VALUE,
    WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_MISSING, WS_E_PMD_SERVER_MAX_WINDOW_BITS_MISSING,
    WS_E_PMD_SERVER_MAX_WINDOW_BITS_TOO_LARGE, WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NOT_OFFERED,
    WS_E_PMD_CLIENT_MAX_WINDOW_BITS_TOO_LARGE, WS_E_PMD_ACCEPTED_TWICE,
    WS_E_PMD_DATA_CORRUPT, WS_E_PMD_DATA_TRUNCATED,
};

/* "RFC 6455 5.5.1" or "RFC 7692 6": RFC number, then a dotted section number. */
static int section_well_formed(const char *s)
{
    unsigned rfc;
    int used = 0;
    if (sscanf(s, "RFC %u %n", &rfc, &used) != 1 || used == 0 || (rfc != 6455 && rfc != 7692))
        return 0;
    s += used;
    if (*s < '1' || *s > '9')
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s == '.' && s[1] >= '0' && s[1] <= '9')))
            return 0;
    return 1;
}

int main(void)
{
    size_t n = sizeof all_errors / sizeof all_errors[0];
    is_int(ws_error_count(), n, "the table has one row per ws_err value");
    for (size_t i = 0; i < n; i++) {
        const ws_error_info *e = ws_error_lookup(all_errors[i]);
        ok(e && e->code == all_errors[i], "value %d has a row", all_errors[i]);
        if (!e)
            continue;
        ok(strncmp(e->name, "WS_", 3) == 0 && e->message[0] &&
               e->message[strlen(e->message) - 1] != '.',
           "%s: name and message well formed", e->name);
        ok(strcmp(ws_strerror(e->code), e->message) == 0, "%s: ws_strerror", e->name);
        if (e->code <= -100) {
            ok(section_well_formed(e->rfc_section), "%s names its RFC section (%s)", e->name,
               e->rfc_section);
            /* A client reading a bad response has no one to answer, and a
               server declines a bad permessage-deflate offer; the others answer. */
            if (ws_error_class(e->code) == -600 || ws_error_class(e->code) == -800)
                ok(!e->close_code && !e->http_status, "%s implies no answer", e->name);
            else
                ok((e->close_code != 0) != (e->http_status != 0),
                   "%s implies a close code or an HTTP status", e->name);
            ok(ws_error_class(e->code) == e->code / 100 * 100, "%s class", e->name);
        } else {
            is_int(ws_error_class(e->code), 0, "%s is not a protocol error class", e->name);
        }
    }
    for (size_t i = 0; i < ws_error_count(); i++)
        for (size_t j = i + 1; j < ws_error_count(); j++)
            if (ws_error_at(i)->code == ws_error_at(j)->code ||
                strcmp(ws_error_at(i)->name, ws_error_at(j)->name) == 0)
                ok(0, "rows %zu and %zu collide", i, j);
    ok(ws_error_at(ws_error_count()) == NULL, "ws_error_at past the end is NULL");

    /* Close codes implied by frame and message errors are ones a peer may send. */
    static const struct { int err; unsigned code; } implied[] = {
        {WS_E_RSV_NOT_NEGOTIATED, 1002}, {WS_E_FRAME_NOT_MASKED, 1002},
        {WS_E_CONTROL_TOO_LONG, 1002},   {WS_E_MESSAGE_TOO_BIG, 1009},
        {WS_E_UTF8_INVALID, 1007},       {WS_E_CLOSE_REASON_NOT_UTF8, 1007},
        {WS_E_CLOSE_CODE_INVALID, 1002}, {WS_E_LENGTH_MSB_SET, 1002},
        {WS_E_PMD_DATA_CORRUPT, 1007},   {WS_E_PMD_DATA_TRUNCATED, 1007},
    };
    for (size_t i = 0; i < sizeof implied / sizeof implied[0]; i++)
        is_int(ws_error_lookup(implied[i].err)->close_code, implied[i].code,
               "%s implies close code %u", ws_error_lookup(implied[i].err)->name, implied[i].code);
    is_int(ws_error_lookup(WS_E_HS_VERSION)->http_status, 426, "wrong version implies 426 (4.2.2)");
    ok(ws_error_lookup(12345) == NULL, "unknown value has no row");
    ok(strcmp(ws_strerror(12345), "unknown error") == 0, "unknown value has a generic message");
    return done_testing();
}
