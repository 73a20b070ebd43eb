/*
 * HTTP/1.x message heads (RFC 7230 §3), as far as the opening handshake of
 * RFC 6455 §4 needs them: a request head for a server, a response head for a
 * client.
 *
 * The parsers are pure functions over (buf, len) in the style of
 * picohttpparser: they return the number of bytes the head took (request or
 * status line, header fields and the empty line), WS_NEED_MORE while the head
 * is incomplete, or an error. Nothing is copied: every string they report
 * points into buf and is not NUL-terminated, so buf must outlive the results.
 * Header storage belongs to the caller, who states its capacity. The parsers
 * keep no state between calls; after WS_NEED_MORE call again with the same
 * bytes plus whatever arrived since.
 *
 * Syntax is strict where RFC 7230 makes it so: lines end in CRLF (a bare CR
 * or LF is an error), no whitespace between a field name and its colon
 * (§3.2.4), no obsolete line folding (§3.2.4), no whitespace before the first
 * header field (§3), single spaces in the start line (§3.1). The only
 * liberties taken are those RFC 7230 allows a recipient: optional whitespace
 * around a field value is dropped, and empty lines before a request line are
 * skipped (§3.5). Bytes 0x80-0xFF (obs-text) are accepted in field values and
 * reason phrases, never in names, methods or request targets.
 */
#ifndef WSCODEC_HTTP_H
#define WSCODEC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A head size limit that fits every browser's opening handshake. */
#define WS_HTTP_MAX_HEAD_DEFAULT 8192

/* One header field. Pointers into the parsed buffer; the value has no leading
 * or trailing spaces or tabs and may be empty. */
typedef struct ws_http_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} ws_http_header;

typedef struct ws_http_request {
    /* Set by the caller before parsing. */
    ws_http_header *headers; /* storage for max_headers fields */
    size_t max_headers;
    /* Set by the parser. */
    size_t num_headers;
    const char *method;      /* a token, compared case-sensitively (RFC 7231 §4.1) */
    size_t method_len;
    const char *target;      /* request-target as sent: printable ASCII, no space */
    size_t target_len;
    int version_major;       /* "HTTP/1.1" gives 1 and 1 */
    int version_minor;
} ws_http_request;

typedef struct ws_http_response {
    /* Set by the caller before parsing. */
    ws_http_header *headers;
    size_t max_headers;
    /* Set by the parser. */
    size_t num_headers;
    int version_major;
    int version_minor;
    int status;              /* 000..999: any three digits (RFC 7230 §3.1.2) */
    const char *reason;      /* reason phrase, possibly empty */
    size_t reason_len;
} ws_http_response;

/*
 * Parses the request head at the start of buf.
 *
 * Before the call the caller sets req->headers and req->max_headers (headers
 * may be NULL when max_headers is 0); the parser sets every other field.
 * max_head bounds the head in bytes, leading empty lines included; values
 * above INT_MAX are treated as INT_MAX.
 *
 * Returns:
 *  > 0                         the head's length; any body or WebSocket data
 *                              follows at buf + return value;
 *  WS_NEED_MORE                buf holds a valid but incomplete head that can
 *                              still end within max_head bytes;
 *  WS_E_HTTP_SYNTAX            not an HTTP/1.x request head (RFC 7230 §3);
 *  WS_E_HTTP_TOO_LARGE         the first max_head bytes hold no complete
 *                              head: reported as soon as len reaches max_head,
 *                              so a peer trickling an endless head is stopped;
 *  WS_E_HTTP_TOO_MANY_HEADERS  a field beyond max_headers begins;
 *  WS_E_INVALID_ARGUMENT       req is NULL, buf is NULL with len > 0, or
 *                              headers is NULL with max_headers > 0.
 * Errors are reported at the first byte that makes them certain, reading left
 * to right, so a longer prefix of the same input never gives a different
 * error. On anything but success, the fields of *req are unspecified. Reads
 * only buf[0 .. min(len, max_head)).
 */
int ws_http_parse_request(const char *buf, size_t len, size_t max_head, ws_http_request *req);

/*
 * Parses the response head at the start of buf: "HTTP/x.y NNN reason" and its
 * header fields. Same contract, return values and limits as
 * ws_http_parse_request(), except that empty lines before the status line
 * are a syntax error. The status line must have both spaces even when the
 * reason phrase is empty.
 */
int ws_http_parse_response(const char *buf, size_t len, size_t max_head, ws_http_response *res);

/* True if c may appear in an RFC 7230 token (tchar, §3.2.6). */
bool ws_http_is_tchar(unsigned char c);

/* True if s[0 .. len) is a token: one or more tchars. */
bool ws_http_is_token(const char *s, size_t len);

/* ASCII case-insensitive equality of a[0 .. a_len) and b[0 .. b_len), with no
 * regard to the locale (RFC 6455 §2.1). */
bool ws_http_equal_nocase(const char *a, size_t a_len, const char *b, size_t b_len);

/*
 * Finds a header field by name (NUL-terminated, compared case-insensitively,
 * RFC 7230 §3.2). With after == NULL the search starts at headers[0];
 * otherwise after must point into headers[0 .. num_headers) and the search
 * starts just past it, so repeated calls visit every field of that name:
 *
 *     for (h = ws_http_find_header(hs, n, "Foo", NULL); h;
 *          h = ws_http_find_header(hs, n, "Foo", h)) ...
 *
 * Returns the field, or NULL when there is no further one.
 */
const ws_http_header *ws_http_find_header(const ws_http_header *headers, size_t num_headers,
                                          const char *name, const ws_http_header *after);

/* Number of header fields called name (case-insensitive). */
size_t ws_http_count_headers(const ws_http_header *headers, size_t num_headers,
                             const char *name);

#ifdef __cplusplus
}
#endif
#endif
