/*
 * The opening handshake of RFC 6455 §4, for both roles, over heads parsed by
 * wscodec/http.h.
 *
 *   client: ws_handshake_make_key() -> ws_handshake_build_request() -> send
 *           -> ws_http_parse_response() -> ws_handshake_check_response()
 *   server: ws_http_parse_request() -> ws_handshake_check_request()
 *           -> ws_handshake_build_response() or ws_handshake_build_error()
 *
 * No I/O, no allocation, no global state. Every string a check reports points
 * into the parsed head and is not NUL-terminated. Builders write into caller
 * buffers and never NUL-terminate. SHA-1, base64 and random bytes come from
 * OpenSSL (libcrypto).
 */
#ifndef WSCODEC_HANDSHAKE_H
#define WSCODEC_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wscodec/http.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WS_HANDSHAKE_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" /* §1.3 */
#define WS_HANDSHAKE_KEY_LEN 24    /* base64 of 16 bytes */
#define WS_HANDSHAKE_ACCEPT_LEN 28 /* base64 of a 20-byte SHA-1 */
#define WS_HANDSHAKE_VERSION "13"
#define WS_EXTENSION_MAX_PARAMS 8  /* parameters kept per parsed extension */

/* ---- keys ---------------------------------------------------------------- */

/*
 * Writes a fresh Sec-WebSocket-Key: 16 bytes from OpenSSL's RAND_bytes(),
 * base64-encoded (§4.1 item 7), as 24 characters plus a NUL. Returns WS_OK,
 * WS_E_INVALID_ARGUMENT if out is NULL, or WS_E_CRYPTO if no random bytes
 * could be had (out is then left empty: out[0] == '\0').
 */
int ws_handshake_make_key(char out[WS_HANDSHAKE_KEY_LEN + 1]);

/*
 * Writes the Sec-WebSocket-Accept value for key[0 .. key_len): base64 of the
 * SHA-1 of the key as sent (not decoded) followed by WS_HANDSHAKE_GUID
 * (§4.2.2 item 5.4), as 28 characters plus a NUL. The key is not judged, so
 * the answer to any key can be computed. Returns WS_OK, WS_E_INVALID_ARGUMENT
 * if out is NULL or key is NULL with key_len > 0, or WS_E_CRYPTO if OpenSSL
 * fails (out[0] == '\0' then).
 */
int ws_handshake_accept(const char *key, size_t key_len, char out[WS_HANDSHAKE_ACCEPT_LEN + 1]);

/*
 * Judges a Sec-WebSocket-Key value (§4.2.1 item 5, §4.3 base64-value-non-
 * empty): WS_OK if it is padded base64 (RFC 4648 §4) that decodes to exactly
 * 16 bytes, WS_E_HS_KEY_INVALID otherwise. Unused bits in the last character
 * are not required to be zero: the RFC's own example key
 * "AQIDBAUGBwgJCgsMDQ4PEC==" has them set.
 */
int ws_handshake_check_key(const char *key, size_t key_len);

/* ---- header values ------------------------------------------------------- */

/* A slice of a header value. */
typedef struct ws_handshake_token {
    const char *str;
    size_t len;
} ws_handshake_token;

/*
 * True if the comma-separated list value[0 .. len) has an element equal to
 * token (NUL-terminated), compared ASCII case-insensitively. Elements are
 * trimmed of spaces and tabs; empty elements are skipped (RFC 7230 §7).
 * Other elements are not judged: a malformed one simply does not match.
 * "keep-alive, Upgrade" contains "upgrade"; "websocket x" does not contain
 * "websocket".
 */
bool ws_handshake_list_contains(const char *value, size_t len, const char *token);

