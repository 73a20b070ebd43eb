/* The error table: one row per ws_err value, read by ws_strerror() and tests. */
#include "wscodec/error.h"

#define ROW(code, section, close, http, msg) { code, #code, section, close, http, msg }

static const ws_error_info error_table[] = {
    ROW(WS_OK, "", 0, 0, "success"),
    ROW(WS_NEED_MORE, "", 0, 0, "more input is needed"),

    ROW(WS_E_INVALID_ARGUMENT, "", 0, 0, "invalid argument"),
    ROW(WS_E_BUFFER_TOO_SMALL, "", 0, 0, "output buffer too small"),
    ROW(WS_E_NO_MEMORY, "", 1011, 0, "out of memory"),
    ROW(WS_E_FAILED, "", 0, 0, "already failed by an earlier error"),
    ROW(WS_E_CRYPTO, "", 1011, 500, "random bytes or digest unavailable"),

    ROW(WS_E_LENGTH_MSB_SET, "RFC 6455 5.2", 1002, 0,
        "64-bit payload length has its most significant bit set"),
    ROW(WS_E_LENGTH_NOT_MINIMAL, "RFC 6455 5.2", 1002, 0,
        "payload length not encoded in the minimal number of bytes"),
    ROW(WS_E_RSV_NOT_NEGOTIATED, "RFC 6455 5.2", 1002, 0,
        "reserved bit set without a negotiated extension"),
    ROW(WS_E_OPCODE_RESERVED, "RFC 6455 5.2", 1002, 0, "reserved opcode"),
    ROW(WS_E_CONTROL_FRAGMENTED, "RFC 6455 5.5", 1002, 0, "control frame is fragmented"),
    ROW(WS_E_CONTROL_TOO_LONG, "RFC 6455 5.5", 1002, 0,
        "control frame payload longer than 125 bytes"),
    ROW(WS_E_FRAME_NOT_MASKED, "RFC 6455 5.1", 1002, 0, "client frame is not masked"),
    ROW(WS_E_FRAME_MASKED, "RFC 6455 5.1", 1002, 0, "server frame is masked"),

    ROW(WS_E_CONTINUATION_WITHOUT_START, "RFC 6455 5.4", 1002, 0,
        "continuation frame without a message in progress"),
    ROW(WS_E_DATA_FRAME_INSIDE_MESSAGE, "RFC 6455 5.4", 1002, 0,
        "new data frame while a fragmented message is in progress"),
    ROW(WS_E_FRAME_AFTER_CLOSE, "RFC 6455 5.5.1", 1002, 0, "frame received after a Close frame"),
    ROW(WS_E_MESSAGE_TOO_BIG, "RFC 6455 7.4.1", 1009, 0, "message exceeds the size limit"),
    ROW(WS_E_RSV1_ON_CONTINUATION, "RFC 7692 6", 1002, 0,
        "RSV1 set on a continuation frame"),
    ROW(WS_E_RSV1_ON_CONTROL, "RFC 7692 6", 1002, 0, "RSV1 set on a control frame"),

    ROW(WS_E_UTF8_INVALID, "RFC 6455 8.1", 1007, 0, "text is not valid UTF-8"),
    ROW(WS_E_UTF8_TRUNCATED, "RFC 6455 8.1", 1007, 0,
        "text ends inside a UTF-8 sequence"),

    ROW(WS_E_CLOSE_PAYLOAD_ONE_BYTE, "RFC 6455 5.5.1", 1002, 0,
        "close payload of one byte cannot hold a status code"),
    ROW(WS_E_CLOSE_CODE_INVALID, "RFC 6455 7.4", 1002, 0,
        "close code that must not be sent"),
    ROW(WS_E_CLOSE_REASON_NOT_UTF8, "RFC 6455 5.5.1", 1007, 0,
        "close reason is not valid UTF-8"),

    ROW(WS_E_HTTP_SYNTAX, "RFC 6455 4.2.1", 0, 400, "malformed HTTP message"),
    ROW(WS_E_HTTP_TOO_LARGE, "RFC 6455 10.4", 0, 431, "HTTP header block too large"),
    ROW(WS_E_HTTP_TOO_MANY_HEADERS, "RFC 6455 10.4", 0, 431, "too many HTTP header fields"),
    ROW(WS_E_HS_METHOD, "RFC 6455 4.2.1", 0, 405, "request method is not GET"),
    ROW(WS_E_HS_HTTP_VERSION, "RFC 6455 4.2.1", 0, 400, "request is not HTTP/1.1 or higher"),
    ROW(WS_E_HS_HOST, "RFC 6455 4.2.1", 0, 400, "missing or repeated Host header field"),
    ROW(WS_E_HS_UPGRADE, "RFC 6455 4.2.1", 0, 400,
        "Upgrade header field does not contain websocket"),
    ROW(WS_E_HS_CONNECTION, "RFC 6455 4.2.1", 0, 400,
        "Connection header field does not contain the upgrade token"),
    ROW(WS_E_HS_KEY_MISSING, "RFC 6455 4.2.1", 0, 400, "missing Sec-WebSocket-Key"),
    ROW(WS_E_HS_KEY_INVALID, "RFC 6455 4.2.1", 0, 400,
        "Sec-WebSocket-Key does not decode to 16 bytes"),
    ROW(WS_E_HS_KEY_DUPLICATE, "RFC 6455 11.3.1", 0, 400,
        "Sec-WebSocket-Key appears more than once"),
    ROW(WS_E_HS_VERSION, "RFC 6455 4.2.2", 0, 426,
        "Sec-WebSocket-Version missing or not 13"),
    ROW(WS_E_HS_REQUEST_TARGET, "RFC 6455 4.2.1", 0, 400, "invalid request target"),

    ROW(WS_E_HS_STATUS, "RFC 6455 4.1", 0, 0, "response status is not 101"),
    ROW(WS_E_HS_RESPONSE_UPGRADE, "RFC 6455 4.1", 0, 0,
        "response Upgrade header field is not websocket"),
    ROW(WS_E_HS_RESPONSE_CONNECTION, "RFC 6455 4.1", 0, 0,
        "response Connection header field lacks the upgrade token"),
    ROW(WS_E_HS_ACCEPT_MISSING, "RFC 6455 4.1", 0, 0, "response lacks Sec-WebSocket-Accept"),
    ROW(WS_E_HS_ACCEPT_MISMATCH, "RFC 6455 4.1", 0, 0,
        "Sec-WebSocket-Accept does not match the key"),
    ROW(WS_E_HS_EXTENSION_NOT_OFFERED, "RFC 6455 4.1", 0, 0,
        "response accepts an extension the client did not offer"),
    ROW(WS_E_HS_PROTOCOL_NOT_OFFERED, "RFC 6455 4.1", 0, 0,
        "response selects a subprotocol the client did not offer"),

    ROW(WS_E_HS_EXTENSIONS_SYNTAX, "RFC 6455 9.1", 0, 400,
        "malformed Sec-WebSocket-Extensions value"),
    ROW(WS_E_HS_PROTOCOL_SYNTAX, "RFC 6455 4.1", 0, 400,
        "malformed Sec-WebSocket-Protocol value"),
    ROW(WS_E_HS_TOO_MANY_ITEMS, "RFC 6455 10.4", 0, 400,
        "too many extensions, parameters or subprotocols"),

    ROW(WS_E_PMD_PARAM_UNKNOWN, "RFC 7692 7", 0, 0, "unknown permessage-deflate parameter"),
    ROW(WS_E_PMD_PARAM_DUPLICATE, "RFC 7692 7", 0, 0,
        "permessage-deflate parameter given more than once"),
    ROW(WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_VALUE, "RFC 7692 7.1.1.1", 0, 0,
        "server_no_context_takeover has a value"),
    ROW(WS_E_PMD_CLIENT_NO_CONTEXT_TAKEOVER_VALUE, "RFC 7692 7.1.1.2", 0, 0,
        "client_no_context_takeover has a value"),
    ROW(WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID, "RFC 7692 7.1.2.1", 0, 0,
        "server_max_window_bits is not a value from 8 to 15"),
    ROW(WS_E_PMD_CLIENT_MAX_WINDOW_BITS_INVALID, "RFC 7692 7.1.2.2", 0, 0,
        "client_max_window_bits value is not from 8 to 15"),
    ROW(WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NO_VALUE, "RFC 7692 7.1.2.2", 0, 0,
        "client_max_window_bits without a value in a response"),
    ROW(WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_MISSING, "RFC 7692 7.1.1.1", 0, 0,
        "response lacks the server_no_context_takeover the offer asked for"),
    ROW(WS_E_PMD_SERVER_MAX_WINDOW_BITS_MISSING, "RFC 7692 7.1.2.1", 0, 0,
        "response lacks the server_max_window_bits the offer asked for"),
    ROW(WS_E_PMD_SERVER_MAX_WINDOW_BITS_TOO_LARGE, "RFC 7692 7.1.2.1", 0, 0,
        "response server_max_window_bits is larger than offered"),
    ROW(WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NOT_OFFERED, "RFC 7692 7.1.2.2", 0, 0,
        "response has client_max_window_bits the offer did not have"),
    ROW(WS_E_PMD_CLIENT_MAX_WINDOW_BITS_TOO_LARGE, "RFC 7692 7.1.2.2", 0, 0,
        "response client_max_window_bits is larger than offered"),
    ROW(WS_E_PMD_ACCEPTED_TWICE, "RFC 7692 5", 0, 0,
        "response accepts permessage-deflate more than once"),

    /* 1007, not 1002: the frames are well formed; what they carry is not what
       the message type promises, as with invalid UTF-8 in a text message. */
    ROW(WS_E_PMD_DATA_CORRUPT, "RFC 7692 7.2.2", 1007, 0,
        "compressed message is not valid DEFLATE data"),
    ROW(WS_E_PMD_DATA_TRUNCATED, "RFC 7692 7.2.2", 1007, 0,
        "compressed message ends inside a DEFLATE block"),
};

#define TABLE_SIZE (sizeof error_table / sizeof error_table[0])

const ws_error_info *ws_error_lookup(int err)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (error_table[i].code == err)
            return &error_table[i];
    return NULL;
}

const char *ws_strerror(int err)
{
    const ws_error_info *info = ws_error_lookup(err);
    return info ? info->message : "unknown error";
}

size_t ws_error_count(void) { return TABLE_SIZE; }

const ws_error_info *ws_error_at(size_t index)
{
    return index < TABLE_SIZE ? &error_table[index] : 0;
}

int ws_error_class(int err)
{
    if (err > -100)
        return 0;
    return err / 100 * 100;
}
