/*
 * The reason text of a verdict: built in a fixed buffer in parts, saying what
 * was observed and what was expected in the words of the case language.
 */
#ifndef WSCONFORM_REASON_H
#define WSCONFORM_REASON_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/case.h"
#include "verdict/result.h"

typedef struct reason_text {
    char *buf;
    size_t cap, len;
    bool cut;  /* something did not fit */
} reason_text;

/* Appends printf-style text; what does not fit is cut (and remembered). */
void reason_put(reason_text *t, const char *fmt, ...);

/* Separates the parts of a reason ("; "), unless it is still empty. */
void reason_part(reason_text *t);

/* Ends a cut text with "..." so a reader sees something is missing. */
void reason_finish(reason_text *t);

/* The observed events, runs of alike events once with their count. */
void describe_observed(reason_text *t, const case_result *r);

/* One acceptable sequence. */
void describe_expected(reason_text *t, const expectation *x);

/* "expected " and every acceptable sequence, each with its verdict when
 * there are several. */
void describe_all_expected(reason_text *t, const case_def *d);

/* The OK sequences in parentheses, for a reason about a lesser match. */
void describe_ok_sequences(reason_text *t, const case_def *d);

/* The close codes a case expects ("1002/echo", "any code"). */
void describe_codes(reason_text *t, const close_expectation *c);

/* How the peer closed: its Close code and reason, a TCP drop, or no Close. */
void describe_peer_close(reason_text *t, const case_result *r);

/* " (tolerated as VERDICT: why)". */
void describe_tolerance(reason_text *t, const close_tolerance *tol);

#endif