/*
 * Parses a Sec-WebSocket-Protocol value, 1#token (§4.1 item 10, §4.3), and
 * appends its tokens to out[*num .. max). Empty list elements are tolerated
 * (RFC 7230 §7) but at least one token is required. The caller sets *num
 * (usually to 0) before the first call, which lets repeated header fields be
 * collected in one array (§11.3.4). If out is NULL the tokens are counted in
 * *num and not stored, and max is ignored.
 * Returns WS_OK, WS_E_HS_PROTOCOL_SYNTAX (on which out and *num hold what
 * preceded the error), WS_E_HS_TOO_MANY_ITEMS if a token would go past max,
 * or WS_E_INVALID_ARGUMENT if num is NULL or value is NULL with len > 0.
 * Duplicate tokens are not rejected: uniqueness binds the sender only.
 */
int ws_handshake_parse_protocols(const char *value, size_t len, ws_handshake_token *out,
                                 size_t max, size_t *num);

/* One extension parameter: token [ "=" ( token / quoted-string ) ] (§9.1). */
typedef struct ws_extension_param {
    const char *name;
    size_t name_len;
    const char *value;  /* NULL when the parameter has no value */
    size_t value_len;
    bool quoted;        /* value was a quoted-string; value excludes the quotes */
    bool escaped;       /* the quoted value holds quoted-pairs ("\x"): value is
                           the raw text, ws_extension_param_value() unescapes */
} ws_extension_param;

/* One element of an extension-list (§9.1). */
typedef struct ws_extension {
    const char *name;
    size_t name_len;
    size_t num_params;
    ws_extension_param params[WS_EXTENSION_MAX_PARAMS];
} ws_extension;

/*
 * Parses a Sec-WebSocket-Extensions value (§9.1):
 *     extension-list  = 1#extension
 *     extension       = token *( ";" extension-param )
 *     extension-param = token [ "=" ( token / quoted-string ) ]
 * where a quoted value must be a token once unescaped. Optional whitespace is
 * allowed around ",", ";" and "=" (the implied *LWS of RFC 2616) and empty
 * list elements are tolerated (RFC 7230 §7). Extensions are appended to
 * out[*num .. max), with *num and out == NULL as in
 * ws_handshake_parse_protocols() (without storage there is no bound on
 * parameters either).
 * Returns WS_OK, WS_E_HS_EXTENSIONS_SYNTAX, WS_E_HS_TOO_MANY_ITEMS (more than
 * max extensions, or more than WS_EXTENSION_MAX_PARAMS parameters on one), or
 * WS_E_INVALID_ARGUMENT. On error *num counts the extensions completed before
 * it. Extension names and parameters are not judged against any registry.
 */
int ws_handshake_parse_extensions(const char *value, size_t len, ws_extension *out, size_t max,
                                  size_t *num);

/*
 * Copies the value of p, unescaped, into out. Returns its length, 0 for a
 * parameter without value, WS_E_BUFFER_TOO_SMALL if it does not fit in cap
 * bytes, or WS_E_INVALID_ARGUMENT. Does not NUL-terminate.
 */
int ws_extension_param_value(const ws_extension_param *p, char *out, size_t cap);

/* ---- client -------------------------------------------------------------- */

/* What a client sends. NUL-terminated strings owned by the caller. */
typedef struct ws_handshake_request_spec {
    const char *host;          /* required; an IPv6 literal gets brackets if it lacks them */
    uint16_t port;             /* 0, or the default for `secure`: Host without port */
    bool secure;               /* wss: default port 443 rather than 80 */
    const char *target;        /* request target (resource name); NULL means "/" */
    const char *key;           /* required: from ws_handshake_make_key() */
    const char *origin;        /* NULL: no Origin header field */
    const char *protocols;     /* Sec-WebSocket-Protocol offer, "chat, superchat"; NULL: none */
    const char *extensions;    /* Sec-WebSocket-Extensions offer; NULL: none */
    const char *version;       /* NULL means "13"; anything else tests a server's 426 */
    const char *extra_headers; /* raw lines each ending in CRLF, written unchecked; NULL: none */
} ws_handshake_request_spec;

