/*
 * Payload expressions: atoms ("string", hex:, repeat(), file:, dataset(), empty) joined
 * with '+'. Each atom is one row of `atoms` and one function. A repeat of a
 * pattern is kept as the pattern and a length, never expanded.
 */
#include "lang/parser.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/dataset.h"
#include "lang/payload.h"

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

static bool atom_end(char ch)
{
    return ch == '+' || ch == ',' || ch == ')' || is_blank(ch);
}

/* Advances c to the end of the atom and returns what it passed. */
static span take_word(cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && !atom_end(*c->p))
        c->p++;
    return span_of(start, (size_t)(c->p - start));
}

int payload_too_big(parser *ps, int line, uint64_t n)
{
    return fail(ps, line, "expected a payload of at most %u MiB, found %llu bytes",
                CASELANG_PAYLOAD_MAX >> 20, (unsigned long long)n);
}

/* Hands buf (n bytes) over to out as a literal; an empty one is no payload. */
static void own_literal(payload *out, uint8_t *buf, size_t n)
{
    if (n == 0) {
        free(buf);
        return;
    }
    out->pattern = buf;
    out->pattern_length = n;
    out->length = n;
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

/* -- atoms -- */

typedef int (*atom_parser)(parser *ps, int line, cursor *c, payload *out, unsigned depth);

static int parse_payload_expr(parser *ps, int line, cursor *c, payload *out, unsigned depth);

/* "string" */
static int parse_string_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    (void)depth;
    span rest = cursor_rest(c);
    uint8_t *buf = malloc(rest.n ? rest.n : 1);
    if (!buf)
        return out_of_memory(ps, line);
    size_t n = 0, used = decode_string(ps, line, rest, buf, &n);
    if (used == 0 || take_memory(ps, line, n) != 0) {
        free(buf);
        return -1;
    }
    c->p += used;
    own_literal(out, buf, n);
    return 0;
}

/* hex:HEXDIGITS, '_' between groups */
static int parse_hex_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    (void)depth;
    char show_buf[SHOW_MAX];
    size_t digits = 0;
    const char *start = c->p;
    while (c->p < c->end && (hex_value(*c->p) >= 0 || *c->p == '_')) {
        digits += *c->p != '_';
        c->p++;
    }
    if (digits == 0)
        return fail(ps, line, "expected hex digits after hex:, found %s", SHOW(cursor_rest(c)));
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
    own_literal(out, buf, n);
    return 0;
}

/* The ", SIZE)" that ends a repeat(). */
static int parse_repeat_size(parser *ps, int line, cursor *c, uint64_t *size)
{
    char show_buf[SHOW_MAX];
    skip_blanks(c);
    if (c->p >= c->end || *c->p != ',')
        return fail(ps, line, "expected ',' and a size in repeat(), found %s", SHOW(cursor_rest(c)));
    c->p++;
    skip_blanks(c);
    span size_text = take_word(c);
    skip_blanks(c);
    if (c->p >= c->end || *c->p != ')')
        return fail(ps, line, "expected ')' after the size in repeat(), found %s",
                    SHOW(cursor_rest(c)));
    c->p++;
    if (!parse_size(size_text, UINT64_MAX, size))
        return fail(ps, line, "expected a size (a number with an optional Ki, Mi, KiB or MiB) "
                              "in repeat(), found %s", SHOW(size_text));
    if (*size > CASELANG_PAYLOAD_MAX)
        return payload_too_big(ps, line, *size);
    return 0;
}

/* repeat(PAYLOAD, SIZE) */
static int parse_repeat_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    if (depth >= CASELANG_NESTING_MAX)
        return fail(ps, line, "expected repeat() nested at most %u deep, found deeper",
                    CASELANG_NESTING_MAX);
    payload inner;
    uint64_t size;
    if (parse_payload_expr(ps, line, c, &inner, depth + 1) != 0)
        return -1;
    int rc = parse_repeat_size(ps, line, c, &size);
    if (rc != 0 || size == 0) {
        payload_free(&inner);
        return rc; /* repeat(..., 0) is no payload */
    }
    if (inner.length == 0)
        return fail(ps, line, "expected a non-empty pattern in repeat(), found an empty one");
    if (inner.length % inner.pattern_length == 0) {
        /* The inner bytes are whole copies of its pattern: reuse it. */
        *out = inner;
    } else {
        uint8_t *bytes;
        if (materialise(ps, line, &inner, &bytes) != 0) {
            payload_free(&inner);
            return -1;
        }
        out->pattern = bytes;
        out->pattern_length = (size_t)inner.length;
        payload_free(&inner);
    }
    out->length = size;
    return 0;
}

