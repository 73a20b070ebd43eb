/*
 * Families: `family TEMPLATE`, body lines, `rows COLUMNS`, row lines, `end`.
 * Each row instantiates the template and the body by replacing every
 * {column} with the row's value, and the result is compiled as a case.
 */
#include "lang/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS_MAX 64

/* Where the parts of one family block are; lines[0] is the family line. */
typedef struct family {
    const src_line *lines;
    span template;
    size_t rows_at, end_at;   /* indexes of the `rows` and `end` lines */
    span columns[COLUMNS_MAX];
    size_t ncolumns;
} family;

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

bool starts_block(span text)
{
    span w = first_word(text);
    return span_is(w, "case") || span_is(w, "family");
}

/* Checks that every '{' in text starts a {column} of the rows line. */
static int check_placeholders(parser *ps, int line, span text, const family *f)
{
    char show_buf[SHOW_MAX];
    for (size_t i = 0; i < text.n; i++) {
        if (text.p[i] != '{')
            continue;
        size_t j = i + 1;
        while (j < text.n && j - i <= 64 && is_name_char(text.p[j], j == i + 1))
            j++;
        span name = span_of(text.p + i + 1, j - i - 1);
        if (j >= text.n || text.p[j] != '}' || name.n == 0 ||
            column_of(name, f->columns, f->ncolumns) < 0) {
            char names[256];
            size_t o = 0;
            names[0] = '\0';
            for (size_t k = 0; k < f->ncolumns && o < sizeof names; k++)
                o += (size_t)snprintf(names + o, sizeof names - o, "%s%.*s", k ? ", " : "",
                                      (int)f->columns[k].n, f->columns[k].p);
            return fail(ps, line, "expected {COLUMN} naming a column of the rows line (%s), "
                                  "found %s", names,
                        SHOW(span_of(text.p + i, j < text.n ? j - i + 1 : j - i)));
        }
        i = j;
    }
    return 0;
}