/*
 * Writes the client's opening handshake (§4.1):
 *     GET <target> HTTP/1.1, Host, Upgrade: websocket, Connection: Upgrade,
 *     Sec-WebSocket-Key, Sec-WebSocket-Version, then Origin,
 *     Sec-WebSocket-Protocol and Sec-WebSocket-Extensions when given, then
 *     extra_headers, then the empty line.
 * Values are written as given, so a test can offer malformed lists on
 * purpose; extra_headers is the way to send anything else. Returns the number
 * of bytes written, WS_E_BUFFER_TOO_SMALL if they exceed cap (or INT_MAX), or
 * WS_E_INVALID_ARGUMENT if spec, out, host or key is NULL, or a field other
 * than extra_headers holds CR or LF.
 */
int ws_handshake_build_request(const ws_handshake_request_spec *spec, char *out, size_t cap);

/* What the server agreed to, pointing into the parsed response. */
typedef struct ws_handshake_response_info {
    const char *protocol;   /* selected subprotocol; NULL when none */
    size_t protocol_len;
    const char *extensions; /* Sec-WebSocket-Extensions value as sent; NULL when absent */
    size_t extensions_len;
} ws_handshake_response_info;

/*
 * Validates a parsed server response against the request the client sent
 * (§4.1, "The client MUST validate the server's response as follows"), in
 * this order, returning the first failure:
 *   WS_E_HS_STATUS                 status is not 101;
 *   WS_E_HS_RESPONSE_UPGRADE       Upgrade missing, repeated, or not exactly "websocket"
 *                                  (ASCII case-insensitive);
 *   WS_E_HS_RESPONSE_CONNECTION    no Connection field lists "upgrade";
 *   WS_E_HS_ACCEPT_MISSING         no Sec-WebSocket-Accept;
 *   WS_E_HS_ACCEPT_MISMATCH        its value is not ws_handshake_accept() of
 *                                  spec->key, or the field is repeated
 *                                  (§11.3.3);
 *   WS_E_HS_EXTENSIONS_SYNTAX      Sec-WebSocket-Extensions is repeated
 *                                  (§11.3.2) or malformed (§9.1);
 *   WS_E_HS_EXTENSION_NOT_OFFERED  it names an extension (compared exactly)
 *                                  that spec->extensions did not offer;
 *   WS_E_HS_PROTOCOL_NOT_OFFERED   Sec-WebSocket-Protocol is repeated, is not
 *                                  a single token, or is not one of the
 *                                  tokens of spec->protocols (compared
 *                                  exactly) (§4.1 item 6, §4.2.2 /subprotocol/).
 * Returns WS_OK when the connection is established, WS_E_CRYPTO if the
 * expected accept value could not be computed, or WS_E_INVALID_ARGUMENT if an
 * argument or spec->key is NULL, or spec's own protocol or extension offer
 * does not parse. Parameters of accepted extensions are left to the
 * extension (RFC 7692 for permessage-deflate). out (may be NULL) is filled on
 * success only.
 */
int ws_handshake_check_response(const ws_http_response *res,
                                const ws_handshake_request_spec *spec,
                                ws_handshake_response_info *out);

/* ---- server -------------------------------------------------------------- */

/* What a server learns from a valid request. */
typedef struct ws_handshake_request_info {
    /* Set by the caller: storage for the offers, or NULL to count them only. */
    ws_handshake_token *protocols;
    size_t max_protocols;
    ws_extension *extensions;
    size_t max_extensions;
    /* Set by ws_handshake_check_request(); pointers into the request. */
    size_t num_protocols;   /* tokens of every Sec-WebSocket-Protocol field, in order */
    size_t num_extensions;  /* elements of every Sec-WebSocket-Extensions field */
    const char *target;     /* the request target as sent */
    size_t target_len;
    const char *host;
    size_t host_len;
    const char *key;        /* Sec-WebSocket-Key, for ws_handshake_build_response() */
    size_t key_len;
    const char *origin;     /* NULL when absent; not lowercased */
    size_t origin_len;
} ws_handshake_request_info;

