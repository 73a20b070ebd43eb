/*
 * The case language parser (cases/README.md): text in, case_defs out.
 *
 * The input is read only through explicit lengths (it need not be
 * NUL-terminated and may contain any byte). Every loop is bounded by the
 * input size or by a CASELANG_* limit, and every allocation is checked
 * against a limit before it is made, so hostile input costs bounded time
 * and memory.
 */
#include "lang/caselang.h"
#include "lang/quantity.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/payload.h"
#include "lang/url_vars.h"
#include "wscodec/frame.h"

/* ---- spans: (pointer, length) views into the input ------------------------ */

typedef struct span {
    const char *p;
    size_t n;
} span;

static span span_of(const char *p, size_t n)
{
    span s = {p, n};
    return s;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static span trim(span s)
{
    while (s.n && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

static bool span_is(span s, const char *word)
{
    size_t n = strlen(word);
    return s.n == n && memcmp(s.p, word, n) == 0;
}

static bool span_starts(span s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

static span span_from(span s, size_t offset)
{
    return offset >= s.n ? span_of(s.p + s.n, 0) : span_of(s.p + offset, s.n - offset);
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

/* Scans one token: whitespace separates tokens except inside quotes or parentheses. */
static size_t token_length(span s) { return find_top(s, ' '); }

/* Takes the next token off *rest; false when nothing is left. */
static bool next_token(span *rest, span *tok)
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

/* Splits off the part before the first top-level `sep` (outside quotes and
 * parentheses). Returns false if there is none (then *head is all of s). */
static bool split_top(span s, char sep, span *head, span *tail)
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

/* Quotes a token for a message: 'text', cut and with unprintable bytes as
 * \xHH; an empty span reads "end of line". */
static const char *show(span s, char *buf, size_t cap)
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

#define SHOW_MAX 80
#define SHOW(s) show((s), show_buf, sizeof show_buf)

/* ---- growing strings ------------------------------------------------------- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

static int strbuf_add(strbuf *b, const char *p, size_t n)
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

static char *dup_span(span s)
{
    char *p = malloc(s.n + 1);
    if (!p)
        return NULL;
    memcpy(p, s.p, s.n);
    p[s.n] = '\0';
    return p;
}

/* Grows an array to hold at least `need` elements. */
static int grow(void **array, size_t *cap, size_t need, size_t size)
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

/* ---- the parser state ------------------------------------------------------ */

typedef struct src_line {
    int number;
    span text; /* comment removed, trimmed, never empty */
} src_line;

typedef struct parser {
    const char *file;
    char *dir;                /* directory of the file, for file: payloads */
    bool allow_files;
    caselang_error *err;
    bool failed;
    int row_line;             /* > 0 while a family row is instantiated */
    uint64_t memory_left;     /* payload bytes this parse may still hold */
    uint64_t expansion_left;  /* family text this parse may still instantiate */
    size_t items_left;        /* steps, events, edits */
    const case_list *existing;
    case_def *cases;          /* cases of this text */
    size_t count, cap;
    size_t *slots;            /* id hash table: 0 empty, else index + 1 over existing, then new */
    size_t slot_cap;
} parser;

static int fail(parser *ps, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(parser *ps, int line, const char *fmt, ...)
{
    if (ps->failed)
        return -1;
    ps->failed = true;
    ps->err->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    va_end(ap);
    if (ps->row_line > 0) {
        size_t used = strlen(ps->err->message);
        snprintf(ps->err->message + used, sizeof ps->err->message - used, " (in the row at line %d)",
                 ps->row_line);
    }
    return -1;
}

static int out_of_memory(parser *ps, int line)
{
    return fail(ps, line, "out of memory");
}

static int take_items(parser *ps, int line, size_t n)
{
    if (n > ps->items_left)
        return fail(ps, line, "expected at most %u steps, events and header edits in one file, "
                              "found more", CASELANG_ITEMS_MAX);
    ps->items_left -= n;
    return 0;
}

static int take_memory(parser *ps, int line, uint64_t n)
{
    if (n > ps->memory_left)
        return fail(ps, line, "expected at most %u MiB of payload bytes held in memory per file, "
                              "found more", CASELANG_MEMORY_MAX >> 20);
    ps->memory_left -= n;
    return 0;
}

/* ---- numbers, sizes, durations --------------------------------------------- */

static bool parse_uint(span s, uint64_t max, uint64_t *out)
{
    return quantity_number(s.p, s.n, max, out);
}

static bool parse_size(span s, uint64_t max, uint64_t *out)
{
    return quantity_size(s.p, s.n, max, out);
}

static bool parse_duration(span s, uint32_t *ms)
{
    return quantity_duration(s.p, s.n, CASELANG_DURATION_MAX_MS, ms);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ---- quoted strings -------------------------------------------------------- */

/* Decodes the string literal at the start of s (s.p[0] == '"') into out
 * (capacity >= s.n). Returns bytes consumed including both quotes, or 0 on
 * error (message set). */
static size_t decode_string(parser *ps, int line, span s, uint8_t *out, size_t *out_len)
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
        switch (s.p[i]) {
        case '\\': out[o++] = '\\'; break;
        case '"': out[o++] = '"'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case '0': out[o++] = '\0'; break;
        case 'x': {
            int hi = i + 1 < s.n ? hex_value(s.p[i + 1]) : -1;
            int lo = i + 2 < s.n ? hex_value(s.p[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                fail(ps, line, "expected two hex digits after \\x, found %s",
                     SHOW(span_of(s.p + i - 1, s.n - i + 1 < 4 ? s.n - i + 1 : 4)));
                return 0;
            }
            out[o++] = (uint8_t)(hi << 4 | lo);
            i += 2;
            break;
        }
        default:
            fail(ps, line, "expected an escape (\\\\ \\\" \\n \\r \\t \\0 \\xHH), found %s",
                 SHOW(span_of(s.p + i - 1, 2)));
            return 0;
        }
    }
    fail(ps, line, "expected '\"' to close the string, found end of line");
    return 0;
}

/* A text argument: a single quoted string is unquoted (escapes applied),
 * anything else is taken as written. NUL bytes are refused. */
static int text_argument(parser *ps, int line, span s, const char *what, char **out)
{
    s = trim(s);
    if (s.n == 0)
        return fail(ps, line, "expected %s, found end of line", what);
    if (s.p[0] == '"' && token_length(s) == s.n) {
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
    *out = dup_span(s);
    return *out ? 0 : out_of_memory(ps, line);
}

/* ---- payload expressions --------------------------------------------------- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_blanks(cursor *c)
{
    while (c->p < c->end && is_blank(*c->p))
        c->p++;
}

static span cursor_rest(const cursor *c)
{
    return span_of(c->p, (size_t)(c->end - c->p));
}

static void payload_release(payload *p)
{
    free(p->pattern);
    memset(p, 0, sizeof *p);
}

static int payload_too_big(parser *ps, int line, uint64_t n)
{
    return fail(ps, line, "expected a payload of at most %u MiB, found %llu bytes",
                CASELANG_PAYLOAD_MAX >> 20, (unsigned long long)n);
}

/* The bytes of p in a buffer of their own (counted against memory). */
static int materialise(parser *ps, int line, const payload *p, uint8_t **out)
{
    if (p->length > CASELANG_PAYLOAD_MAX)
        return payload_too_big(ps, line, p->length);
    if (take_memory(ps, line, p->length) != 0)
        return -1;
    *out = malloc(p->length ? (size_t)p->length : 1);
    if (!*out)
        return out_of_memory(ps, line);
    payload_copy(p, 0, *out, (size_t)p->length);
    return 0;
}

static int read_payload_file(parser *ps, int line, span path_span, payload *out)
{
    char show_buf[SHOW_MAX];
    if (!ps->allow_files)
        return fail(ps, line, "expected a payload without file: (files are not allowed here), "
                              "found %s", SHOW(path_span));
    if (path_span.n == 0)
        return fail(ps, line, "expected a path after file:, found end of payload");
    if (memchr(path_span.p, '\0', path_span.n))
        return fail(ps, line, "expected a path without NUL bytes, found %s", SHOW(path_span));
    size_t dir_len = ps->dir && path_span.p[0] != '/' ? strlen(ps->dir) : 0;
    char *path = malloc(dir_len + 1 + path_span.n + 1);
    if (!path)
        return out_of_memory(ps, line);
    size_t o = 0;
    if (dir_len) {
        memcpy(path, ps->dir, dir_len);
        path[dir_len] = '/';
        o = dir_len + 1;
    }
    memcpy(path + o, path_span.p, path_span.n);
    path[o + path_span.n] = '\0';

    int rc = -1;
    uint8_t *buf = NULL;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0) {
        fail(ps, line, "expected a readable file for file:, found %s: %s", path, strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fail(ps, line, "expected a regular file for file:, found %s", path);
        goto done;
    }
    if ((uint64_t)st.st_size > CASELANG_PAYLOAD_MAX) {
        payload_too_big(ps, line, (uint64_t)st.st_size);
        goto done;
    }
    size_t size = (size_t)st.st_size;
    if (take_memory(ps, line, size) != 0)
        goto done;
    buf = malloc(size ? size : 1);
    if (!buf) {
        out_of_memory(ps, line);
        goto done;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fail(ps, line, "expected %zu bytes in %s, found %zu", size, path, got);
            goto done;
        }
        got += (size_t)r;
    }
    if (size) {
        out->pattern = buf;
        out->pattern_length = size;
        out->length = size;
        buf = NULL;
    }
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(path);
    return rc;
}

static int parse_payload_expr(parser *ps, int line, cursor *c, payload *out, unsigned depth);

static bool atom_end(char ch)
{
    return ch == '+' || ch == ',' || ch == ')' || is_blank(ch);
}

static int parse_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    char show_buf[SHOW_MAX];
    memset(out, 0, sizeof *out);
    skip_blanks(c);
    span rest = cursor_rest(c);
    if (rest.n && rest.p[0] == '"') {
        uint8_t *buf = malloc(rest.n ? rest.n : 1);
        if (!buf)
            return out_of_memory(ps, line);
        size_t n = 0, used = decode_string(ps, line, rest, buf, &n);
        if (used == 0 || take_memory(ps, line, n) != 0) {
            free(buf);
            return -1;
        }
        c->p += used;
        if (n == 0) {
            free(buf);
            return 0;
        }
        out->pattern = buf;
        out->pattern_length = n;
        out->length = n;
        return 0;
    }
    if (span_starts(rest, "hex:")) {
        c->p += 4;
        size_t digits = 0;
        const char *start = c->p;
        while (c->p < c->end && (hex_value(*c->p) >= 0 || *c->p == '_')) {
            digits += *c->p != '_';
            c->p++;
        }
        if (digits == 0)
            return fail(ps, line, "expected hex digits after hex:, found %s",
                        SHOW(span_of(c->p, (size_t)(c->end - c->p))));
        if (c->p < c->end && !atom_end(*c->p))
            return fail(ps, line, "expected a hex digit, found %s", SHOW(span_of(c->p, 1)));
        if (digits % 2)
            return fail(ps, line, "expected an even number of hex digits, found %zu in %s", digits,
                        SHOW(span_of(start - 4, (size_t)(c->p - start) + 4)));
        size_t n = digits / 2;
        if (take_memory(ps, line, n) != 0)
            return -1;
        uint8_t *buf = malloc(n);
        if (!buf)
            return out_of_memory(ps, line);
        size_t o = 0;
        int hi = -1;
        for (const char *q = start; q < c->p; q++) {
            if (*q == '_')
                continue;
            if (hi < 0) {
                hi = hex_value(*q);
            } else {
                buf[o++] = (uint8_t)(hi << 4 | hex_value(*q));
                hi = -1;
            }
        }
        out->pattern = buf;
        out->pattern_length = n;
        out->length = n;
        return 0;
    }
    if (span_starts(rest, "repeat(")) {
        if (depth >= CASELANG_NESTING_MAX)
            return fail(ps, line, "expected repeat() nested at most %u deep, found deeper",
                        CASELANG_NESTING_MAX);
        c->p += 7;
        payload inner;
        if (parse_payload_expr(ps, line, c, &inner, depth + 1) != 0)
            return -1;
        skip_blanks(c);
        if (c->p >= c->end || *c->p != ',') {
            payload_release(&inner);
            return fail(ps, line, "expected ',' and a size in repeat(), found %s",
                        SHOW(cursor_rest(c)));
        }
        c->p++;
        skip_blanks(c);
        const char *size_start = c->p;
        while (c->p < c->end && !atom_end(*c->p))
            c->p++;
        span size_text = span_of(size_start, (size_t)(c->p - size_start));
        skip_blanks(c);
        if (c->p >= c->end || *c->p != ')') {
            payload_release(&inner);
            return fail(ps, line, "expected ')' after the size in repeat(), found %s",
                        SHOW(cursor_rest(c)));
        }
        c->p++;
        uint64_t size;
        if (!parse_size(size_text, UINT64_MAX, &size)) {
            payload_release(&inner);
            return fail(ps, line, "expected a size (a number with an optional Ki, Mi, KiB or MiB) "
                                  "in repeat(), found %s", SHOW(size_text));
        }
        if (size > CASELANG_PAYLOAD_MAX) {
            payload_release(&inner);
            return payload_too_big(ps, line, size);
        }
        if (size == 0) {
            payload_release(&inner);
            return 0;
        }
        if (inner.length == 0)
            return fail(ps, line, "expected a non-empty pattern in repeat(), found an empty one");
        if (inner.length % inner.pattern_length == 0) {
            /* The inner bytes are whole copies of its pattern: reuse it. */
            *out = inner;
        } else {
            uint8_t *bytes;
            if (materialise(ps, line, &inner, &bytes) != 0) {
                payload_release(&inner);
                return -1;
            }
            out->pattern = bytes;
            out->pattern_length = (size_t)inner.length;
            payload_release(&inner);
        }
        out->length = size;
        return 0;
    }
    if (span_starts(rest, "file:")) {
        c->p += 5;
        span path;
        if (c->p < c->end && *c->p == '"') {
            span r = cursor_rest(c);
            char *buf = malloc(r.n);
            if (!buf)
                return out_of_memory(ps, line);
            size_t n = 0, used = decode_string(ps, line, r, (uint8_t *)buf, &n);
            if (used == 0) {
                free(buf);
                return -1;
            }
            c->p += used;
            int rc = read_payload_file(ps, line, span_of(buf, n), out);
            free(buf);
            return rc;
        }
        const char *start = c->p;
        while (c->p < c->end && !atom_end(*c->p))
            c->p++;
        path = span_of(start, (size_t)(c->p - start));
        return read_payload_file(ps, line, path, out);
    }
    if (span_starts(rest, "empty") && (rest.n == 5 || atom_end(rest.p[5]))) {
        c->p += 5;
        return 0;
    }
    return fail(ps, line, "expected a payload (\"string\", hex:, repeat(), file: or empty), "
                          "found %s", SHOW(rest));
}

/* ATOM ('+' ATOM)*: stops before a ',' or ')' that is not its own. */
static int parse_payload_expr(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    payload parts[8];
    payload *many = NULL;
    size_t count = 0, cap = 8;
    payload *items = parts;
    uint64_t total = 0;
    int rc = -1;
    memset(out, 0, sizeof *out);
    for (;;) {
        payload atom;
        if (parse_atom(ps, line, c, &atom, depth) != 0)
            goto done;
        total += atom.length;
        if (total > CASELANG_PAYLOAD_MAX) {
            payload_release(&atom);
            payload_too_big(ps, line, total);
            goto done;
        }
        if (atom.length) {
            if (count == cap) {
                payload *bigger = realloc(many, cap * 2 * sizeof *bigger);
                if (!bigger) {
                    payload_release(&atom);
                    out_of_memory(ps, line);
                    goto done;
                }
                if (!many)
                    memcpy(bigger, parts, sizeof parts);
                many = items = bigger;
                cap *= 2;
            }
            items[count++] = atom;
        }
        skip_blanks(c);
        if (c->p < c->end && *c->p == '+') {
            c->p++;
            continue;
        }
        break;
    }
    if (count == 1) {
        *out = items[0];
        count = 0;
    } else if (count > 1) {
        if (take_memory(ps, line, total) != 0)
            goto done;
        uint8_t *buf = malloc((size_t)total);
        if (!buf) {
            out_of_memory(ps, line);
            goto done;
        }
        size_t o = 0;
        for (size_t i = 0; i < count; i++) {
            payload_copy(&items[i], 0, buf + o, (size_t)items[i].length);
            o += (size_t)items[i].length;
        }
        out->pattern = buf;
        out->pattern_length = (size_t)total;
        out->length = total;
    }
    rc = 0;
done:
    for (size_t i = 0; i < count; i++)
        payload_release(&items[i]);
    free(many);
    return rc;
}

/* A whole token as a payload expression. */
static int parse_payload(parser *ps, int line, span tok, payload *out)
{
    char show_buf[SHOW_MAX];
    cursor c = {tok.p, tok.p + tok.n};
    if (parse_payload_expr(ps, line, &c, out, 0) != 0)
        return -1;
    skip_blanks(&c);
    if (c.p < c.end) {
        payload_release(out);
        if (*c.p == ',' || *c.p == ')')
            return fail(ps, line, "expected '+' or the end of the payload, found %s",
                        SHOW(cursor_rest(&c)));
        return fail(ps, line, "expected '+' between payload parts, found %s", SHOW(cursor_rest(&c)));
    }
    return 0;
}

static bool looks_like_payload(span tok)
{
    return tok.n && (tok.p[0] == '"' || span_starts(tok, "hex:") || span_starts(tok, "repeat(") ||
                     span_starts(tok, "file:") || span_is(tok, "empty") || span_starts(tok, "empty+"));
}

/* ---- one case -------------------------------------------------------------- */

typedef struct builder {
    case_def c;
    size_t step_cap, expectation_cap, edit_cap;
    strbuf require, note;
    int title_line, rfc_line, close_line, kill_line, close_after_line, informational_line;
    int tolerate_line[SITUATION_COUNT];
    int method_line, target_line, version_line, raw_line, trickle_line, eager_line;
    size_t loop_index[CASELANG_LOOP_DEPTH_MAX];
    int loop_line[CASELANG_LOOP_DEPTH_MAX];
    size_t depth;
    bool began_frame;
} builder;

static void builder_free(builder *b)
{
    case_def_free(&b->c);
    free(b->require.s);
    free(b->note.s);
    memset(b, 0, sizeof *b);
}

static int once(parser *ps, int line, int *seen, const char *what)
{
    if (*seen)
        return fail(ps, line, "expected one '%s' line per case, found a second (the first is at "
                              "line %d)", what, *seen);
    *seen = line;
    return 0;
}

static int expect_end(parser *ps, int line, span rest, const char *after)
{
    char show_buf[SHOW_MAX];
    span tok;
    if (next_token(&rest, &tok))
        return fail(ps, line, "expected end of line after %s, found %s", after, SHOW(tok));
    return 0;
}

static step *new_step(parser *ps, builder *b, int line, step_kind kind)
{
    if (take_items(ps, line, 1) != 0)
        return NULL;
    if (grow((void **)&b->c.steps, &b->step_cap, b->c.step_count + 1, sizeof(step)) != 0) {
        out_of_memory(ps, line);
        return NULL;
    }
    step *st = &b->c.steps[b->c.step_count++];
    memset(st, 0, sizeof *st);
    st->kind = kind;
    st->line = line;
    st->fin = true;
    return st;
}

/* -- send options -- */

enum {
    OPT_FIN = 1u << 0,
    OPT_RSV = 1u << 1,
    OPT_MASK = 1u << 2,
    OPT_LEN = 1u << 3,
    OPT_FORM = 1u << 4,
    OPT_CHOP = 1u << 5,
    OPT_FRAGMENT = 1u << 6,
    OPT_CODE = 1u << 7,
    OPT_REASON = 1u << 8,
};

static const struct {
    const char *name;
    unsigned bit;
} option_names[] = {
    {"fin", OPT_FIN},   {"rsv", OPT_RSV},           {"mask", OPT_MASK},
    {"len", OPT_LEN},   {"form", OPT_FORM},         {"chop", OPT_CHOP},
    {"fragment", OPT_FRAGMENT}, {"code", OPT_CODE}, {"reason", OPT_REASON},
};

typedef struct options {
    unsigned given;
    bool fin;
    uint8_t rsv;
    int mask;
    uint8_t key[4];
    uint64_t len;
    uint8_t form;
    uint64_t chop, fragment;
    uint16_t code;
    payload reason;
} options;

/* key=value where key is lower-case letters; payloads never look like that. */
static bool is_option(span tok)
{
    size_t i = 0;
    while (i < tok.n && tok.p[i] >= 'a' && tok.p[i] <= 'z')
        i++;
    return i > 0 && i < tok.n && tok.p[i] == '=';
}

static void allowed_list(unsigned allowed, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof option_names / sizeof option_names[0]; i++)
        if (allowed & option_names[i].bit)
            o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s%s=", o ? ", " : "",
                                  option_names[i].name);
}

static int parse_option(parser *ps, int line, span tok, unsigned allowed, const char *directive,
                        options *o)
{
    char show_buf[SHOW_MAX];
    const char *eq = memchr(tok.p, '=', tok.n);
    span key = span_of(tok.p, (size_t)(eq - tok.p)), value = span_from(tok, key.n + 1);
    unsigned bit = 0;
    for (size_t i = 0; i < sizeof option_names / sizeof option_names[0]; i++)
        if (span_is(key, option_names[i].name))
            bit = option_names[i].bit;
    if (!(bit & allowed)) {
        char list[160];
        allowed_list(allowed, list, sizeof list);
        return fail(ps, line, "expected an option of %s (%s), found %s", directive, list, SHOW(tok));
    }
    if (o->given & bit)
        return fail(ps, line, "expected each option once, found a second %s", SHOW(tok));
    o->given |= bit;
    uint64_t v;
    switch (bit) {
    case OPT_FIN:
        if (!parse_uint(value, 1, &v))
            return fail(ps, line, "expected fin=0|1, found %s", SHOW(tok));
        o->fin = v == 1;
        return 0;
    case OPT_RSV:
        if (!parse_uint(value, 7, &v))
            return fail(ps, line, "expected rsv=0..7, found %s", SHOW(tok));
        o->rsv = (uint8_t)v;
        return 0;
    case OPT_MASK:
        if (span_is(value, "random")) {
            o->mask = MASK_RANDOM;
        } else if (span_is(value, "off")) {
            o->mask = MASK_OFF;
        } else {
            bool good = value.n == 8;
            for (size_t i = 0; good && i < 8; i++)
                good = hex_value(value.p[i]) >= 0;
            if (!good)
                return fail(ps, line, "expected mask=random|off|HEX8 (8 hex digits), found %s",
                            SHOW(tok));
            for (size_t i = 0; i < 4; i++)
                o->key[i] = (uint8_t)(hex_value(value.p[2 * i]) << 4 | hex_value(value.p[2 * i + 1]));
            o->mask = MASK_KEY;
        }
        return 0;
    case OPT_LEN:
        if (!parse_size(value, UINT64_MAX, &o->len))
            return fail(ps, line, "expected len=N (0..18446744073709551615), found %s", SHOW(tok));
        return 0;
    case OPT_FORM:
        if (span_is(value, "7"))
            o->form = WS_LENGTH_7;
        else if (span_is(value, "16"))
            o->form = WS_LENGTH_16;
        else if (span_is(value, "64"))
            o->form = WS_LENGTH_64;
        else
            return fail(ps, line, "expected form=7|16|64, found %s", SHOW(tok));
        return 0;
    case OPT_CHOP:
        if (!parse_size(value, UINT64_MAX, &o->chop) || o->chop == 0)
            return fail(ps, line, "expected chop=SIZE greater than 0, found %s", SHOW(tok));
        return 0;
    case OPT_FRAGMENT:
        if (!parse_size(value, UINT64_MAX, &o->fragment) || o->fragment == 0)
            return fail(ps, line, "expected fragment=SIZE greater than 0, found %s", SHOW(tok));
        return 0;
    case OPT_CODE:
        if (!parse_uint(value, 65535, &v))
            return fail(ps, line, "expected code=0..65535, found %s", SHOW(tok));
        o->code = (uint16_t)v;
        return 0;
    case OPT_REASON:
        if (value.n == 0)
            return fail(ps, line, "expected reason=PAYLOAD, found %s", SHOW(tok));
        return parse_payload(ps, line, value, &o->reason);
    }
    return 0;
}

static bool parse_opcode(span tok, uint8_t *op, bool *named_data)
{
    static const struct {
        const char *name;
        uint8_t op;
    } names[] = {{"text", WS_OP_TEXT},   {"binary", WS_OP_BINARY}, {"continuation", WS_OP_CONTINUATION},
                 {"close", WS_OP_CLOSE}, {"ping", WS_OP_PING},     {"pong", WS_OP_PONG}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (span_is(tok, names[i].name)) {
            *op = names[i].op;
            *named_data = names[i].op == WS_OP_TEXT || names[i].op == WS_OP_BINARY;
            return true;
        }
    uint64_t v;
    if (parse_uint(tok, 15, &v)) {
        *op = (uint8_t)v;
        *named_data = v < 8; /* integer data opcodes (0..7) may be fragmented */
        return true;
    }
    return false;
}

static int check_form(parser *ps, int line, uint8_t form, uint64_t length)
{
    if (form == WS_LENGTH_7 && length > 125)
        return fail(ps, line, "expected a length of at most 125 with form=7, found %llu",
                    (unsigned long long)length);
    if (form == WS_LENGTH_16 && length > 65535)
        return fail(ps, line, "expected a length of at most 65535 with form=16, found %llu",
                    (unsigned long long)length);
    return 0;
}

static void apply_frame_options(step *st, const options *o)
{
    st->fin = (o->given & OPT_FIN) ? o->fin : true;
    st->rsv = o->rsv;
    st->mask = o->mask;
    memcpy(st->mask_key, o->key, 4);
    st->declare_length = (o->given & OPT_LEN) != 0;
    st->declared_length = o->len;
    st->length_form = o->form;
    st->chop = o->chop;
}

/* send OPCODE [PAYLOAD] [OPTIONS] */
static int parse_send(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok, opcode_token;
    uint8_t opcode;
    bool data_opcode;
    if (!next_token(&rest, &opcode_token) || !parse_opcode(opcode_token, &opcode, &data_opcode))
        return fail(ps, line, "expected an opcode (text, binary, continuation, close, ping, pong "
                              "or 0..15), found %s", SHOW(opcode_token));
    bool is_close = opcode == WS_OP_CLOSE;
    options o = {0};
    payload data = {0};
    bool have_payload = false;
    int rc = -1;
    unsigned allowed = OPT_FIN | OPT_RSV | OPT_MASK | OPT_LEN | OPT_FORM | OPT_CHOP | OPT_FRAGMENT |
                       (is_close ? OPT_CODE | OPT_REASON : 0);
    while (next_token(&rest, &tok)) {
        if (is_option(tok) && !looks_like_payload(tok)) {
            if (parse_option(ps, line, tok, allowed, "send", &o) != 0)
                goto done;
        } else if (!have_payload) {
            if (parse_payload(ps, line, tok, &data) != 0)
                goto done;
            have_payload = true;
        } else {
            fail(ps, line, "expected options (key=value) after the payload, found %s", SHOW(tok));
            goto done;
        }
    }
    if ((o.given & OPT_REASON) && !(o.given & OPT_CODE)) {
        fail(ps, line, "expected code= with reason=, found reason= alone");
        goto done;
    }
    if ((o.given & OPT_CODE) && have_payload) {
        fail(ps, line, "expected either a payload or code=/reason= on a close, found both");
        goto done;
    }
    if (o.given & OPT_FRAGMENT) {
        if (!data_opcode) {
            fail(ps, line, "expected fragment= only with text, binary or a data opcode 0..7, "
                           "found it with %s", SHOW(opcode_token));
            goto done;
        }
        if (o.given & (OPT_FIN | OPT_LEN)) {
            fail(ps, line, "expected fragment= without fin= or len= (each frame has its own), "
                           "found %s", (o.given & OPT_FIN) ? "fin=" : "len=");
            goto done;
        }
    }
    if (o.given & OPT_CODE) {
        uint64_t n = 2 + o.reason.length;
        if (n > CASELANG_PAYLOAD_MAX) {
            payload_too_big(ps, line, n);
            goto done;
        }
        if (take_memory(ps, line, n) != 0)
            goto done;
        uint8_t *buf = malloc((size_t)n);
        if (!buf) {
            out_of_memory(ps, line);
            goto done;
        }
        buf[0] = (uint8_t)(o.code >> 8);
        buf[1] = (uint8_t)o.code;
        payload_copy(&o.reason, 0, buf + 2, (size_t)o.reason.length);
        data.pattern = buf;
        data.pattern_length = (size_t)n;
        data.length = n;
    }
    uint64_t frame_length = (o.given & OPT_LEN) ? o.len : data.length;
    if ((o.given & OPT_FRAGMENT) && o.fragment < frame_length)
        frame_length = o.fragment;
    if (check_form(ps, line, o.form, frame_length) != 0)
        goto done;
    step *st = new_step(ps, b, line, (o.given & OPT_FRAGMENT) ? STEP_MESSAGE : STEP_FRAME);
    if (!st)
        goto done;
    apply_frame_options(st, &o);
    st->opcode = opcode;
    st->fragment = o.fragment;
    st->data = data;
    memset(&data, 0, sizeof data);
    rc = 0;
done:
    payload_release(&data);
    payload_release(&o.reason);
    return rc;
}

/* send-begin OPCODE len=N [fin=] [rsv=] [mask=] [form=] */
static int parse_send_begin(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok;
    uint8_t opcode;
    bool data_opcode;
    if (!next_token(&rest, &tok) || !parse_opcode(tok, &opcode, &data_opcode))
        return fail(ps, line, "expected an opcode (text, binary, continuation, close, ping, pong "
                              "or 0..15), found %s", SHOW(tok));
    options o = {0};
    while (next_token(&rest, &tok)) {
        if (!is_option(tok))
            return fail(ps, line, "expected options of send-begin (the payload follows in "
                                  "send-data), found %s", SHOW(tok));
        if (parse_option(ps, line, tok, OPT_FIN | OPT_RSV | OPT_MASK | OPT_LEN | OPT_FORM,
                         "send-begin", &o) != 0)
            return -1;
    }
    if (!(o.given & OPT_LEN))
        return fail(ps, line, "expected len=N (the declared payload length), found none");
    if (check_form(ps, line, o.form, o.len) != 0)
        return -1;
    step *st = new_step(ps, b, line, STEP_FRAME_BEGIN);
    if (!st)
        return -1;
    apply_frame_options(st, &o);
    st->opcode = opcode;
    b->began_frame = true;
    return 0;
}

/* send-data PAYLOAD [chop=SIZE] and send-raw PAYLOAD [chop=SIZE] */
static int parse_bytes_step(parser *ps, builder *b, int line, span rest, step_kind kind,
                            const char *directive)
{
    char show_buf[SHOW_MAX];
    if (kind == STEP_FRAME_DATA && !b->began_frame)
        return fail(ps, line, "expected a send-begin before send-data, found none in this case");
    span tok;
    options o = {0};
    payload data = {0};
    bool have_payload = false;
    while (next_token(&rest, &tok)) {
        if (is_option(tok) && !looks_like_payload(tok)) {
            if (parse_option(ps, line, tok, OPT_CHOP, directive, &o) != 0)
                goto error;
        } else if (!have_payload) {
            if (parse_payload(ps, line, tok, &data) != 0)
                goto error;
            have_payload = true;
        } else {
            fail(ps, line, "expected chop= after the payload, found %s", SHOW(tok));
            goto error;
        }
    }
    if (!have_payload) {
        fail(ps, line, "expected a payload after %s, found end of line", directive);
        goto error;
    }
    step *st = new_step(ps, b, line, kind);
    if (!st)
        goto error;
    st->data = data;
    st->chop = o.chop;
    return 0;
error:
    payload_release(&data);
    return -1;
}

/* write whole | write frames | write chop SIZE */
static int parse_write(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok;
    write_mode mode;
    uint64_t chop = 0;
    next_token(&rest, &tok);
    if (span_is(tok, "whole")) {
        mode = WRITE_WHOLE;
    } else if (span_is(tok, "frames")) {
        mode = WRITE_FRAMES;
    } else if (span_is(tok, "chop")) {
        mode = WRITE_CHOP;
        next_token(&rest, &tok);
        if (!parse_size(tok, UINT64_MAX, &chop) || chop == 0)
            return fail(ps, line, "expected a chop size greater than 0, found %s", SHOW(tok));
    } else {
        return fail(ps, line, "expected whole, frames or chop SIZE after write, found %s", SHOW(tok));
    }
    if (expect_end(ps, line, rest, "write") != 0)
        return -1;
    if (b->c.step_count == 0) {
        b->c.initial_mode = mode;
        b->c.initial_chop = chop;
        return 0;
    }
    step *st = new_step(ps, b, line, STEP_WRITE_MODE);
    if (!st)
        return -1;
    st->mode = mode;
    st->mode_chop = chop;
    return 0;
}

static bool is_tag(span tok)
{
    if (tok.n == 0 || tok.n > 64)
        return false;
    for (size_t i = 0; i < tok.n; i++) {
        char c = tok.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

static int duration_argument(parser *ps, int line, span tok, bool positive, uint32_t *ms)
{
    char show_buf[SHOW_MAX];
    if (!parse_duration(tok, ms))
        return fail(ps, line, "expected a duration (whole milliseconds up to 86400s, e.g. 500ms, "
                              "1s, 0.5s), found %s", SHOW(tok));
    if (positive && *ms == 0)
        return fail(ps, line, "expected a duration greater than 0, found %s", SHOW(tok));
    return 0;
}

/* wait DURATION [TAG] and await [DURATION] */
static int parse_wait(parser *ps, builder *b, int line, span rest, bool await)
{
    char show_buf[SHOW_MAX];
    span tok;
    uint32_t ms = 0;
    span tag = {0};
    if (next_token(&rest, &tok)) {
        if (duration_argument(ps, line, tok, await, &ms) != 0)
            return -1;
    } else if (!await) {
        return fail(ps, line, "expected a duration after wait, found end of line");
    }
    if (!await && next_token(&rest, &tag) && !is_tag(tag))
        return fail(ps, line, "expected a tag (letters, digits, '_', '-', '.') after the duration, "
                              "found %s", SHOW(tag));
    if (expect_end(ps, line, rest, await ? "await" : "wait") != 0)
        return -1;
    char *tag_copy = NULL;
    if (tag.n && !(tag_copy = dup_span(tag)))
        return out_of_memory(ps, line);
    step *st = new_step(ps, b, line, await ? STEP_AWAIT : STEP_WAIT);
    if (!st) {
        free(tag_copy);
        return -1;
    }
    st->wait_ms = ms;
    st->tag = tag_copy;
    return 0;
}

static int parse_loop(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok;
    uint64_t count;
    next_token(&rest, &tok);
    if (!parse_uint(tok, CASELANG_COUNT_MAX, &count))
        return fail(ps, line, "expected a loop count 0..%u, found %s", CASELANG_COUNT_MAX, SHOW(tok));
    if (expect_end(ps, line, rest, "the loop count") != 0)
        return -1;
    if (b->depth >= CASELANG_LOOP_DEPTH_MAX)
        return fail(ps, line, "expected loops nested at most %u deep, found deeper",
                    CASELANG_LOOP_DEPTH_MAX);
    step *st = new_step(ps, b, line, STEP_LOOP);
    if (!st)
        return -1;
    st->count = (uint32_t)count;
    b->loop_index[b->depth] = b->c.step_count - 1;
    b->loop_line[b->depth] = line;
    b->depth++;
    return 0;
}

static int parse_end_loop(parser *ps, builder *b, int line, span rest)
{
    if (expect_end(ps, line, rest, "end-loop") != 0)
        return -1;
    if (b->depth == 0)
        return fail(ps, line, "expected a 'loop' before 'end-loop', found none open");
    step *st = new_step(ps, b, line, STEP_LOOP_END);
    if (!st)
        return -1;
    b->depth--;
    b->c.steps[b->loop_index[b->depth]].loop_end = b->c.step_count - 1;
    return 0;
}

/* -- request -- */

/* $names of the URL in a request target or header value (url_vars.h). */
static int check_url_vars(parser *ps, int line, const char *text)
{
    char why[160];
    if (url_vars_check(text, why, sizeof why) != 0)
        return fail(ps, line, "%s", why);
    return 0;
}

static int add_edit(parser *ps, builder *b, int line, header_edit_op op, span name, span value,
                    bool has_value)
{
    if (take_items(ps, line, 1) != 0)
        return -1;
    request_spec *rq = &b->c.request;
    char *n = dup_span(name), *v = NULL;
    if (!n)
        return out_of_memory(ps, line);
    if (has_value && text_argument(ps, line, value.n ? value : span_of("\"\"", 2), "a header value",
                                   &v) != 0) {
        free(n);
        return -1;
    }
    if (grow((void **)&rq->edits, &b->edit_cap, rq->edit_count + 1, sizeof(header_edit)) != 0) {
        free(n);
        free(v);
        return out_of_memory(ps, line);
    }
    header_edit *e = &rq->edits[rq->edit_count++];
    e->op = op;
    e->name = n;
    e->value = v;
    return v ? check_url_vars(ps, line, v) : 0;
}

static bool valid_header_name(span name)
{
    if (name.n == 0)
        return false;
    for (size_t i = 0; i < name.n; i++) {
        unsigned char c = (unsigned char)name.p[i];
        if (c <= 0x20 || c == 0x7f || c == ':' || c == '"')
            return false;
    }
    return true;
}

static int parse_request(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    request_spec *rq = &b->c.request;
    span what;
    next_token(&rest, &what);
    const struct {
        const char *word, *directive;
        char **field;
        int *seen;
    } values[] = {
        {"method", "request method", &rq->method, &b->method_line},
        {"target", "request target", &rq->target, &b->target_line},
        {"version", "request version", &rq->version, &b->version_line},
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        if (!span_is(what, values[i].word))
            continue;
        if (once(ps, line, values[i].seen, values[i].directive) != 0)
            return -1;
        span tok;
        if (!next_token(&rest, &tok))
            return fail(ps, line, "expected a value after %s, found end of line", values[i].directive);
        if (expect_end(ps, line, rest, "the value") != 0)
            return -1;
        if (text_argument(ps, line, tok, "a value", values[i].field) != 0)
            return -1;
        return values[i].field == &rq->target ? check_url_vars(ps, line, rq->target) : 0;
    }
    if (span_is(what, "header")) {
        span op;
        next_token(&rest, &op);
        rest = trim(rest);
        if (span_is(op, "remove")) {
            span name;
            next_token(&rest, &name);
            if (!valid_header_name(name))
                return fail(ps, line, "expected a header name after request header remove, "
                                      "found %s", SHOW(name));
            if (expect_end(ps, line, rest, "the header name") != 0)
                return -1;
            return add_edit(ps, b, line, HEADER_REMOVE, name, span_of(NULL, 0), false);
        }
        if (!span_is(op, "add") && !span_is(op, "set"))
            return fail(ps, line, "expected add, set or remove after request header, found %s",
                        SHOW(op));
        const char *colon = memchr(rest.p, ':', rest.n);
        if (!colon)
            return fail(ps, line, "expected NAME: VALUE after request header %.*s, found %s",
                        (int)op.n, op.p, SHOW(rest));
        span name = trim(span_of(rest.p, (size_t)(colon - rest.p)));
        if (!valid_header_name(name))
            return fail(ps, line, "expected a header name before ':', found %s",
                        name.n ? SHOW(name) : "nothing");
        span value = trim(span_from(rest, (size_t)(colon - rest.p) + 1));
        return add_edit(ps, b, line, span_is(op, "add") ? HEADER_ADD : HEADER_SET, name, value, true);
    }
    if (span_is(what, "raw")) {
        if (once(ps, line, &b->raw_line, "request raw") != 0)
            return -1;
        span tok;
        if (!next_token(&rest, &tok))
            return fail(ps, line, "expected a payload after request raw, found end of line");
        if (expect_end(ps, line, rest, "the payload") != 0)
            return -1;
        if (parse_payload(ps, line, tok, &rq->raw) != 0)
            return -1;
        if (rq->raw.length == 0)
            return fail(ps, line, "expected a non-empty payload after request raw, found an "
                                  "empty one");
        return 0;
    }
    if (span_is(what, "trickle")) {
        if (once(ps, line, &b->trickle_line, "request trickle") != 0)
            return -1;
        span tok;
        next_token(&rest, &tok);
        if (!parse_size(tok, UINT64_MAX, &rq->trickle) || rq->trickle == 0)
            return fail(ps, line, "expected a piece size greater than 0 after request trickle, "
                                  "found %s", SHOW(tok));
        if (next_token(&rest, &tok) && duration_argument(ps, line, tok, false, &rq->trickle_ms) != 0)
            return -1;
        return expect_end(ps, line, rest, "request trickle SIZE DURATION");
    }
    if (span_is(what, "eager")) {
        if (once(ps, line, &b->eager_line, "request eager") != 0)
            return -1;
        rq->eager = true;
        return expect_end(ps, line, rest, "request eager");
    }
    return fail(ps, line, "expected method, target, version, header, raw, trickle or eager after "
                          "request, found %s", SHOW(what));
}

/* -- expectations -- */

static bool parse_verdict(span s, verdict *v)
{
    if (span_is(s, "OK"))
        *v = VERDICT_OK;
    else if (span_is(s, "NON-STRICT"))
        *v = VERDICT_NON_STRICT;
    else if (span_is(s, "INFORMATIONAL"))
        *v = VERDICT_INFORMATIONAL;
    else if (span_is(s, "UNIMPLEMENTED"))
        *v = VERDICT_UNIMPLEMENTED;
    else
        return false;
    return true;
}

static void event_free(expected_event *e)
{
    payload_release(&e->data);
    free(e->tag);
    for (size_t k = 0; k < e->header_count; k++) {
        free(e->headers[k].name);
        free(e->headers[k].value);
    }
    free(e->headers);
    memset(e, 0, sizeof *e);
}

static bool is_repeat_suffix(span tok)
{
    return tok.n >= 2 && tok.p[0] == 'x' && tok.p[1] >= '0' && tok.p[1] <= '9';
}

static int parse_http_status(parser *ps, int line, span tok, expected_event *e)
{
    char show_buf[SHOW_MAX];
    span lo = tok, hi = tok;
    const char *dash = memchr(tok.p, '-', tok.n);
    if (dash) {
        lo = span_of(tok.p, (size_t)(dash - tok.p));
        hi = span_from(tok, lo.n + 1);
    }
    uint64_t a, z;
    if (!parse_uint(lo, 999, &a) || !parse_uint(hi, 999, &z) || a < 100 || z > 599 || a > z)
        return fail(ps, line, "expected an HTTP status or range (100..599, e.g. 400-499), found %s",
                    SHOW(tok));
    e->status_min = (uint16_t)a;
    e->status_max = (uint16_t)z;
    return 0;
}

static int add_header_match(parser *ps, int line, span tok, expected_event *e, size_t *cap)
{
    char show_buf[SHOW_MAX];
    char *text = NULL;
    if (tok.n == 0 || tok.p[0] != '"')
        return fail(ps, line, "expected a quoted \"NAME: VALUE\" or \"NAME\" after header, found %s",
                    SHOW(tok));
    if (text_argument(ps, line, tok, "a header", &text) != 0)
        return -1;
    span all = span_of(text, strlen(text)), name = all, value = {0};
    const char *colon = strchr(text, ':');
    if (colon) {
        name = trim(span_of(text, (size_t)(colon - text)));
        value = trim(span_from(all, (size_t)(colon - text) + 1));
    } else {
        name = trim(all);
    }
    if (!valid_header_name(name)) {
        free(text);
        return fail(ps, line, "expected a header name in %s, found none", SHOW(tok));
    }
    if (grow((void **)&e->headers, cap, e->header_count + 1, sizeof(header_match)) != 0) {
        free(text);
        return out_of_memory(ps, line);
    }
    header_match *h = &e->headers[e->header_count];
    h->name = dup_span(name);
    h->value = colon ? dup_span(value) : NULL;
    free(text);
    if (!h->name || (colon && !h->value)) {
        free(h->name);
        free(h->value);
        return out_of_memory(ps, line);
    }
    e->header_count++;
    return 0;
}

/* One event of an `expect` list. */
static int parse_event(parser *ps, int line, span text, expected_event *e)
{
    char show_buf[SHOW_MAX];
    span rest = text, tok, kind;
    memset(e, 0, sizeof *e);
    e->repeat = 1;
    if (!next_token(&rest, &kind))
        return fail(ps, line, "expected an event (message, ping, pong, timeout, http), found an "
                              "empty item in the list");
    bool payload_ok = false, echo_ok = false;
    if (span_is(kind, "message")) {
        e->kind = EVENT_MESSAGE;
        next_token(&rest, &tok);
        if (span_is(tok, "text"))
            e->opcode = WS_OP_TEXT;
        else if (span_is(tok, "binary"))
            e->opcode = WS_OP_BINARY;
        else
            return fail(ps, line, "expected text or binary after message, found %s", SHOW(tok));
        payload_ok = echo_ok = true;
    } else if (span_is(kind, "ping")) {
        e->kind = EVENT_PING;
        payload_ok = true;
    } else if (span_is(kind, "pong")) {
        e->kind = EVENT_PONG;
        payload_ok = echo_ok = true;
    } else if (span_is(kind, "timeout")) {
        e->kind = EVENT_TIMEOUT;
        next_token(&rest, &tok);
        if (!is_tag(tok))
            return fail(ps, line, "expected a tag after timeout, found %s", SHOW(tok));
        if (!(e->tag = dup_span(tok)))
            return out_of_memory(ps, line);
    } else if (span_is(kind, "http")) {
        e->kind = EVENT_HTTP;
        next_token(&rest, &tok);
        if (parse_http_status(ps, line, tok, e) != 0)
            return -1;
        size_t cap = 0;
        span save = rest;
        while (next_token(&rest, &tok) && span_is(tok, "header")) {
            next_token(&rest, &tok);
            if (take_items(ps, line, 1) != 0 || add_header_match(ps, line, tok, e, &cap) != 0) {
                event_free(e);
                return -1;
            }
            save = rest;
        }
        rest = save;
    } else if (span_is(kind, "nothing")) {
        return fail(ps, line, "expected 'nothing' alone, found it in a list of events");
    } else {
        return fail(ps, line, "expected an event (message, ping, pong, timeout, http), found %s",
                    SHOW(kind));
    }
    span save = rest;
    if (next_token(&rest, &tok) && !is_repeat_suffix(tok)) {
        if (echo_ok && span_is(tok, "echo")) {
            e->match = MATCH_ECHO;
        } else if (payload_ok && looks_like_payload(tok)) {
            if (parse_payload(ps, line, tok, &e->data) != 0) {
                event_free(e);
                return -1;
            }
            e->match = MATCH_BYTES;
        } else {
            event_free(e);
            return fail(ps, line, "expected %s or xN, found %s",
                        echo_ok ? "a payload, echo" : payload_ok ? "a payload" : "','", SHOW(tok));
        }
        save = rest;
    }
    rest = save;
    if (next_token(&rest, &tok)) {
        uint64_t n = 0, most = 0;
        span count = is_repeat_suffix(tok) ? span_from(tok, 1) : span_of(tok.p, 0);
        const char *dash = count.n ? memchr(count.p, '-', count.n) : NULL;
        bool ranged = dash != NULL;
        bool good = ranged
            ? parse_uint(span_of(count.p, (size_t)(dash - count.p)), CASELANG_COUNT_MAX, &n) &&
                  parse_uint(span_from(count, (size_t)(dash - count.p) + 1), CASELANG_COUNT_MAX,
                             &most) &&
                  most >= 1 && n <= most
            : count.n && parse_uint(count, CASELANG_COUNT_MAX, &n) && n > 0;
        if (!good) {
            event_free(e);
            return fail(ps, line, "expected ',' or a repeat count x1..x%u or xMIN-MAX, found %s",
                        CASELANG_COUNT_MAX, SHOW(tok));
        }
        e->repeat = (uint32_t)n;
        e->repeat_max = ranged ? (uint32_t)most : 0;
        if (next_token(&rest, &tok)) {
            event_free(e);
            return fail(ps, line, "expected ',' after the repeat count, found %s", SHOW(tok));
        }
    }
    return 0;
}

/* expect VERDICT: EVENTS */
static int parse_expect(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span head, events;
    if (!split_top(rest, ':', &head, &events))
        return fail(ps, line, "expected VERDICT: EVENTS (e.g. OK: message text echo), found %s",
                    SHOW(trim(rest)));
    verdict v;
    if (!parse_verdict(trim(head), &v))
        return fail(ps, line, "expected a verdict (OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED) "
                              "before ':', found %s", SHOW(trim(head)));
    events = trim(events);
    if (events.n == 0)
        return fail(ps, line, "expected events or 'nothing' after ':', found end of line");
    if (take_items(ps, line, 1) != 0)
        return -1;
    expectation x = {.verdict = v, .line = line};
    if (!span_is(events, "nothing")) {
        size_t cap = 0;
        for (;;) {
            span item, tail;
            bool more = split_top(events, ',', &item, &tail);
            if (take_items(ps, line, 1) != 0 ||
                grow((void **)&x.events, &cap, x.event_count + 1, sizeof(expected_event)) != 0) {
                if (!ps->failed)
                    out_of_memory(ps, line);
                goto error;
            }
            if (parse_event(ps, line, item, &x.events[x.event_count]) != 0)
                goto error;
            x.event_count++;
            if (!more)
                break;
            events = tail;
        }
    }
    if (grow((void **)&b->c.expectations, &b->expectation_cap, b->c.expectation_count + 1,
             sizeof(expectation)) != 0) {
        out_of_memory(ps, line);
        goto error;
    }
    b->c.expectations[b->c.expectation_count++] = x;
    return 0;
error:
    for (size_t i = 0; i < x.event_count; i++)
        event_free(&x.events[i]);
    free(x.events);
    return -1;
}

/* close WHO CODES [clean|any] [fatal-closer] [fatal-code] */
static int parse_close(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    if (once(ps, line, &b->close_line, "close") != 0)
        return -1;
    close_expectation c = {0};
    span tok;
    next_token(&rest, &tok);
    if (span_is(tok, "us"))
        c.by = CLOSER_US;
    else if (span_is(tok, "peer"))
        c.by = CLOSER_PEER;
    else if (span_is(tok, "none"))
        c.by = CLOSER_NONE;
    else
        return fail(ps, line, "expected us, peer or none after close, found %s", SHOW(tok));
    /* Codes may be written with blanks after the commas: gather every token
     * up to the first flag. */
    char codes[256];
    size_t codes_len = 0;
    bool clean = false, any = false, have_codes = false;
    while (next_token(&rest, &tok)) {
        if (span_is(tok, "clean") || span_is(tok, "any") || span_is(tok, "fatal-closer") ||
            span_is(tok, "fatal-code")) {
            bool *flag = span_is(tok, "clean") ? &clean
                         : span_is(tok, "any") ? &any
                         : span_is(tok, "fatal-closer") ? &c.wrong_closer_fatal
                                                         : &c.wrong_code_fatal;
            if (*flag)
                return fail(ps, line, "expected each close flag once, found a second %s", SHOW(tok));
            *flag = true;
            continue;
        }
        if (clean || any || c.wrong_closer_fatal || c.wrong_code_fatal)
            return fail(ps, line, "expected close flags (clean, any, fatal-closer, fatal-code) "
                                  "after the codes, found %s", SHOW(tok));
        if (codes_len + tok.n >= sizeof codes)
            return fail(ps, line, "expected at most %d close codes, found more", CLOSE_CODES_MAX);
        memcpy(codes + codes_len, tok.p, tok.n);
        codes_len += tok.n;
        have_codes = true;
    }
    if (clean && any)
        return fail(ps, line, "expected either clean or any, found both");
    if (!have_codes && c.by != CLOSER_NONE)
        return fail(ps, line, "expected close codes (e.g. 1000, 1002,1007, echo or -) after "
                              "close %s, found none", c.by == CLOSER_US ? "us" : "peer");
    span list = span_of(codes, codes_len);
    if (have_codes && !span_is(list, "-")) {
        for (;;) {
            span item, tail;
            bool more = split_top(list, ',', &item, &tail);
            uint64_t code;
            if (span_is(item, "echo")) {
                if (c.echo_code)
                    return fail(ps, line, "expected echo once in the close codes, found it twice");
                c.echo_code = true;
            } else if (parse_uint(item, 65535, &code)) {
                if (c.code_count == CLOSE_CODES_MAX)
                    return fail(ps, line, "expected at most %d close codes, found more",
                                CLOSE_CODES_MAX);
                c.codes[c.code_count++] = (uint16_t)code;
            } else {
                return fail(ps, line, "expected a close code 0..65535, echo or -, found %s",
                            item.n ? SHOW(item) : "an empty item");
            }
            if (!more)
                break;
            list = tail;
        }
        if (c.by == CLOSER_NONE)
            return fail(ps, line, "expected no close codes with close none, found %s",
                        SHOW(span_of(codes, codes_len)));
    }
    c.clean_required = clean || (c.by == CLOSER_US && !any);
    /* `tolerate` lines may come before the close line. */
    memcpy(c.tolerate, b->c.close.tolerate, sizeof c.tolerate);
    memcpy(c.tolerated_codes, b->c.close.tolerated_codes, sizeof c.tolerated_codes);
    c.tolerated_code_count = b->c.close.tolerated_code_count;
    b->c.close = c;
    return 0;
}

static const char *const situation_words[SITUATION_COUNT] = {
    [SITUATION_KILL] = "kill",
    [SITUATION_CODE] = "code",
    [SITUATION_PEER_CLOSE] = "peer-close",
    [SITUATION_PEER_DROP] = "peer-drop",
};

/* tolerate VERDICT: (kill | code CODES | peer-close | peer-drop) "WHY" */
static int parse_tolerate(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span head, body;
    if (!split_top(rest, ':', &head, &body))
        return fail(ps, line, "expected VERDICT: SITUATION \"WHY\" (e.g. NON-STRICT: kill "
                              "\"...\"), found %s", SHOW(trim(rest)));
    verdict v;
    if (!parse_verdict(trim(head), &v) ||
        (v != VERDICT_NON_STRICT && v != VERDICT_INFORMATIONAL))
        return fail(ps, line, "expected NON-STRICT or INFORMATIONAL before ':' in tolerate, "
                              "found %s", SHOW(trim(head)));
    span word;
    next_token(&body, &word);
    int which = -1;
    for (int i = 0; i < SITUATION_COUNT; i++)
        if (span_is(word, situation_words[i]))
            which = i;
    if (which < 0)
        return fail(ps, line, "expected a situation (kill, code CODES, peer-close, peer-drop) "
                              "after tolerate %s:, found %s", verdict_name(v), SHOW(word));
    if (b->tolerate_line[which])
        return fail(ps, line, "expected one tolerate line per situation, found a second '%s' "
                              "(the first is at line %d)", situation_words[which],
                    b->tolerate_line[which]);
    close_expectation *c = &b->c.close;
    span tok;
    if (which == SITUATION_CODE) {
        /* The codes run up to the quoted reason; blanks may follow the commas. */
        const char *quote = memchr(body.p, '"', body.n);
        size_t before = quote ? (size_t)(quote - body.p) : body.n;
        span list = trim(span_of(body.p, before));
        if (list.n == 0) {
            next_token(&body, &tok);
            return fail(ps, line, "expected close codes 0..65535 after tolerate ... code (e.g. "
                                  "1002 or 1002,1011), found %s", SHOW(tok));
        }
        body = span_from(body, before);
        for (;;) {
            span item, tail;
            bool more = split_top(list, ',', &item, &tail);
            item = trim(item);
            uint64_t code;
            if (!parse_uint(item, 65535, &code))
                return fail(ps, line, "expected close codes 0..65535 after tolerate ... code "
                                      "(e.g. 1002 or 1002,1011), found %s",
                            item.n ? SHOW(item) : "an empty item");
            if (c->tolerated_code_count == CLOSE_CODES_MAX)
                return fail(ps, line, "expected at most %d close codes, found more",
                            CLOSE_CODES_MAX);
            c->tolerated_codes[c->tolerated_code_count++] = (uint16_t)code;
            if (!more)
                break;
            list = tail;
        }
    }
    next_token(&body, &tok);
    if (tok.n == 0 || tok.p[0] != '"')
        return fail(ps, line, "expected a quoted reason (the RFC's grounds) after the situation, "
                              "found %s", SHOW(tok));
    if (expect_end(ps, line, body, "the reason") != 0)
        return -1;
    char *why = NULL;
    if (text_argument(ps, line, tok, "a reason", &why) != 0)
        return -1;
    size_t n = strlen(why);
    close_tolerance *t = &c->tolerate[which];
    if (n == 0 || n >= sizeof t->why) {
        free(why);
        return fail(ps, line, "expected a reason of 1 to %zu bytes, found %zu",
                    sizeof t->why - 1, n);
    }
    memcpy(t->why, why, n + 1);
    free(why);
    t->allowed = true;
    t->verdict = v;
    b->tolerate_line[which] = line;
    return 0;
}

/* A tolerance must fit the close line it relaxes (checked once both are read). */
static int check_tolerances(parser *ps, const builder *b)
{
    const close_expectation *c = &b->c.close;
    for (int i = 0; i < SITUATION_COUNT; i++) {
        int line = b->tolerate_line[i];
        if (!line)
            continue;
        if (b->c.informational)
            return fail(ps, line, "expected no tolerate line in an informational case, found "
                                  "tolerate ... %s", situation_words[i]);
        if (c->by == CLOSER_NONE)
            return fail(ps, line, "expected close us or close peer with tolerate, found close none");
        if (i == SITUATION_KILL && c->by != CLOSER_PEER)
            return fail(ps, line, "expected close peer with tolerate ... kill (the peer is to "
                                  "close), found close us");
        if ((i == SITUATION_PEER_CLOSE || i == SITUATION_PEER_DROP) && c->by != CLOSER_US)
            return fail(ps, line, "expected close us with tolerate ... %s (the suite is to close), "
                                  "found close peer", situation_words[i]);
    }
    return 0;
}

static int append_joined(parser *ps, int line, strbuf *buf, span text, const char *what)
{
    char *s;
    if (text_argument(ps, line, text, what, &s) != 0)
        return -1;
    int rc = 0;
    if ((buf->len && strbuf_add(buf, " ", 1) != 0) || strbuf_add(buf, s, strlen(s)) != 0)
        rc = out_of_memory(ps, line);
    free(s);
    return rc;
}

/* One line of a case body. */
static int parse_directive(parser *ps, builder *b, const src_line *l)
{
    char show_buf[SHOW_MAX];
    int line = l->number;
    span rest = l->text, word;
    next_token(&rest, &word);
    if (span_is(word, "title")) {
        if (once(ps, line, &b->title_line, "title") != 0)
            return -1;
        return text_argument(ps, line, rest, "a title", &b->c.title);
    }
    if (span_is(word, "rfc")) {
        if (once(ps, line, &b->rfc_line, "rfc") != 0)
            return -1;
        return text_argument(ps, line, rest, "an RFC section (e.g. 5.5.2)", &b->c.rfc);
    }
    if (span_is(word, "require"))
        return append_joined(ps, line, &b->require, rest, "the requirement in the RFC's words");
    if (span_is(word, "note"))
        return append_joined(ps, line, &b->note, rest, "a note");
    if (span_is(word, "request"))
        return parse_request(ps, b, line, rest);
    if (span_is(word, "send"))
        return parse_send(ps, b, line, rest);
    if (span_is(word, "send-begin"))
        return parse_send_begin(ps, b, line, rest);
    if (span_is(word, "send-data"))
        return parse_bytes_step(ps, b, line, rest, STEP_FRAME_DATA, "send-data");
    if (span_is(word, "send-raw"))
        return parse_bytes_step(ps, b, line, rest, STEP_RAW, "send-raw");
    if (span_is(word, "write"))
        return parse_write(ps, b, line, rest);
    if (span_is(word, "wait"))
        return parse_wait(ps, b, line, rest, false);
    if (span_is(word, "await"))
        return parse_wait(ps, b, line, rest, true);
    if (span_is(word, "loop"))
        return parse_loop(ps, b, line, rest);
    if (span_is(word, "end-loop"))
        return parse_end_loop(ps, b, line, rest);
    if (span_is(word, "expect"))
        return parse_expect(ps, b, line, rest);
    if (span_is(word, "close"))
        return parse_close(ps, b, line, rest);
    if (span_is(word, "tolerate"))
        return parse_tolerate(ps, b, line, rest);
    if (span_is(word, "kill") || span_is(word, "close-after")) {
        bool kill = span_is(word, "kill");
        if (once(ps, line, kill ? &b->kill_line : &b->close_after_line,
                 kill ? "kill" : "close-after") != 0)
            return -1;
        span tok;
        next_token(&rest, &tok);
        if (duration_argument(ps, line, tok, true, kill ? &b->c.kill_ms : &b->c.close_after_ms) != 0)
            return -1;
        return expect_end(ps, line, rest, "the duration");
    }
    if (span_is(word, "informational")) {
        if (once(ps, line, &b->informational_line, "informational") != 0)
            return -1;
        b->c.informational = true;
        return expect_end(ps, line, rest, "informational");
    }
    if (span_is(word, "rows") || span_is(word, "end"))
        return fail(ps, line, "expected '%.*s' only in a family block, found it in a case",
                    (int)word.n, word.p);
    return fail(ps, line, "expected a directive (title, rfc, require, note, request, send, "
                          "send-begin, send-data, send-raw, write, wait, await, loop, end-loop, "
                          "expect, close, tolerate, kill, close-after, informational), found %s",
                SHOW(word));
}

/* ---- ids ---------------------------------------------------------------- */

static bool valid_id(span id)
{
    if (id.n == 0 || id.n > 100)
        return false;
    for (size_t i = 0; i < id.n; i++) {
        char c = id.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211u;
    return h;
}

static const case_def *case_at(const parser *ps, size_t index)
{
    return index < ps->existing->count ? &ps->existing->cases[index]
                                       : &ps->cases[index - ps->existing->count];
}

/* Finds `id` among the cases seen so far; if absent and index is not
 * SIZE_MAX, records it under that index. */
static const case_def *id_lookup(parser *ps, const char *id, size_t index)
{
    size_t mask = ps->slot_cap - 1;
    for (size_t i = (size_t)hash_id(id) & mask;; i = (i + 1) & mask) {
        if (ps->slots[i] == 0) {
            if (index != SIZE_MAX)
                ps->slots[i] = index + 1;
            return NULL;
        }
        const case_def *c = case_at(ps, ps->slots[i] - 1);
        if (c->id && strcmp(c->id, id) == 0)
            return c;
    }
}

static int id_table_reserve(parser *ps, size_t entries)
{
    if (entries * 2 < ps->slot_cap)
        return 0;
    size_t cap = ps->slot_cap ? ps->slot_cap : 64;
    while (entries * 2 >= cap)
        cap *= 2;
    size_t *old = ps->slots, old_cap = ps->slot_cap;
    ps->slots = calloc(cap, sizeof *ps->slots);
    if (!ps->slots) {
        ps->slots = old;
        return -1;
    }
    ps->slot_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            id_lookup(ps, case_at(ps, old[i] - 1)->id, old[i] - 1);
    free(old);
    return 0;
}

/* ---- blocks ------------------------------------------------------------- */

/* Compiles one case: `id` from its `case` line (or the instantiated family
 * template), `lines` its body. def_line goes into case_def.line; block_line
 * is where missing-directive errors point. */
static int compile_case(parser *ps, span id, int def_line, int block_line, const src_line *lines,
                        size_t n)
{
    char show_buf[SHOW_MAX];
    if (!valid_id(id))
        return fail(ps, block_line, "expected a case id (up to 100 letters, digits, '.', '-', '_'), "
                                    "found %s", SHOW(id));
    if (ps->count >= CASELANG_CASES_MAX)
        return fail(ps, block_line, "expected at most %u cases in one file, found more",
                    CASELANG_CASES_MAX);
    builder b = {0};
    b.c.kill_ms = 2000;
    b.c.close.by = CLOSER_US;
    b.c.close.codes[0] = 1000;
    b.c.close.code_count = 1;
    b.c.close.clean_required = true;
    b.c.line = def_line;
    if (!(b.c.id = dup_span(id)) || !(b.c.file = strdup(ps->file)))
        goto oom;
    for (size_t i = 0; i < n; i++)
        if (parse_directive(ps, &b, &lines[i]) != 0)
            goto error;
    if (b.depth) {
        fail(ps, b.loop_line[b.depth - 1], "expected 'end-loop' for this loop, found the end of "
                                           "case %s", b.c.id);
        goto error;
    }
    if (check_tolerances(ps, &b) != 0)
        goto error;
    if (!b.title_line || !b.rfc_line || !b.require.len) {
        fail(ps, block_line, "expected a '%s' line in case %s (every case needs title, rfc and "
                             "require), found none",
             !b.title_line ? "title" : !b.rfc_line ? "rfc" : "require", b.c.id);
        goto error;
    }
    b.c.requirement = b.require.s;
    b.require.s = NULL;
    if (b.note.len) {
        b.c.note = b.note.s;
        b.note.s = NULL;
    }
    if (b.c.expectation_count == 0) {
        /* The default: the peer sends nothing (and the suite closes). */
        if (take_items(ps, block_line, 1) != 0)
            goto error;
        b.c.expectations = calloc(1, sizeof(expectation));
        if (!b.c.expectations)
            goto oom;
        b.c.expectations[0].verdict = VERDICT_OK;
        b.c.expectations[0].line = block_line;
        b.c.expectation_count = 1;
    }
    size_t index = ps->existing->count + ps->count;
    if (id_table_reserve(ps, index + 1) != 0)
        goto oom;
    const case_def *first = id_lookup(ps, b.c.id, SIZE_MAX);
    if (first) {
        fail(ps, block_line, "expected a unique case id, found %s again (first defined at %s:%d)",
             b.c.id, first->file, first->line);
        goto error;
    }
    if (grow((void **)&ps->cases, &ps->cap, ps->count + 1, sizeof(case_def)) != 0)
        goto oom;
    ps->cases[ps->count++] = b.c;
    id_lookup(ps, b.c.id, index);
    memset(&b.c, 0, sizeof b.c);
    builder_free(&b);
    return 0;
oom:
    out_of_memory(ps, block_line);
error:
    builder_free(&b);
    return -1;
}

static bool is_name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

/* Index of the column a placeholder names, or -1. */
static int column_of(span name, const span *columns, size_t ncolumns)
{
    for (size_t i = 0; i < ncolumns; i++)
        if (columns[i].n == name.n && memcmp(columns[i].p, name.p, name.n) == 0)
            return (int)i;
    return -1;
}

/* Checks that every '{' in text starts a {column} of the rows line. */
static int check_placeholders(parser *ps, int line, span text, const span *columns,
                              size_t ncolumns)
{
    char show_buf[SHOW_MAX];
    for (size_t i = 0; i < text.n; i++) {
        if (text.p[i] != '{')
            continue;
        size_t j = i + 1;
        while (j < text.n && j - i <= 64 && is_name_char(text.p[j], j == i + 1))
            j++;
        span name = span_of(text.p + i + 1, j - i - 1);
        if (j >= text.n || text.p[j] != '}' || name.n == 0 || column_of(name, columns, ncolumns) < 0) {
            char names[256];
            size_t o = 0;
            names[0] = '\0';
            for (size_t k = 0; k < ncolumns && o < sizeof names; k++)
                o += (size_t)snprintf(names + o, sizeof names - o, "%s%.*s", k ? ", " : "",
                                      (int)columns[k].n, columns[k].p);
            return fail(ps, line, "expected {COLUMN} naming a column of the rows line (%s), "
                                  "found %s", names,
                        SHOW(span_of(text.p + i, j < text.n ? j - i + 1 : j - i)));
        }
        i = j;
    }
    return 0;
}

/* Replaces every {column} by the row's value; *out is malloc'd. */
static int substitute(parser *ps, int line, span text, const span *columns, size_t ncolumns,
                      const span *values, span *out)
{
    strbuf b = {0};
    size_t from = 0;
    for (size_t i = 0; i < text.n; i++) {
        if (text.p[i] != '{')
            continue;
        const char *close = memchr(text.p + i, '}', text.n - i);
        span name = span_of(text.p + i + 1, (size_t)(close - text.p) - i - 1);
        int col = column_of(name, columns, ncolumns);
        if (strbuf_add(&b, text.p + from, i - from) != 0 ||
            strbuf_add(&b, values[col].p, values[col].n) != 0)
            goto oom;
        i = (size_t)(close - text.p);
        from = i + 1;
    }
    if (strbuf_add(&b, text.p + from, text.n - from) != 0)
        goto oom;
    if (b.len > ps->expansion_left) {
        free(b.s);
        return fail(ps, line, "expected families to expand to at most %u MiB of text per file, "
                              "found more", CASELANG_EXPANSION_MAX >> 20);
    }
    if (b.len > CASELANG_LINE_MAX) {
        free(b.s);
        return fail(ps, line, "expected a line of at most %u bytes after substitution, found %zu",
                    CASELANG_LINE_MAX, b.len);
    }
    ps->expansion_left -= b.len;
    *out = span_of(b.s, b.len);
    return 0;
oom:
    free(b.s);
    return out_of_memory(ps, line);
}

static span first_word(span text)
{
    span tok;
    next_token(&text, &tok);
    return tok;
}

static bool starts_block(span text)
{
    span w = first_word(text);
    return span_is(w, "case") || span_is(w, "family");
}

/* A family: `family TEMPLATE`, body lines, `rows COLUMNS`, row lines, `end`.
 * lines[0] is the family line. Returns the number of lines used, or -1. */
static long compile_family(parser *ps, const src_line *lines, size_t n)
{
    char show_buf[SHOW_MAX];
    const src_line *head = &lines[0];
    span rest = head->text, tok, template;
    next_token(&rest, &tok); /* "family" */
    if (!next_token(&rest, &template))
        return fail(ps, head->number, "expected an id template after family (e.g. 1.1.{n}), "
                                      "found end of line");
    if (expect_end(ps, head->number, rest, "the id template") != 0)
        return -1;
    size_t rows_at = 1;
    while (rows_at < n && !span_is(first_word(lines[rows_at].text), "rows")) {
        if (starts_block(lines[rows_at].text) || span_is(first_word(lines[rows_at].text), "end"))
            return fail(ps, lines[rows_at].number, "expected 'rows' to end the body of the family "
                                                   "at line %d, found %s",
                        head->number, SHOW(first_word(lines[rows_at].text)));
        rows_at++;
    }
    if (rows_at == n)
        return fail(ps, head->number, "expected a 'rows' line in the family at line %d, found the "
                                      "end of the file", head->number);
    span columns[64];
    size_t ncolumns = 0;
    rest = lines[rows_at].text;
    next_token(&rest, &tok); /* "rows" */
    while (next_token(&rest, &tok)) {
        bool good = tok.n <= 64;
        for (size_t i = 0; good && i < tok.n; i++)
            good = is_name_char(tok.p[i], i == 0);
        if (!good)
            return fail(ps, lines[rows_at].number, "expected a column name (letters, digits, "
                                                   "'_'), found %s", SHOW(tok));
        if (column_of(tok, columns, ncolumns) >= 0)
            return fail(ps, lines[rows_at].number, "expected distinct column names, found %s twice",
                        SHOW(tok));
        if (ncolumns == sizeof columns / sizeof columns[0])
            return fail(ps, lines[rows_at].number, "expected at most %zu columns, found more",
                        sizeof columns / sizeof columns[0]);
        columns[ncolumns++] = tok;
    }
    if (ncolumns == 0)
        return fail(ps, lines[rows_at].number, "expected column names after rows, found end of line");
    size_t end_at = rows_at + 1;
    while (end_at < n && !span_is(first_word(lines[end_at].text), "end")) {
        if (starts_block(lines[end_at].text))
            return fail(ps, lines[end_at].number, "expected 'end' to close the rows of the family "
                                                  "at line %d, found %s",
                        head->number, SHOW(first_word(lines[end_at].text)));
        end_at++;
    }
    if (end_at == n)
        return fail(ps, head->number, "expected 'end' after the rows of the family at line %d, "
                                      "found the end of the file", head->number);
    if (expect_end(ps, lines[end_at].number, span_from(lines[end_at].text, 3), "end") != 0)
        return -1;
    size_t body = rows_at - 1, nrows = end_at - rows_at - 1;
    if (nrows == 0)
        return fail(ps, lines[rows_at].number, "expected at least one row after rows, found none");
    if (nrows > CASELANG_ROWS_MAX)
        return fail(ps, lines[rows_at + 1 + CASELANG_ROWS_MAX].number,
                    "expected at most %u rows in a family, found more", CASELANG_ROWS_MAX);

    if (check_placeholders(ps, head->number, template, columns, ncolumns) != 0)
        return -1;
    for (size_t i = 1; i < rows_at; i++)
        if (check_placeholders(ps, lines[i].number, lines[i].text, columns, ncolumns) != 0)
            return -1;

    src_line *expanded = calloc(body ? body : 1, sizeof *expanded);
    if (!expanded)
        return out_of_memory(ps, head->number);
    int rc = 0;
    for (size_t r = 0; r < nrows && rc == 0; r++) {
        const src_line *row = &lines[rows_at + 1 + r];
        span values[64], vrest = row->text;
        size_t nvalues = 0;
        while (next_token(&vrest, &tok)) {
            if (nvalues == ncolumns) {
                nvalues++;
                break;
            }
            values[nvalues++] = tok;
        }
        if (nvalues != ncolumns) {
            rc = fail(ps, row->number, "expected %zu values in the row (one per column), found %s",
                      ncolumns, nvalues > ncolumns ? "more" : "fewer");
            break;
        }
        ps->row_line = row->number;
        span id = {0};
        size_t done = 0;
        rc = substitute(ps, head->number, template, columns, ncolumns, values, &id);
        while (rc == 0 && done < body) {
            expanded[done].number = lines[1 + done].number;
            rc = substitute(ps, lines[1 + done].number, lines[1 + done].text, columns, ncolumns,
                            values, &expanded[done].text);
            if (rc == 0)
                done++;
        }
        if (rc == 0)
            rc = compile_case(ps, id, row->number, head->number, expanded, body);
        free((char *)id.p);
        for (size_t i = 0; i < done; i++)
            free((char *)expanded[i].text.p);
        ps->row_line = 0;
    }
    free(expanded);
    return rc == 0 ? (long)(end_at + 1) : -1;
}

/* ---- lines -------------------------------------------------------------- */

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

static int split_lines(parser *ps, const char *text, size_t len, src_line **lines, size_t *count)
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

static int parse_blocks(parser *ps, const src_line *lines, size_t n)
{
    char show_buf[SHOW_MAX];
    size_t i = 0;
    while (i < n) {
        span word = first_word(lines[i].text);
        if (span_is(word, "case")) {
            span rest = lines[i].text, tok, id;
            next_token(&rest, &tok);
            if (!next_token(&rest, &id))
                return fail(ps, lines[i].number, "expected a case id after case, found end of line");
            if (expect_end(ps, lines[i].number, rest, "the case id") != 0)
                return -1;
            size_t j = i + 1;
            while (j < n && !starts_block(lines[j].text))
                j++;
            if (compile_case(ps, id, lines[i].number, lines[i].number, lines + i + 1, j - i - 1) != 0)
                return -1;
            i = j;
        } else if (span_is(word, "family")) {
            long used = compile_family(ps, lines + i, n - i);
            if (used < 0)
                return -1;
            i += (size_t)used;
            if (i < n && !starts_block(lines[i].text))
                return fail(ps, lines[i].number, "expected case or family after the family's "
                                                 "end, found %s", SHOW(first_word(lines[i].text)));
        } else {
            return fail(ps, lines[i].number, "expected a block to start with case or family, "
                                             "found %s", SHOW(word));
        }
    }
    return 0;
}

int caselang_parse(const char *text, size_t len, const char *filename, bool allow_files,
                   case_list *out, caselang_error *err)
{
    caselang_error scratch;
    if (!err)
        err = &scratch;
    memset(err, 0, sizeof *err);
    const char *file = filename ? filename : "<input>";
    snprintf(err->file, sizeof err->file, "%s", file);

    parser ps = {
        .file = file,
        .allow_files = allow_files,
        .err = err,
        .memory_left = CASELANG_MEMORY_MAX,
        .expansion_left = CASELANG_EXPANSION_MAX,
        .items_left = CASELANG_ITEMS_MAX,
        .existing = out,
    };
    src_line *lines = NULL;
    size_t nlines = 0;
    int rc = -1;
    if (filename) {
        const char *slash = strrchr(filename, '/');
        if (slash) {
            span dir = span_of(filename, slash == filename ? 1 : (size_t)(slash - filename));
            if (!(ps.dir = dup_span(dir))) {
                out_of_memory(&ps, 0);
                goto done;
            }
        }
    }
    if (id_table_reserve(&ps, out->count + 1) != 0) {
        out_of_memory(&ps, 0);
        goto done;
    }
    for (size_t i = 0; i < out->count; i++)
        if (out->cases[i].id && !id_lookup(&ps, out->cases[i].id, SIZE_MAX))
            id_lookup(&ps, out->cases[i].id, i);
    if (split_lines(&ps, text ? text : "", text ? len : 0, &lines, &nlines) != 0)
        goto done;
    if (parse_blocks(&ps, lines, nlines) != 0)
        goto done;
    if (ps.count) {
        case_def *all = realloc(out->cases, (out->count + ps.count) * sizeof *all);
        if (!all) {
            out_of_memory(&ps, 0);
            goto done;
        }
        memcpy(all + out->count, ps.cases, ps.count * sizeof *all);
        out->cases = all;
        out->count += ps.count;
        ps.count = 0;
    }
    rc = 0;
done:
    for (size_t i = 0; i < ps.count; i++)
        case_def_free(&ps.cases[i]);
    free(ps.cases);
    free(ps.slots);
    free(ps.dir);
    free(lines);
    return rc;
}

char *caselang_format_error(const caselang_error *err, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    if (err->line > 0)
        snprintf(buf, cap, "%s:%d: %s", err->file, err->line, err->message);
    else
        snprintf(buf, cap, "%s: %s", err->file, err->message);
    return buf;
}
