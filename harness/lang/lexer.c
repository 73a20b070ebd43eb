/* Spans, tokens, growing strings and arrays (lexer.h). */
#include "lang/lexer.h"

#include <stdio.h>
#include <stdlib.h>

span trim(span s)
{
    while (s.n && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Index of the first byte of s outside double quotes (where a backslash
 * escapes the next byte) and parentheses that is `stop` (or any blank when
 * stop is ' '); s.n if there is none. */
static size_t find_top(span s, char stop)
{
    size_t depth = 0;
    bool quoted = false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (quoted) {
            if (c == '\\')
                i++;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (depth)
                depth--;
        } else if (depth == 0 && (stop == ' ' ? is_blank(c) : c == stop)) {
            return i;
        }
    }
    return s.n;
}

size_t token_length(span s)
{
    return find_top(s, ' ');
}

bool next_token(span *rest, span *tok)
{
    *rest = trim(*rest);
    if (rest->n == 0) {
        *tok = span_of(rest->p, 0);
        return false;
    }
    size_t n = token_length(*rest);
    *tok = span_of(rest->p, n);
    *rest = span_from(*rest, n);
    return true;
}

span first_word(span text)
{
    span tok;
    next_token(&text, &tok);
    return tok;
}

bool split_top(span s, char sep, span *head, span *tail)
{
    size_t i = find_top(s, sep);
    if (i < s.n) {
        *head = span_of(s.p, i);
        *tail = span_from(s, i + 1);
        return true;
    }
    *head = s;
    *tail = span_of(s.p + s.n, 0);
    return false;
}

const char *show(span s, char *buf, size_t cap)
{
    if (s.n == 0) {
        snprintf(buf, cap, "end of line");
        return buf;
    }
    size_t o = 0;
    buf[o++] = '\'';
    for (size_t i = 0; i < s.n && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (i >= 48) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return buf;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int strbuf_add(strbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s)
            return -1;
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

char *dup_span(span s)
{
    char *p = malloc(s.n + 1);
    if (!p)
        return NULL;
    memcpy(p, s.p, s.n);
    p[s.n] = '\0';
    return p;
}

int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 4;
    while (n < need)
        n *= 2;
    void *p = realloc(*array, n * size);
    if (!p)
        return -1;
    memset((char *)p + *cap * size, 0, (n - *cap) * size);
    *array = p;
    *cap = n;
    return 0;
}
