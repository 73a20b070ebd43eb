/*
 * The state of one caselang_parse() call and what the parser files share:
 * error reporting, the limits every allocation is counted against, and the
 * case under construction. Shared by the parser files only.
 *
 * Every function that returns int returns 0 on success and -1 after fail()
 * has recorded the first error.
 */
#ifndef WSCONFORM_PARSER_H
#define WSCONFORM_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/caselang.h"
#include "lang/directives.h"
#include "lang/lexer.h"
#include "lang/payload.h"
#include "lang/quantity.h"

typedef struct src_line {
    int number;
    span text; /* comment removed, trimmed, never empty */
} src_line;

struct parser {
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
};

/* One case being compiled. */
struct builder {
    case_def c;
    size_t step_cap, expectation_cap, edit_cap;
    strbuf require, note;
    strbuf body;                            /* the played lines, for the reports */
    int first_line[DIRECTIVES_MAX];         /* of each case_directives row, 0 if not seen */
    int request_first_line[DIRECTIVES_MAX]; /* of each request_words row */
    int tolerate_line[SITUATION_COUNT];
    size_t loop_index[CASELANG_LOOP_DEPTH_MAX];
    int loop_line[CASELANG_LOOP_DEPTH_MAX];
    size_t depth;
    bool began_frame;
    size_t offer_count;
};

/* -- errors and limits (parser.c) -- */

int fail(parser *ps, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int out_of_memory(parser *ps, int line);
int take_items(parser *ps, int line, size_t n);   /* steps, events, header edits */
int take_memory(parser *ps, int line, uint64_t n); /* payload bytes */
int expect_end(parser *ps, int line, span rest, const char *after);

static inline bool parse_uint(span s, uint64_t max, uint64_t *out)
{
    return quantity_number(s.p, s.n, max, out);
}

static inline bool parse_size(span s, uint64_t max, uint64_t *out)
{
    return quantity_size(s.p, s.n, max, out);
}

int duration_argument(parser *ps, int line, span tok, bool positive, uint32_t *ms);
/* 1 to max_length letters, digits, '_', '-' and '.'. */
bool is_word(span s, size_t max_length);
bool is_tag(span tok); /* a wait tag: a word of up to 64 */
bool valid_header_name(span name);

/* -- quoted strings and lines (source_text.c) -- */

/* Decodes the string literal at the start of s (s.p[0] == '"') into out
 * (capacity >= s.n). Returns bytes consumed including both quotes, or 0 on
 * error. */
size_t decode_string(parser *ps, int line, span s, uint8_t *out, size_t *out_len);

/* A text argument: a single quoted string is unquoted (escapes applied),
 * anything else is taken as written. NUL bytes are refused. */
int text_argument(parser *ps, int line, span s, const char *what, char **out);

/* The non-blank lines of text, comments removed; *lines points into text. */
int split_lines(parser *ps, const char *text, size_t len, src_line **lines, size_t *count);

/* -- payload expressions (payload_expr.c) -- */

int payload_too_big(parser *ps, int line, uint64_t n);
int parse_payload(parser *ps, int line, span tok, payload *out); /* a whole token */
bool looks_like_payload(span tok);

/* -- the case body (directives.c, steps.c, ...) -- */

/* Runs the row of table t named `word`; *found is false if there is none. */
int run_directive(parser *ps, builder *b, const directive_table *t, int *first_line, int line,
                  span word, span rest, bool *found);
int parse_directive(parser *ps, builder *b, const src_line *l);
int check_tolerances(parser *ps, const builder *b);

/* A verdict an expect or tolerate line may name (not FAILED or NOT RUN). */
bool parse_expectable_verdict(span s, verdict *v);

/* -- blocks (caselang.c, family.c, case_ids.c) -- */

/* Compiles one case: `id` from its `case` line (or the instantiated family
 * template), `lines` its body. def_line goes into case_def.line; block_line
 * is where missing-directive errors point. */
int compile_case(parser *ps, span id, int def_line, int block_line, const src_line *lines,
                 size_t n);

/* A family block starting at lines[0]; returns the number of lines used, or -1. */
long compile_family(parser *ps, const src_line *lines, size_t n);

bool starts_block(span text); /* a `case` or `family` line */

bool valid_id(span id); /* a case id: a word of up to 100 */

/* Finds `id` among the cases seen so far; if absent and index is not
 * SIZE_MAX, records it under that index. */
const case_def *id_lookup(parser *ps, const char *id, size_t index);
int id_table_reserve(parser *ps, size_t entries);

#endif
