/*
 * The names of every enum the case language, the judge and the reports
 * spell: one table per enum, read by the parser (text to value) and by
 * whoever prints a value (value to text). The close verdicts' table is in
 * verdict/result.h, beside their enum. cases/README.md and fuzz/caselang.dict
 * spell the same names; tests/harness/test_names.c checks that they do.
 */
#ifndef WSCONFORM_NAMES_H
#define WSCONFORM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/case.h"

typedef struct name_entry {
    const char *name;
    int value;
} name_entry;

typedef struct name_table {
    const name_entry *entries;
    size_t count;
} name_table;

#define NAME_TABLE(entries) {entries, sizeof entries / sizeof entries[0]}

extern const name_table event_names;         /* message, ping, pong, timeout, http */
extern const name_table verdict_names;       /* OK ... NOT RUN */
extern const name_table opcode_names;        /* the six defined opcodes; others are numbers */
extern const name_table closer_names;        /* us, peer, none */
extern const name_table situation_names;     /* kill, code, peer-close, peer-drop */
extern const name_table compress_form_names; /* sync, stored, final, tail */

/* The name of `value`, or NULL if the table has none. */
const char *name_of(const name_table *t, int value);

/* The value named text[0..length); false if no entry has that name. */
bool name_lookup(const name_table *t, const char *text, size_t length, int *value);

/* "a, b, c" (or "a, b or c" with last_separator " or ") into buf, cut to cap. */
void name_list(const name_table *t, const char *last_separator, char *buf, size_t cap);

const char *event_name(event_kind k);               /* "?" for an unknown kind */
const char *opcode_name(uint8_t op);                /* "text", ...; "3" for reserved 3 */
const char *closer_name(closer c);
const char *situation_name(close_situation s);

/* An event as an expect line names it: "message text", "message binary", "ping". */
const char *event_spelling(event_kind k, uint8_t opcode);

#endif
