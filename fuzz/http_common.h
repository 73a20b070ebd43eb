/*
 * What the http_request and http_response targets share: the limits chosen
 * by the control byte, and the checks on a parsed head (wscodec/http.h).
 *
 * The control byte (input[0]): bits 4-7 pick max_head from head_limits (the
 * printable values 0x20-0x7f give generous limits, so a seed can start with
 * a letter such as 'G'), bits 0-2 pick max_headers from header_limits, bit 3
 * is target-specific.
 *
 * A head parser is wrapped so that both targets report a result the same
 * way: the return value plus offsets, relative to the buffer, of the strings
 * it found. Properties checked here:
 *   - prefix property: every prefix of the input gives WS_NEED_MORE or the
 *     final answer (same length and fields, or same error), and once a
 *     prefix gives the final answer every longer one does (checked on a
 *     sample of prefixes, dense where the parser changes state);
 *   - only buf[0 .. min(len, max_head)) is read: the prefix is handed over
 *     at the end of a heap buffer with just those bytes in it;
 *   - WS_E_HTTP_TOO_LARGE exactly when max_head bytes hold no complete head;
 *   - on success: every string lies inside the head; names are tokens ended
 *     by ":"; values are field bytes with no surrounding whitespace; the head
 *     ends in CRLF CRLF; ws_http_find_header()/ws_http_count_headers() agree
 *     with a scan of the array.
 */
#ifndef WSCONFORM_FUZZ_HTTP_COMMON_H
#define WSCONFORM_FUZZ_HTTP_COMMON_H

#include <limits.h>
#include <stdbool.h>

#include "fuzz_common.h"
#include "wscodec/error.h"
#include "wscodec/http.h"

static const size_t head_limits[16] = {
    0, 1, 8192, 4096, 8192, 1024, SIZE_MAX, 8192, 2, 16, 24, 64, 100, 200, 256, 512,
};
static const size_t header_limits[8] = { 0, 1, 2, 4, 6, 8, 16, 64 };

typedef struct head_sig {
    int rc;
    size_t str_off[2]; /* request: method, target; response: reason */
    size_t str_len[2];
    int major, minor, status;
    size_t num_headers;
} head_sig;

typedef int (*head_parser)(const char *buf, size_t len, size_t max_head, ws_http_header *hs,
                           size_t max_headers, head_sig *sig);

static bool same_headers(const ws_http_header *a, const char *base_a, const ws_http_header *b,
                         const char *base_b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].name - base_a != b[i].name - base_b || a[i].name_len != b[i].name_len ||
            a[i].value - base_a != b[i].value - base_b || a[i].value_len != b[i].value_len)
            return false;
    return true;
}

