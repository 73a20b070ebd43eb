/*
 * The case language: case files (text) compiled into a case_list (case.h).
 * The language is described in cases/README.md.
 */
#ifndef WSCONFORM_CASELANG_H
#define WSCONFORM_CASELANG_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/case.h"

/* Limits that keep any input, however hostile, within bounded time and
 * memory. Exceeding one is an ordinary parse error. */
#define CASELANG_LINE_MAX (64u * 1024u)          /* bytes per line */
#define CASELANG_PAYLOAD_MAX (64u * 1024u * 1024u) /* bytes per payload */
#define CASELANG_MEMORY_MAX (256u * 1024u * 1024u) /* payload bytes held in memory per file */
#define CASELANG_CASES_MAX 10000u                /* cases per file */
#define CASELANG_ROWS_MAX 10000u                 /* rows per family */
#define CASELANG_EXPANSION_MAX (16u * 1024u * 1024u) /* family text instantiated per file */
#define CASELANG_ITEMS_MAX 1000000u              /* steps, events and header edits per file */
#define CASELANG_LOOP_DEPTH_MAX 16u              /* nested loops */
#define CASELANG_COUNT_MAX 1000000u              /* loop COUNT and event xN */
#define CASELANG_NESTING_MAX 16u                 /* repeat() inside repeat() */
#define CASELANG_DURATION_MAX_MS 86400000u       /* one day */

typedef struct caselang_error {
    char file[512];    /* the file name given to the parser (cut if longer) */
    int line;          /* 1-based; 0 when the problem is not tied to a line */
    char message[512]; /* "expected ..., found ..." */
} caselang_error;

/*
 * Parses `len` bytes of case text (no NUL terminator needed; any byte value
 * may appear) and appends the cases it defines to `out`, which may already
 * hold cases from other files: an id that is already in `out` is an error
 * naming both places.
 *
 * `filename` is used in messages, stored in each case_def.file, and its
 * directory anchors `file:` payloads; NULL means "<input>" and the current
 * directory. With allow_files false, `file:` payloads are rejected (for
 * untrusted input such as fuzzing).
 *
 * Returns 0 on success. On the first error returns -1, fills *err (file,
 * line, message) and leaves `out` exactly as it was: no case of this text is
 * added. `err` may be NULL.
 */
int caselang_parse(const char *text, size_t len, const char *filename, bool allow_files,
                   case_list *out, caselang_error *err);

/* Writes "FILE:LINE: message" (or "FILE: message" when line is 0) into buf,
 * always NUL-terminated when cap > 0. Returns buf. */
char *caselang_format_error(const caselang_error *err, char *buf, size_t cap);

#endif
