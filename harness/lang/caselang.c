/*
 * The case language parser (cases/README.md): text in, case_defs out. This
 * file holds the entry point and the blocks (`case` and its body); the
 * directives, payloads, families and ids live in the files parser.h lists.
 *
 * The input is read only through explicit lengths (it need not be
 * NUL-terminated and may contain any byte). Every loop is bounded by the
 * input size or by a CASELANG_* limit, and every allocation is checked
 * against a limit before it is made, so hostile input costs bounded time
 * and memory.
 */
#include "lang/caselang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parser.h"

static void builder_free(builder *b)
{
    case_def_free(&b->c);
    free(b->require.s);
    free(b->note.s);
    free(b->body.s);
    memset(b, 0, sizeof *b);
}

/* A case's state before its first directive: the defaults. */
static int builder_start(parser *ps, builder *b, span id, int def_line)
{
    memset(b, 0, sizeof *b);
    b->c.kill_ms = 2000;
    b->c.close.by = CLOSER_US;
    b->c.close.codes[0] = 1000;
    b->c.close.code_count = 1;
    b->c.close.clean_required = true;
    b->c.line = def_line;
    if (!(b->c.id = dup_span(id)) || !(b->c.file = strdup(ps->file)))
        return -1;
    return 0;
}

/* What must hold once the whole body is read; fills in the defaults. */
static int builder_finish(parser *ps, builder *b, int block_line)
{
    if (b->depth)
        return fail(ps, b->loop_line[b->depth - 1], "expected 'end-loop' for this loop, found "
                                                    "the end of case %s", b->c.id);
    if (check_tolerances(ps, b) != 0)
        return -1;
    if (!b->c.title || !b->c.rfc || !b->require.len)
        return fail(ps, block_line, "expected a '%s' line in case %s (every case needs title, rfc "
                                    "and require), found none",
                    !b->c.title ? "title" : !b->c.rfc ? "rfc" : "require", b->c.id);
    b->c.requirement = b->require.s;
    b->require.s = NULL;
    b->c.body = b->body.s;
    b->body.s = NULL;
    if (b->note.len) {
        b->c.note = b->note.s;
        b->note.s = NULL;
    }
    if (b->c.expectation_count)
        return 0;
    /* The default: the peer sends nothing (and the suite closes). */
    if (take_items(ps, block_line, 1) != 0)
        return -1;
    b->c.expectations = calloc(1, sizeof(expectation));
    if (!b->c.expectations)
        return out_of_memory(ps, block_line);
    b->c.expectations[0].verdict = VERDICT_OK;
    b->c.expectations[0].line = block_line;
    b->c.expectation_count = 1;
    return 0;
}

/* Adds the finished case to this parse's cases unless its id is taken. */
static int add_case(parser *ps, builder *b, int block_line)
{
    size_t index = ps->existing->count + ps->count;
    if (id_table_reserve(ps, index + 1) != 0)
        return out_of_memory(ps, block_line);
    const case_def *first = id_lookup(ps, b->c.id, SIZE_MAX);
    if (first)
        return fail(ps, block_line, "expected a unique case id, found %s again (first defined at "
                                    "%s:%d)", b->c.id, first->file, first->line);
    if (grow((void **)&ps->cases, &ps->cap, ps->count + 1, sizeof(case_def)) != 0)
        return out_of_memory(ps, block_line);
    ps->cases[ps->count++] = b->c;
    id_lookup(ps, b->c.id, index);
    memset(&b->c, 0, sizeof b->c);
    return 0;
}

int compile_case(parser *ps, span id, int def_line, int block_line, const src_line *lines,
                 size_t n)
{
    char show_buf[SHOW_MAX];
    if (!valid_id(id))
        return fail(ps, block_line, "expected a case id (up to 100 letters, digits, '.', '-', '_'), "
                                    "found %s", SHOW(id));
    if (ps->count >= CASELANG_CASES_MAX)
        return fail(ps, block_line, "expected at most %u cases in one file, found more",
                    CASELANG_CASES_MAX);
    builder b;
    int rc = builder_start(ps, &b, id, def_line) != 0 ? out_of_memory(ps, block_line) : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = parse_directive(ps, &b, &lines[i]);
    if (rc == 0)
        rc = builder_finish(ps, &b, block_line);
    if (rc == 0)
        rc = add_case(ps, &b, block_line);
    builder_free(&b);
    return rc;
}

/* `case ID` and the lines up to the next block. Returns the lines used, or -1. */
static long case_block(parser *ps, const src_line *lines, size_t n)
{
    span rest = lines[0].text, tok, id;
    next_token(&rest, &tok); /* "case" */
    if (!next_token(&rest, &id))
        return fail(ps, lines[0].number, "expected a case id after case, found end of line");
    if (expect_end(ps, lines[0].number, rest, "the case id") != 0)
        return -1;
    size_t end = 1;
    while (end < n && !starts_block(lines[end].text))
        end++;
    if (compile_case(ps, id, lines[0].number, lines[0].number, lines + 1, end - 1) != 0)
        return -1;
    return (long)end;
}

static int parse_blocks(parser *ps, const src_line *lines, size_t n)
{
    char show_buf[SHOW_MAX];
    size_t i = 0;
    while (i < n) {
        span word = first_word(lines[i].text);
        bool family = span_is(word, "family");
        if (!family && !span_is(word, "case"))
            return fail(ps, lines[i].number, "expected a block to start with case or family, "
                                             "found %s", SHOW(word));
        long used = family ? compile_family(ps, lines + i, n - i) : case_block(ps, lines + i, n - i);
        if (used < 0)
            return -1;
        i += (size_t)used;
        if (family && i < n && !starts_block(lines[i].text))
            return fail(ps, lines[i].number, "expected case or family after the family's end, "
                                             "found %s", SHOW(first_word(lines[i].text)));
    }
    return 0;
}

/* The directory of filename, for file: payloads (NULL if it has none). */
static int set_directory(parser *ps, const char *filename)
{
    const char *slash = filename ? strrchr(filename, '/') : NULL;
    if (!slash)
        return 0;
    span dir = span_of(filename, slash == filename ? 1 : (size_t)(slash - filename));
    return (ps->dir = dup_span(dir)) ? 0 : -1;
}

/* Records the ids of the cases already in `out`. */
static int index_existing(parser *ps, const case_list *out)
{
    if (id_table_reserve(ps, out->count + 1) != 0)
        return -1;
    for (size_t i = 0; i < out->count; i++)
        if (out->cases[i].id && !id_lookup(ps, out->cases[i].id, SIZE_MAX))
            id_lookup(ps, out->cases[i].id, i);
    return 0;
}

/* Moves this parse's cases to the end of out. */
static int append_cases(parser *ps, case_list *out)
{
    if (!ps->count)
        return 0;
    case_def *all = realloc(out->cases, (out->count + ps->count) * sizeof *all);
    if (!all)
        return out_of_memory(ps, 0);
    memcpy(all + out->count, ps->cases, ps->count * sizeof *all);
    out->cases = all;
    out->count += ps->count;
    ps->count = 0;
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
    if (set_directory(&ps, filename) != 0 || index_existing(&ps, out) != 0)
        out_of_memory(&ps, 0);
    else if (split_lines(&ps, text ? text : "", text ? len : 0, &lines, &nlines) == 0 &&
             parse_blocks(&ps, lines, nlines) == 0 && append_cases(&ps, out) == 0)
        rc = 0;
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