static bool same_sig(const head_sig *a, const head_sig *b)
{
    if (a->rc != b->rc)
        return false;
    if (a->rc <= 0)
        return true;
    return memcmp(a->str_off, b->str_off, sizeof a->str_off) == 0 &&
           memcmp(a->str_len, b->str_len, sizeof a->str_len) == 0 && a->major == b->major &&
           a->minor == b->minor && a->status == b->status && a->num_headers == b->num_headers;
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

static bool is_field_byte(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

/* Checks of a successful parse of s (head length rc). */
static void check_head(const char *s, int rc, const ws_http_header *hs, size_t num,
                       size_t max_headers)
{
    size_t len = (size_t)rc;
    FUZZ_CHECK(num <= max_headers);
    FUZZ_CHECK(len >= 4 && memcmp(s + len - 4, "\r\n\r\n", 4) == 0);
    for (size_t i = 0; i < num; i++) {
        const ws_http_header *h = &hs[i];
        FUZZ_CHECK(fuzz_inside(h->name, h->name_len, s, len));
        FUZZ_CHECK(fuzz_inside(h->value, h->value_len, s, len));
        FUZZ_CHECK(ws_http_is_token(h->name, h->name_len));
        FUZZ_CHECK(h->name[h->name_len] == ':');
        if (h->value_len) {
            FUZZ_CHECK(!is_ows(h->value[0]) && !is_ows(h->value[h->value_len - 1]));
            for (size_t k = 0; k < h->value_len; k++)
                FUZZ_CHECK(is_field_byte((unsigned char)h->value[k]));
        }
        /* Only optional whitespace between the value and the line's end. */
        const char *p = h->value + h->value_len;
        while (is_ows(*p))
            p++;
        FUZZ_CHECK(p[0] == '\r' && p[1] == '\n');
    }
    /* Lookup by name: the first field of that name, and the right count. */
    for (size_t i = 0; i < num && i < 4; i++) {
        char name[48];
        if (hs[i].name_len >= sizeof name)
            continue;
        memcpy(name, hs[i].name, hs[i].name_len);
        name[hs[i].name_len] = '\0';
        size_t first = num, count = 0;
        for (size_t j = 0; j < num; j++) {
            if (ws_http_equal_nocase(hs[j].name, hs[j].name_len, name, hs[i].name_len)) {
                if (first == num)
                    first = j;
                count++;
            }
        }
        FUZZ_CHECK(first <= i);
        FUZZ_CHECK(ws_http_find_header(hs, num, name, NULL) == &hs[first]);
        FUZZ_CHECK(ws_http_count_headers(hs, num, name) == count);
    }
}

static bool is_delimiter(char c) { return c == '\r' || c == '\n' || c == ':' || c == ' '; }

/* Is the prefix of length len one where the parser changes state: ending
 * just before or just after a delimiter? */
static bool at_boundary(const char *s, size_t n, size_t len)
{
    return (len > 0 && is_delimiter(s[len - 1])) || (len < n && is_delimiter(s[len]));
}

/*
 * The prefix property and the read bound, over a set of prefix lengths: every
 * one up to 32 bytes, then those at line, colon and space boundaries (thinned
 * out evenly to at most 48), the last few before the final answer settles
 * and a few after, and the whole input. Checking every prefix would cost
 * O(n^2) per run for little more.
 */
static void check_prefixes(head_parser parse, const char *s, size_t n, size_t max_head,
                           size_t max_headers, const head_sig *full,
                           const ws_http_header *full_hs)
{
    size_t readable_max = max_head > INT_MAX ? INT_MAX : max_head;
    size_t boundaries = 0;
    for (size_t len = 33; len <= n; len++)
        boundaries += at_boundary(s, n, len);
    size_t stride = boundaries / 48 + 1, seen = 0, after_settled = 0;
    ws_http_header *hs = max_headers ? malloc(max_headers * sizeof *hs) : NULL;
    fuzz_window window;
    fuzz_window_init(&window, n);
    bool settled = false;

    for (size_t len = 0; len <= n; len++) {
        bool pick = len <= 32 || len + 2 >= n;
        if (!pick && at_boundary(s, n, len))
            pick = seen++ % stride == 0;
        if (full->rc > 0 && len + 2 >= (size_t)full->rc && len <= (size_t)full->rc + 1)
            pick = true;
        if (settled && after_settled >= 3 && len < n)
            pick = false;
        if (!pick)
            continue;
        size_t readable = len < readable_max ? len : readable_max;
        const char *buf = (const char *)fuzz_window_put(&window, (const uint8_t *)s, readable);
        head_sig sig;
        parse(buf, len, max_head, hs, max_headers, &sig);
        if (settled || (full->rc > 0 && len >= (size_t)full->rc)) {
            FUZZ_CHECK(same_sig(&sig, full));
            if (full->rc > 0)
                FUZZ_CHECK(same_headers(hs, buf, full_hs, s, full->num_headers));
            after_settled += settled;
            settled = true;
        } else if (sig.rc == WS_NEED_MORE) {
            FUZZ_CHECK(len < readable_max);
        } else {
            /* An error, and it must be the final one. */
            FUZZ_CHECK(full->rc < 0 && sig.rc == full->rc);
            settled = true;
        }
    }
    FUZZ_CHECK(settled || full->rc == WS_NEED_MORE);
    if (full->rc == WS_E_HTTP_TOO_LARGE)
        FUZZ_CHECK(n >= readable_max);
    if (full->rc > 0)
        FUZZ_CHECK((size_t)full->rc <= n && (size_t)full->rc <= readable_max);
    fuzz_window_free(&window);
    free(hs);
}

/* Bytes write_canonical_headers() needs for hs[0..num). */
static size_t canonical_headers_size(const ws_http_header *hs, size_t num)
{
    size_t size = 2;
    for (size_t i = 0; i < num; i++)
        size += hs[i].name_len + hs[i].value_len + 4;
    return size;
}

/* Appends "name: value" CRLF for each header, then the empty line, at buf + n.
 * Returns the new length. */
static size_t write_canonical_headers(char *buf, size_t n, const ws_http_header *hs, size_t num)
{
    for (size_t i = 0; i < num; i++) {
        memcpy(buf + n, hs[i].name, hs[i].name_len), n += hs[i].name_len;
        buf[n++] = ':';
        buf[n++] = ' ';
        memcpy(buf + n, hs[i].value, hs[i].value_len), n += hs[i].value_len;
        buf[n++] = '\r';
        buf[n++] = '\n';
    }
    buf[n++] = '\r';
    buf[n++] = '\n';
    return n;
}

/* The same names and values, in the same order. */
static void check_same_fields(const ws_http_header *a, const ws_http_header *b, size_t num)
{
    for (size_t i = 0; i < num; i++) {
        FUZZ_CHECK(a[i].name_len == b[i].name_len &&
                   memcmp(a[i].name, b[i].name, a[i].name_len) == 0);
        FUZZ_CHECK(a[i].value_len == b[i].value_len &&
                   (a[i].value_len == 0 || memcmp(a[i].value, b[i].value, a[i].value_len) == 0));
    }
}

/* An input split into control byte and head, and the parser's verdict on
 * the whole head. */
typedef struct http_input {
    const char *s;
    size_t n;
    size_t max_head;
    size_t max_headers;
    ws_http_header *hs; /* max_headers entries (NULL for 0); free() it */
    int rc;
} http_input;

/* Decodes the control byte, parses the rest with `parse` and checks the
 * prefix property. Returns false (nothing to free) for an empty input. */
static bool http_input_parse(const uint8_t *data, size_t size, head_parser parse, http_input *in)
{
    if (size < 1)
        return false;
    in->max_head = head_limits[data[0] >> 4];
    in->max_headers = header_limits[data[0] & 7];
    in->s = (const char *)data + 1;
    in->n = size - 1;
    in->hs = in->max_headers ? malloc(in->max_headers * sizeof *in->hs) : NULL;
    head_sig full;
    in->rc = parse(in->s, in->n, in->max_head, in->hs, in->max_headers, &full);
    FUZZ_CHECK(in->rc > 0 || in->rc == WS_NEED_MORE || in->rc == WS_E_HTTP_SYNTAX ||
               in->rc == WS_E_HTTP_TOO_LARGE || in->rc == WS_E_HTTP_TOO_MANY_HEADERS);
    check_prefixes(parse, in->s, in->n, in->max_head, in->max_headers, &full, in->hs);
    return true;
}

#endif
