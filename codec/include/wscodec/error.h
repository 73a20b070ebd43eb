/*
 * Error values of libwscodec.
 *
 * Every function that can fail returns an int: 0 (WS_OK) or a positive count on
 * success, WS_NEED_MORE when the input is incomplete, or one of the negative
 * ws_err values below. Values are grouped by class in blocks of 100, so a
 * caller can test the class with ws_error_class().
 *
 * Each protocol error names the RFC section it enforces and the close code (or
 * HTTP status, for the opening handshake) that it implies; ws_error_lookup()
 * returns that row of the table.
 */
#ifndef WSCODEC_ERROR_H
#define WSCODEC_ERROR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ws_err {
    WS_OK = 0,
    WS_NEED_MORE = -1, /* not an error: feed more bytes and call again */

    /* Usage: the caller's fault, not the peer's. */
    WS_E_INVALID_ARGUMENT = -2,
    WS_E_BUFFER_TOO_SMALL = -3,
    WS_E_NO_MEMORY = -4,
    WS_E_FAILED = -5, /* a sticky error was reported earlier */
    WS_E_CRYPTO = -6, /* OpenSSL could not produce random bytes or a digest */

    /* Frame layer (RFC 6455 §5.2, §5.1, §5.5). */
    WS_E_LENGTH_MSB_SET = -100,
    WS_E_LENGTH_NOT_MINIMAL = -101,
    WS_E_RSV_NOT_NEGOTIATED = -102,
    WS_E_OPCODE_RESERVED = -103,
    WS_E_CONTROL_FRAGMENTED = -104,
    WS_E_CONTROL_TOO_LONG = -105,
    WS_E_FRAME_NOT_MASKED = -106,
    WS_E_FRAME_MASKED = -107,

    /* Message layer (§5.4, §5.5.1, §10.4). */
    WS_E_CONTINUATION_WITHOUT_START = -200,
    WS_E_DATA_FRAME_INSIDE_MESSAGE = -201,
    WS_E_FRAME_AFTER_CLOSE = -202,
    WS_E_MESSAGE_TOO_BIG = -203,
    WS_E_RSV1_ON_CONTINUATION = -204,
    WS_E_RSV1_ON_CONTROL = -205,

    /* Payload content (§8.1, §5.6). */
    WS_E_UTF8_INVALID = -300,
    WS_E_UTF8_TRUNCATED = -301,

    /* Close frame payload (§5.5.1, §7.4). */
    WS_E_CLOSE_PAYLOAD_ONE_BYTE = -400,
    WS_E_CLOSE_CODE_INVALID = -401,
    WS_E_CLOSE_REASON_NOT_UTF8 = -402,

    /* Opening handshake, request as read by a server (§4.2.1). */
    WS_E_HTTP_SYNTAX = -500,
    WS_E_HTTP_TOO_LARGE = -501,
    WS_E_HTTP_TOO_MANY_HEADERS = -502,
    WS_E_HS_METHOD = -503,
    WS_E_HS_HTTP_VERSION = -504,
    WS_E_HS_HOST = -505,
    WS_E_HS_UPGRADE = -506,
    WS_E_HS_CONNECTION = -507,
    WS_E_HS_KEY_MISSING = -508,
    WS_E_HS_KEY_INVALID = -509,
    WS_E_HS_KEY_DUPLICATE = -510,
    WS_E_HS_VERSION = -511,
    WS_E_HS_REQUEST_TARGET = -512,

    /* Opening handshake, response as read by a client (§4.1). */
    WS_E_HS_STATUS = -600,
    WS_E_HS_RESPONSE_UPGRADE = -601,
    WS_E_HS_RESPONSE_CONNECTION = -602,
    WS_E_HS_ACCEPT_MISSING = -603,
    WS_E_HS_ACCEPT_MISMATCH = -604,
    WS_E_HS_EXTENSION_NOT_OFFERED = -605,
    WS_E_HS_PROTOCOL_NOT_OFFERED = -606,

    /* Header value syntax (§4.3, §9.1). */
    WS_E_HS_EXTENSIONS_SYNTAX = -700,
    WS_E_HS_PROTOCOL_SYNTAX = -701,
    WS_E_HS_TOO_MANY_ITEMS = -702,

    /* permessage-deflate parameters (RFC 7692 §5, §7.1). They imply no answer:
       a server declines such an offer and goes on without it, a client fails
       the connection before any frame. */
    WS_E_PMD_PARAM_UNKNOWN = -800,
    WS_E_PMD_PARAM_DUPLICATE = -801,
    WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_VALUE = -802,
    WS_E_PMD_CLIENT_NO_CONTEXT_TAKEOVER_VALUE = -803,
    WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID = -804,
    WS_E_PMD_CLIENT_MAX_WINDOW_BITS_INVALID = -805,
    WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NO_VALUE = -806,
    WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_MISSING = -807,
    WS_E_PMD_SERVER_MAX_WINDOW_BITS_MISSING = -808,
    WS_E_PMD_SERVER_MAX_WINDOW_BITS_TOO_LARGE = -809,
    WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NOT_OFFERED = -810,
    WS_E_PMD_CLIENT_MAX_WINDOW_BITS_TOO_LARGE = -811,
    WS_E_PMD_ACCEPTED_TWICE = -812,

    /* permessage-deflate payloads (RFC 7692 §7.2.2); a message inflating past
       the size limit is WS_E_MESSAGE_TOO_BIG. */
    WS_E_PMD_DATA_CORRUPT = -900,
    WS_E_PMD_DATA_TRUNCATED = -901,
};

/* One row of the error table. */
typedef struct ws_error_info {
    int code;                /* the ws_err value */
    const char *name;        /* "WS_E_RSV_NOT_NEGOTIATED" */
    const char *rfc_section; /* "RFC 6455 5.2"; "" for usage errors */
    uint16_t close_code;     /* close code a receiver fails with; 0 if none */
    uint16_t http_status;    /* status a server answers with; 0 if none */
    const char *message;     /* short, lowercase, no trailing period */
} ws_error_info;

/* Row for err, or NULL if err is not a ws_err value. */
const ws_error_info *ws_error_lookup(int err);

/* Short description of err; never NULL ("unknown error" for foreign values). */
const char *ws_strerror(int err);

/* The table itself, for iteration: rows 0 .. ws_error_count()-1. */
size_t ws_error_count(void);
const ws_error_info *ws_error_at(size_t index);

/* Class of an error: its value rounded towards zero to a multiple of 100
 * (-100 frame, -200 message, ...); 0 for usage errors and non-errors. */
int ws_error_class(int err);

#ifdef __cplusplus
}
#endif
#endif