/* Replaces every {column} by the row's value; *out is malloc'd. */
static int substitute(parser *ps, int line, span text, const family *f, const span *values,
                      span *out)
{
    strbuf b = {0};
    size_t from = 0;
    for (size_t i = 0; i < text.n; i++) {
        if (text.p[i] != '{')
            continue;
        const char *close = memchr(text.p + i, '}', text.n - i);
        span name = span_of(text.p + i + 1, (size_t)(close - text.p) - i - 1);
        int col = column_of(name, f->columns, f->ncolumns);
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

/* `family TEMPLATE` and the body up to the `rows` line. */
static int find_rows(parser *ps, size_t n, family *f)
{
    char show_buf[SHOW_MAX];
    const src_line *lines = f->lines, *head = &lines[0];
    span rest = head->text, tok;
    next_token(&rest, &tok); /* "family" */
    if (!next_token(&rest, &f->template))
        return fail(ps, head->number, "expected an id template after family (e.g. 1.1.{n}), "
                                      "found end of line");
    if (expect_end(ps, head->number, rest, "the id template") != 0)
        return -1;
    size_t at = 1;
    while (at < n && !span_is(first_word(lines[at].text), "rows")) {
        if (starts_block(lines[at].text) || span_is(first_word(lines[at].text), "end"))
            return fail(ps, lines[at].number, "expected 'rows' to end the body of the family at "
                                              "line %d, found %s",
                        head->number, SHOW(first_word(lines[at].text)));
        at++;
    }
    if (at == n)
        return fail(ps, head->number, "expected a 'rows' line in the family at line %d, found the "
                                      "end of the file", head->number);
    f->rows_at = at;
    return 0;
}

/* rows NAME... */
static int parse_columns(parser *ps, family *f)
{
    char show_buf[SHOW_MAX];
    const src_line *rows = &f->lines[f->rows_at];
    span rest = rows->text, tok;
    next_token(&rest, &tok); /* "rows" */
    while (next_token(&rest, &tok)) {
        bool good = tok.n <= 64;
        for (size_t i = 0; good && i < tok.n; i++)
            good = is_name_char(tok.p[i], i == 0);
        if (!good)
            return fail(ps, rows->number, "expected a column name (letters, digits, '_'), found %s",
                        SHOW(tok));
        if (column_of(tok, f->columns, f->ncolumns) >= 0)
            return fail(ps, rows->number, "expected distinct column names, found %s twice",
                        SHOW(tok));
        if (f->ncolumns == COLUMNS_MAX)
            return fail(ps, rows->number, "expected at most %zu columns, found more",
                        (size_t)COLUMNS_MAX);
        f->columns[f->ncolumns++] = tok;
    }
    if (f->ncolumns == 0)
        return fail(ps, rows->number, "expected column names after rows, found end of line");
    return 0;
}

/* The row lines up to `end`. */
static int find_end(parser *ps, size_t n, family *f)
{
    char show_buf[SHOW_MAX];
    const src_line *lines = f->lines;
    int head = lines[0].number;
    size_t at = f->rows_at + 1;
    while (at < n && !span_is(first_word(lines[at].text), "end")) {
        if (starts_block(lines[at].text))
            return fail(ps, lines[at].number, "expected 'end' to close the rows of the family at "
                                              "line %d, found %s",
                        head, SHOW(first_word(lines[at].text)));
        at++;
    }
    if (at == n)
        return fail(ps, head, "expected 'end' after the rows of the family at line %d, found the "
                              "end of the file", head);
    if (expect_end(ps, lines[at].number, span_from(lines[at].text, 3), "end") != 0)
        return -1;
    size_t nrows = at - f->rows_at - 1;
    if (nrows == 0)
        return fail(ps, lines[f->rows_at].number, "expected at least one row after rows, found none");
    if (nrows > CASELANG_ROWS_MAX)
        return fail(ps, lines[f->rows_at + 1 + CASELANG_ROWS_MAX].number,
                    "expected at most %u rows in a family, found more", CASELANG_ROWS_MAX);
    f->end_at = at;
    return 0;
}

/* One row: its values substituted into the template and body (into
 * `expanded`, a buffer of rows_at - 1 lines), compiled as a case. */
static int instantiate_row(parser *ps, const family *f, const src_line *row, src_line *expanded)
{
    const src_line *lines = f->lines;
    size_t body = f->rows_at - 1;
    span values[COLUMNS_MAX], vrest = row->text, tok;
    size_t nvalues = 0;
    while (next_token(&vrest, &tok)) {
        if (nvalues == f->ncolumns) {
            nvalues++;
            break;
        }
        values[nvalues++] = tok;
    }
    if (nvalues != f->ncolumns)
        return fail(ps, row->number, "expected %zu values in the row (one per column), found %s",
                    f->ncolumns, nvalues > f->ncolumns ? "more" : "fewer");
    ps->row_line = row->number;
    span id = {0};
    size_t done = 0;
    int rc = substitute(ps, lines[0].number, f->template, f, values, &id);
    while (rc == 0 && done < body) {
        expanded[done].number = lines[1 + done].number;
        rc = substitute(ps, lines[1 + done].number, lines[1 + done].text, f, values,
                        &expanded[done].text);
        if (rc == 0)
            done++;
    }
    if (rc == 0)
        rc = compile_case(ps, id, row->number, lines[0].number, expanded, body);
    free((char *)id.p);
    for (size_t i = 0; i < done; i++)
        free((char *)expanded[i].text.p);
    ps->row_line = 0;
    return rc;
}

long compile_family(parser *ps, const src_line *lines, size_t n)
{
    family f = {.lines = lines};
    if (find_rows(ps, n, &f) != 0 || parse_columns(ps, &f) != 0 || find_end(ps, n, &f) != 0)
        return -1;
    if (check_placeholders(ps, lines[0].number, f.template, &f) != 0)
        return -1;
    for (size_t i = 1; i < f.rows_at; i++)
        if (check_placeholders(ps, lines[i].number, lines[i].text, &f) != 0)
            return -1;
    size_t body = f.rows_at - 1;
    src_line *expanded = calloc(body ? body : 1, sizeof *expanded);
    if (!expanded)
        return out_of_memory(ps, lines[0].number);
    int rc = 0;
    for (size_t r = f.rows_at + 1; r < f.end_at && rc == 0; r++)
        rc = instantiate_row(ps, &f, &lines[r], expanded);
    free(expanded);
    return rc == 0 ? (long)(f.end_at + 1) : -1;
}
