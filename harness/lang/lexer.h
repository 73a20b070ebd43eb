/*
 * Reading case text: spans (pointer and length views into the input, which
 * is never NUL-terminated), tokens, growing strings and arrays. Shared by the
 * parser files only.
 */
#ifndef WSCONFORM_LEXER_H
#define WSCONFORM_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct span {
    const char *p;
    size_t n;
} span;

static inline span span_of(const char *p, size_t n)
{
    span s = {p, n};
    return s;
}

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* s is exactly word; stops at the first difference (words come from tables). */
static inline bool span_is(span s, const char *word)
{
    for (size_t i = 0; i < s.n; i++)
        if (word[i] == '\0' || word[i] != s.p[i])
            return false;
    return word[s.n] == '\0';
}

static inline bool span_starts(span s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

static inline span span_from(span s, size_t offset)
{
    return offset >= s.n ? span_of(s.p + s.n, 0) : span_of(s.p + offset, s.n - offset);
}

span trim(span s);

/* Length of the token at the start of s: whitespace separates tokens except
 * inside quotes or parentheses. */
size_t token_length(span s);

/* Takes the next token off *rest; false when nothing is left. */
bool next_token(span *rest, span *tok);

/* The first token of text (empty if none). */
span first_word(span text);

/* Splits off the part before the first top-level `sep` (outside quotes and
 * parentheses). Returns false if there is none (then *head is all of s). */
bool split_top(span s, char sep, span *head, span *tail);

/* Quotes a token for a message: 'text', cut and with unprintable bytes as
 * \xHH; an empty span reads "end of line". */
const char *show(span s, char *buf, size_t cap);

#define SHOW_MAX 80
#define SHOW(s) show((s), show_buf, sizeof show_buf)

int hex_value(char c);

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

int strbuf_add(strbuf *b, const char *p, size_t n);

char *dup_span(span s);

/* Grows an array to hold at least `need` elements; new ones are zeroed. */
int grow(void **array, size_t *cap, size_t need, size_t size);

#endif
