/*
 * Verdicts from observations, with Autobahn's two-verdict model: `outcome`
 * from the events the peer produced matched against the case's acceptable
 * sequences, `close_outcome` from how the connection ended.
 */
#ifndef WSCONFORM_JUDGE_H
#define WSCONFORM_JUDGE_H

#include "lang/case.h"
#include "verdict/result.h"

/* Index of the first expectation whose event sequence equals the observed
 * one (its verdict in *v), or -1. */
int judge_match(const case_def *d, const case_result *r, verdict *v);

/* True while the events observed so far begin at least one acceptable
 * sequence of the case (any verdict): more events could still make an
 * expectation match. False when none can match whatever the peer sends next.
 * An echo of a message the case has not sent yet counts as possible. Once the
 * peer can send nothing more (its Close or a TCP drop received, or the
 * handshake answered with an HTTP status) only a complete match counts.
 * Costs O(expectation items * events) per call. */
bool judge_still_possible(const case_def *d, const case_result *r);

/* Sets r->outcome, r->close_outcome and r->reason. */
void judge_case(case_result *r);

#endif