/*
 * Validates a parsed request as a server reads it (§4.2.1), in this order,
 * returning the first failure:
 *   WS_E_HS_METHOD           method is not GET (case-sensitive);
 *   WS_E_HS_HTTP_VERSION     HTTP version below 1.1;
 *   WS_E_HS_REQUEST_TARGET   target is neither origin-form ("/path?query")
 *                            nor absolute-form with scheme http, https, ws or
 *                            wss, is not RFC 3986 syntax, or has a fragment
 *                            (§3);
 *   WS_E_HS_HOST             not exactly one Host field, or it is empty or
 *                            holds a character no RFC 3986 host[:port] can
 *                            (userinfo "@" included);
 *   WS_E_HS_UPGRADE          no Upgrade field lists "websocket";
 *   WS_E_HS_CONNECTION       no Connection field lists "upgrade";
 *   WS_E_HS_KEY_MISSING      no Sec-WebSocket-Key;
 *   WS_E_HS_KEY_DUPLICATE    more than one (§11.3.1);
 *   WS_E_HS_KEY_INVALID      not base64 of 16 bytes (ws_handshake_check_key);
 *   WS_E_HS_VERSION          not exactly one Sec-WebSocket-Version (§11.3.5)
 *                            or its value is not "13": answer with
 *                            ws_handshake_build_error(), which sends 426 and
 *                            "Sec-WebSocket-Version: 13" (§4.2.2);
 *   WS_E_HS_PROTOCOL_SYNTAX, WS_E_HS_EXTENSIONS_SYNTAX, WS_E_HS_TOO_MANY_ITEMS
 *                            from parsing the offers, protocols first, as
 *                            ws_handshake_parse_protocols() and
 *                            ws_handshake_parse_extensions() do.
 * Header names match case-insensitively; Upgrade and Connection may be
 * repeated and are read as one list. Returns WS_OK, one of the above, or
 * WS_E_INVALID_ARGUMENT if req or out is NULL. On error, out holds what was
 * learnt before the failing check.
 */
int ws_handshake_check_request(const ws_http_request *req, ws_handshake_request_info *out);

/* What a server answers with when it accepts. Slices owned by the caller,
 * typically pointing into the request (key) and its offers (protocol). */
typedef struct ws_handshake_response_spec {
    const char *key;           /* the client's Sec-WebSocket-Key as received */
    size_t key_len;
    const char *protocol;      /* chosen subprotocol; NULL: no Sec-WebSocket-Protocol */
    size_t protocol_len;
    const char *extensions;    /* accepted extensions value; NULL: none */
    size_t extensions_len;
    const char *extra_headers; /* raw lines each ending in CRLF; NULL: none */
    size_t extra_headers_len;
} ws_handshake_response_spec;

/*
 * Writes the server's opening handshake (§4.2.2 item 5): "HTTP/1.1 101
 * Switching Protocols", Upgrade: websocket, Connection: Upgrade,
 * Sec-WebSocket-Accept, then Sec-WebSocket-Protocol and
 * Sec-WebSocket-Extensions when given, extra_headers, and the empty line.
 * Returns the number of bytes written, WS_E_BUFFER_TOO_SMALL if they exceed
 * cap (or INT_MAX), WS_E_CRYPTO, or WS_E_INVALID_ARGUMENT if spec, out or
 * key is NULL, or protocol or extensions holds CR or LF.
 */
int ws_handshake_build_response(const ws_handshake_response_spec *spec, char *out, size_t cap);

/*
 * Writes the response refusing a handshake that failed with err: the status
 * is ws_error_lookup(err)->http_status (500 when the table has none), the
 * body one line naming the error and its RFC section. Always sends
 * Content-Type, Content-Length and "Connection: close". A 426 also carries
 * "Sec-WebSocket-Version: 13" (§4.2.2) and "Upgrade: websocket" with
 * "Connection: Upgrade, close" (RFC 7231 §6.5.15); a 405 carries
 * "Allow: GET" (RFC 7231 §6.5.5). Returns the number of bytes written,
 * WS_E_BUFFER_TOO_SMALL, or WS_E_INVALID_ARGUMENT if out is NULL or err is
 * not an error (WS_OK, WS_NEED_MORE or positive).
 */
int ws_handshake_build_error(int err, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
