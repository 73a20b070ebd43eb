/*
 * How good a verdict is, for telling a run's verdicts from expected or
 * earlier ones: a regression, an improvement or a match. Each dimension is
 * ordered on its own, best first:
 *   outcome: OK < INFORMATIONAL < NON-STRICT < UNIMPLEMENTED < FAILED < NOT RUN
 *   close:   OK < INFORMATIONAL < WRONG CODE < UNCLEAN < FAILED BY CLIENT
 *            < FAILED < NOT RUN
 */
#ifndef WSCONFORM_VERDICT_ORDER_H
#define WSCONFORM_VERDICT_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "report/run_doc.h"
#include "verdict/result.h"

typedef struct verdict_pair {
    verdict outcome;
    close_verdict close;
} verdict_pair;

typedef enum verdict_change {
    CHANGE_NONE = 0,    /* the same verdict (or one of those allowed) */
    CHANGE_BETTER,      /* no dimension worse, one better */
    CHANGE_WORSE,       /* a dimension worse, whatever the other did */
} verdict_change;

/* Reads the names of a pair ("OK", "WRONG CODE", ...). False with
 * 'unknown outcome "X" (expected OK, ...)' in err for a name of neither table. */
bool verdict_pair_parse(const char *outcome, const char *close, verdict_pair *out, char *err,
                        size_t errlen);

/* "OUTCOME/CLOSE" into buf. */
/* A case of a run as a verdict pair; false with "FILE: case ID: what" in
 * err when the run holds a name that is not a verdict. */
bool run_case_verdict(const run_doc *run, const run_case *c, verdict_pair *out, char *err,
                      size_t errlen);

const char *verdict_pair_text(verdict_pair v, char *buf, size_t cap);

/* What `to` is compared with `from`. */
verdict_change verdict_pair_compare(verdict_pair from, verdict_pair to);

/* What `got` is compared with a set of allowed verdicts (count > 0): none if
 * it is one of them, better if it is no worse than one of them in both
 * dimensions, else worse. */
verdict_change verdict_against(const verdict_pair *allowed, size_t count, verdict_pair got);

/* "better", "worse" or "same". */
const char *verdict_change_word(verdict_change c);

/* Orders pairs by their names (outcome, then close), as baselines list them. */
int verdict_pair_compare_names(const void *a, const void *b);

#endif
