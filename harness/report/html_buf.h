/*
 * A growing text buffer for the HTML pages, with the escaping every byte read
 * from a run's files goes through: those bytes come from the target (headers,
 * payloads, close reasons) or from whoever ran it (agent names), so none of
 * them may ever become markup.
 */
#ifndef WSCONFORM_HTML_BUF_H
#define WSCONFORM_HTML_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct html_buf {
    char *data;
    size_t len, cap;
} html_buf;

void hb_free(html_buf *b);

/* Trusted text: our own markup, never data. */
void hb_raw(html_buf *b, const char *s);
void hb_rawn(html_buf *b, const char *s, size_t n);
void hb_printf(html_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Data as element content: & < > " ' become entities; valid UTF-8 stays as
 * it is; control bytes, invalid UTF-8 and bidirectional controls become
 * visible escapes (\x00, \u202e) marked with class "esc". Tabs and line
 * feeds stay (pages show them in <pre>). */
void hb_text(html_buf *b, const char *s);
void hb_bytes(html_buf *b, const uint8_t *p, size_t n);

/* Data as an attribute value (inside double quotes): the same, but the
 * escapes are plain text, and tabs and line feeds are escaped too. */
void hb_attr(html_buf *b, const char *s);

/* Writes the buffer to path. 0, or -1 with err. */
int hb_save(const html_buf *b, const char *path, char *err, size_t errlen);

#endif
