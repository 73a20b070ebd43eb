/* The HTML text buffer and its escaping (html_buf.h). */
#include "report/html_buf.h"
#include "wscodec/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hb_free(html_buf *b)
{
    free(b->data);
    *b = (html_buf){0};
}

static void reserve(html_buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
        abort();
    b->data = d;
    b->cap = cap;
}

void hb_rawn(html_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hb_raw(html_buf *b, const char *s)
{
    hb_rawn(b, s, strlen(s));
}

void hb_printf(html_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Code points shown as escapes: C0 and C1 controls, DEL, and the
 * bidirectional controls that could make a reason read as something else. */
static bool shown_escaped(uint32_t cp, bool keep_layout)
{
    if (cp == '\t' || cp == '\n')
        return !keep_layout;
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061c;
}

static void close_span(html_buf *b, bool *in_span)
{
    if (*in_span)
        hb_raw(b, "</span>");
    *in_span = false;
}

static void escaped(html_buf *b, const uint8_t *p, size_t n, bool markup)
{
    reserve(b, n + n / 8 + 16);
    size_t i = 0;
    bool in_span = false; /* a run of escapes shares one span */
    while (i < n) {
        uint8_t c = p[i];
        const char *entity = NULL;
        switch (c) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        default: break;
        }
        if (entity) {
            close_span(b, &in_span);
            hb_raw(b, entity);
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = ws_utf8_decode(p + i, n - i, &cp);
        char esc[16];
        if (len == 0)
            snprintf(esc, sizeof esc, "\\x%02x", c);
        else if (shown_escaped(cp, markup))
            snprintf(esc, sizeof esc, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
        else {
            close_span(b, &in_span);
            hb_rawn(b, (const char *)p + i, len);
            i += len;
            continue;
        }
        if (markup && !in_span) {
            hb_raw(b, "<span class=\"esc\">");
            in_span = true;
        }
        hb_raw(b, esc);
        i += len ? len : 1;
    }
    close_span(b, &in_span);
}

void hb_bytes(html_buf *b, const uint8_t *p, size_t n)
{
    escaped(b, p, n, true);
}

void hb_text(html_buf *b, const char *s)
{
    escaped(b, (const uint8_t *)s, strlen(s), true);
}

void hb_attr(html_buf *b, const char *s)
{
    escaped(b, (const uint8_t *)s, strlen(s), false);
}

int hb_save(const html_buf *b, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    size_t n = b->len ? fwrite(b->data, 1, b->len, f) : 0;
    int failed = n != b->len || ferror(f);
    if (fclose(f) != 0)
        failed = 1;
    if (failed) {
        snprintf(err, errlen, "%s: write error", path);
        return -1;
    }
    return 0;
}
