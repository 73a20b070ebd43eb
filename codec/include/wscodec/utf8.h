/*
 * Incremental UTF-8 validation (RFC 3629, as required by RFC 6455 §8.1).
 *
 * Rejects overlong forms, surrogates (U+D800..U+DFFF) and code points above
 * U+10FFFF. Fails fast: the error is reported at the first byte after which
 * no continuation could make the input valid, which is what a strict receiver
 * must do when a text message arrives in pieces. Input may be split anywhere.
 */
#ifndef WSCODEC_UTF8_H
#define WSCODEC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ws_utf8 {
    uint32_t state;  /* internal; 0 means "at a character boundary" */
    uint64_t offset; /* bytes accepted so far; on error, the offending byte's index */
} ws_utf8;

void ws_utf8_init(ws_utf8 *v);

/*
 * Feeds the next len bytes. Returns WS_OK if the input so far is a valid
 * UTF-8 prefix, or WS_E_UTF8_INVALID if it can no longer become valid; then
 * v->offset is the index (counted from the first byte ever fed) of the byte
 * that made it so. The error is sticky: later calls return it again.
 */
int ws_utf8_feed(ws_utf8 *v, const uint8_t *buf, size_t len);

/* At the end of the input: WS_OK if it ended on a character boundary,
 * WS_E_UTF8_TRUNCATED if inside a sequence, WS_E_UTF8_INVALID after an error. */
int ws_utf8_finish(const ws_utf8 *v);

/* One shot: feed + finish. On error, *error_offset (if not NULL) is the byte
 * index as above (len for a truncated sequence). */
int ws_utf8_validate(const uint8_t *buf, size_t len, size_t *error_offset);

/* The well-formed UTF-8 character at the start of buf (at most len bytes):
 * returns its length (1-4) and stores its code point in *code_point, or
 * returns 0 when buf does not start with one (an overlong form, a surrogate,
 * a value above U+10FFFF, a stray or missing continuation byte, len 0).
 * For writers that must show any bytes as text, one character at a time. */
size_t ws_utf8_decode(const uint8_t *buf, size_t len, uint32_t *code_point);

#ifdef __cplusplus
}
#endif
#endif