/* The path joined to the case file's directory unless absolute; malloc'd. */
static char *payload_path(const parser *ps, span path_span)
{
    size_t dir_len = ps->dir && path_span.p[0] != '/' ? strlen(ps->dir) : 0;
    char *path = malloc(dir_len + 1 + path_span.n + 1);
    if (!path)
        return NULL;
    size_t o = 0;
    if (dir_len) {
        memcpy(path, ps->dir, dir_len);
        path[dir_len] = '/';
        o = dir_len + 1;
    }
    memcpy(path + o, path_span.p, path_span.n);
    path[o + path_span.n] = '\0';
    return path;
}

/* Reads all `size` bytes of fd into a new buffer (*out, counted against memory). */
static int read_whole(parser *ps, int line, int fd, const char *path, size_t size, uint8_t **out)
{
    if (take_memory(ps, line, size) != 0)
        return -1;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return out_of_memory(ps, line);
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            return fail(ps, line, "expected %zu bytes in %s, found %zu", size, path, got);
        }
        got += (size_t)r;
    }
    *out = buf;
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
    char *path = payload_path(ps, path_span);
    if (!path)
        return out_of_memory(ps, line);
    int rc = -1;
    uint8_t *buf = NULL;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0)
        fail(ps, line, "expected a readable file for file:, found %s: %s", path, strerror(errno));
    else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        fail(ps, line, "expected a regular file for file:, found %s", path);
    else if ((uint64_t)st.st_size > CASELANG_PAYLOAD_MAX)
        payload_too_big(ps, line, (uint64_t)st.st_size);
    else if (read_whole(ps, line, fd, path, (size_t)st.st_size, &buf) == 0)
        rc = 0;
    if (rc == 0)
        own_literal(out, buf, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

/* file:PATH or file:"PATH" */
static int parse_file_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    (void)depth;
    if (c->p >= c->end || *c->p != '"')
        return read_payload_file(ps, line, take_word(c), out);
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

/* dataset(NAME): a copy of the set's bytes, since a case owns its payloads. */
static int parse_dataset_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    (void)depth;
    char show_buf[SHOW_MAX];
    skip_blanks(c);
    span name = take_word(c);
    skip_blanks(c);
    if (c->p >= c->end || *c->p != ')')
        return fail(ps, line, "expected ')' after the data set name in dataset(), found %s",
                    SHOW(cursor_rest(c)));
    c->p++;
    if (name.n == 0)
        return fail(ps, line, "expected a data set name (%s) in dataset(), found none",
                    dataset_names());
    const dataset *d = dataset_find(name.p, name.n);
    if (!d && dataset_exists(name.p, name.n))
        return out_of_memory(ps, line);
    if (!d)
        return fail(ps, line, "unknown data set %s (%s)", SHOW(name), dataset_names());
    uint8_t *bytes;
    if (materialise(ps, line, &d->bytes, &bytes) != 0)
        return -1;
    own_literal(out, bytes, (size_t)d->bytes.length);
    return 0;
}

/* empty */
static int parse_empty_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    (void)ps, (void)line, (void)c, (void)out, (void)depth;
    return 0;
}

static const struct atom {
    const char *prefix;  /* what starts the atom; the cursor moves past it */
    bool whole_word;     /* the prefix must end where an atom may end */
    atom_parser parse;
} atoms[] = {
    {"\"", false, parse_string_atom},
    {"hex:", false, parse_hex_atom},
    {"repeat(", false, parse_repeat_atom},
    {"file:", false, parse_file_atom},
    {"dataset(", false, parse_dataset_atom},
    {"empty", true, parse_empty_atom},
};

