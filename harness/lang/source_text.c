/* Reading the source: lines cleaned of comments, quoted strings decoded
 * (parser.h). */
#include "lang/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The byte a one-character escape stands for, or -1. */
static int simple_escape(char c)
{
    switch (c) {
    case '\\': return '\\';
    case '"': return '"';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case '0': return '\0';
    }
    return -1;
}

size_t decode_string(parser *ps, int line, span s, uint8_t *out, size_t *out_len)
{
    char show_buf[SHOW_MAX];
    size_t o = 0;
    for (size_t i = 1; i < s.n; i++) {
        char c = s.p[i];
        if (c == '"') {
            *out_len = o;
            return i + 1;
        }
        if (c != '\\') {
            out[o++] = (uint8_t)c;
            continue;
        }
        if (++i >= s.n)
            break;
        int simple = simple_escape(s.p[i]);
        if (simple >= 0) {
            out[o++] = (uint8_t)simple;
        } else if (s.p[i] == 'x') {
            int hi = i + 1 < s.n ? hex_value(s.p[i + 1]) : -1;
            int lo = i + 2 < s.n ? hex_value(s.p[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                fail(ps, line, "expected two hex digits after \\x, found %s",
                     SHOW(span_of(s.p + i - 1, s.n - i + 1 < 4 ? s.n - i + 1 : 4)));
                return 0;
            }
            out[o++] = (uint8_t)(hi << 4 | lo);
            i += 2;
        } else {
            fail(ps, line, "expected an escape (\\\\ \\\" \\n \\r \\t \\0 \\xHH), found %s",
                 SHOW(span_of(s.p + i - 1, 2)));
            return 0;
        }
    }
    fail(ps, line, "expected '\"' to close the string, found end of line");
    return 0;
}

int text_argument(parser *ps, int line, span s, const char *what, char **out)
{
    s = trim(s);
    if (s.n == 0)
        return fail(ps, line, "expected %s, found end of line", what);
    if (s.p[0] != '"' || token_length(s) != s.n) {
        *out = dup_span(s);
        return *out ? 0 : out_of_memory(ps, line);
    }
    uint8_t *buf = malloc(s.n + 1);
    if (!buf)
        return out_of_memory(ps, line);
    size_t n = 0, used = decode_string(ps, line, s, buf, &n);
    if (used == 0) {
        free(buf);
        return -1;
    }
    if (used != s.n) {
        free(buf);
        char show_buf[SHOW_MAX];
        return fail(ps, line, "expected end of line after the string, found %s",
                    SHOW(span_from(s, used)));
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        return fail(ps, line, "expected %s without NUL bytes, found \\0", what);
    }
    buf[n] = '\0';
    *out = (char *)buf;
    return 0;
}

/* Removes a comment (a '#' outside quotes) and surrounding blanks, and checks
 * the bytes outside quotes. */
static int clean_line(parser *ps, int number, span raw, span *out)
{
    if (raw.n && raw.p[raw.n - 1] == '\r')
        raw.n--;
    bool quoted = false;
    size_t end = raw.n;
    for (size_t i = 0; i < raw.n; i++) {
        unsigned char c = (unsigned char)raw.p[i];
        if (quoted) {
            if (c == '\\')
                i++;
            else if (c == '"')
                quoted = false;
            continue;
        }
        if (c == '"') {
            quoted = true;
        } else if (c == '#') {
            end = i;
            break;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return fail(ps, number, "expected text (bytes other than controls need quotes), found "
                                    "byte 0x%02x", c);
        }
    }
    if (quoted)
        return fail(ps, number, "expected '\"' to close the string, found end of line");
    *out = trim(span_of(raw.p, end));
    return 0;
}

int split_lines(parser *ps, const char *text, size_t len, src_line **lines, size_t *count)
{
    size_t cap = 0;
    *lines = NULL;
    *count = 0;
    int number = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (number == INT32_MAX)
            return fail(ps, number, "expected fewer lines, found more");
        number++;
        if (n > CASELANG_LINE_MAX)
            return fail(ps, number, "expected a line of at most %u bytes, found %zu",
                        CASELANG_LINE_MAX, n);
        span clean;
        if (clean_line(ps, number, span_of(text + pos, n), &clean) != 0)
            return -1;
        if (clean.n) {
            if (grow((void **)lines, &cap, *count + 1, sizeof **lines) != 0)
                return out_of_memory(ps, number);
            (*lines)[*count].number = number;
            (*lines)[*count].text = clean;
            (*count)++;
        }
        pos += n + (nl ? 1 : 0);
    }
    return 0;
}
