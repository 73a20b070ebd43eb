/*
 * The directives of the case language: a word, the function that parses the
 * rest of its line, and whether a case may have it once only. Each group sits
 * beside its parse functions; `case_directives` lists the groups in the order
 * the directives are listed to the user. `request` has its own words in
 * `request_words`, read the same way.
 */
#ifndef WSCONFORM_DIRECTIVES_H
#define WSCONFORM_DIRECTIVES_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/lexer.h"

typedef struct parser parser;
typedef struct builder builder;

typedef int (*directive_parser)(parser *ps, builder *b, int line, span rest);

typedef struct directive {
    const char *name;
    directive_parser parse;
    bool once;               /* a second line of it in one case is an error */
} directive;

typedef struct directive_group {
    const directive *rows;
    size_t count;
} directive_group;

#define DIRECTIVE_GROUP(rows) {rows, sizeof rows / sizeof rows[0]}

/* A list of groups read as one table; first-seen lines are indexed by the
 * position of a row in the whole list. */
typedef struct directive_table {
    const char *prefix;      /* "" or "request ": how messages name its words */
    const directive_group *const *groups;
    size_t group_count;
} directive_table;

#define DIRECTIVES_MAX 32    /* rows of one table: the size of builder.first_line */

extern const directive_group metadata_directives, request_directive, extension_directives,
    step_directives, expectation_directives, close_directives;

extern const directive_table case_directives; /* every directive of a case body */
extern const directive_table request_words;   /* method, target, ... after `request` */

size_t directive_count(const directive_table *t);

/* Row i of the whole table (0 <= i < directive_count(t)). */
const directive *directive_at(const directive_table *t, size_t i);

/* The names, "a, b, c" (or "a, b or c" with last_separator " or "), into buf. */
const char *directive_list(const directive_table *t, const char *last_separator, char *buf,
                           size_t cap);

#endif