static int parse_atom(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    memset(out, 0, sizeof *out);
    skip_blanks(c);
    span rest = cursor_rest(c);
    for (size_t i = 0; i < sizeof atoms / sizeof atoms[0]; i++) {
        size_t n = strlen(atoms[i].prefix);
        if (!span_starts(rest, atoms[i].prefix) ||
            (atoms[i].whole_word && rest.n > n && !atom_end(rest.p[n])))
            continue;
        /* A string's opening quote is part of what decode_string reads. */
        if (atoms[i].prefix[0] != '"')
            c->p += n;
        return atoms[i].parse(ps, line, c, out, depth);
    }
    char show_buf[SHOW_MAX];
    return fail(ps, line, "expected a payload (\"string\", hex:, repeat(), file: or empty), "
                          "found %s", SHOW(rest));
}

bool looks_like_payload(span tok)
{
    for (size_t i = 0; i < sizeof atoms / sizeof atoms[0]; i++) {
        size_t n = strlen(atoms[i].prefix);
        if (span_starts(tok, atoms[i].prefix) &&
            (!atoms[i].whole_word || tok.n == n || tok.p[n] == '+'))
            return true;
    }
    return false;
}

/* -- concatenation -- */

/* The non-empty atoms of one expression, in a small array that grows. */
typedef struct atom_list {
    payload first[8];
    payload *items;      /* first, or a heap copy once more are needed */
    size_t count, cap;
    uint64_t total;
} atom_list;

static int atom_list_add(parser *ps, int line, atom_list *l, payload *atom)
{
    if (l->count == l->cap) {
        payload *bigger = realloc(l->items == l->first ? NULL : l->items,
                                  l->cap * 2 * sizeof *bigger);
        if (!bigger)
            return out_of_memory(ps, line);
        if (l->items == l->first)
            memcpy(bigger, l->first, sizeof l->first);
        l->items = bigger;
        l->cap *= 2;
    }
    l->items[l->count++] = *atom;
    return 0;
}

/* The atoms joined into one literal (or the only one as it is). */
static int join_atoms(parser *ps, int line, atom_list *l, payload *out)
{
    if (l->count == 1) {
        *out = l->items[0];
        l->count = 0;
        return 0;
    }
    if (l->count == 0)
        return 0;
    if (take_memory(ps, line, l->total) != 0)
        return -1;
    uint8_t *buf = malloc((size_t)l->total);
    if (!buf)
        return out_of_memory(ps, line);
    size_t o = 0;
    for (size_t i = 0; i < l->count; i++) {
        payload_copy(&l->items[i], 0, buf + o, (size_t)l->items[i].length);
        o += (size_t)l->items[i].length;
    }
    out->pattern = buf;
    out->pattern_length = (size_t)l->total;
    out->length = l->total;
    return 0;
}

/* ATOM ('+' ATOM)*: stops before a ',' or ')' that is not its own. */
static int parse_payload_expr(parser *ps, int line, cursor *c, payload *out, unsigned depth)
{
    atom_list l = {.count = 0, .cap = 8};
    l.items = l.first;
    int rc = -1;
    memset(out, 0, sizeof *out);
    for (;;) {
        payload atom;
        if (parse_atom(ps, line, c, &atom, depth) != 0)
            goto done;
        l.total += atom.length;
        if (l.total > CASELANG_PAYLOAD_MAX) {
            payload_free(&atom);
            payload_too_big(ps, line, l.total);
            goto done;
        }
        if (atom.length && atom_list_add(ps, line, &l, &atom) != 0) {
            payload_free(&atom);
            goto done;
        }
        skip_blanks(c);
        if (c->p >= c->end || *c->p != '+')
            break;
        c->p++;
    }
    rc = join_atoms(ps, line, &l, out);
done:
    for (size_t i = 0; i < l.count; i++)
        payload_free(&l.items[i]);
    if (l.items != l.first)
        free(l.items);
    return rc;
}

int parse_payload(parser *ps, int line, span tok, payload *out)
{
    char show_buf[SHOW_MAX];
    cursor c = {tok.p, tok.p + tok.n};
    if (parse_payload_expr(ps, line, &c, out, 0) != 0)
        return -1;
    skip_blanks(&c);
    if (c.p < c.end) {
        payload_free(out);
        if (*c.p == ',' || *c.p == ')')
            return fail(ps, line, "expected '+' or the end of the payload, found %s",
                        SHOW(cursor_rest(&c)));
        return fail(ps, line, "expected '+' between payload parts, found %s", SHOW(cursor_rest(&c)));
    }
    return 0;
}
