/*
 * Verdicts from observations, with Autobahn's two-verdict model: `outcome`
 * from the events the peer produced matched against the case's acceptable
 * sequences, `close_outcome` from how the connection ended.
 */
#ifndef WSCONFORM_JUDGE_H
#define WSCONFORM_JUDGE_H

#include "case.h"
#include "result.h"

/* Index of the first expectation whose event sequence equals the observed
 * one (its verdict in *v), or -1. */
int judge_match(const case_def *d, const case_result *r, verdict *v);

/* Sets r->outcome, r->close_outcome and r->reason. */
void judge_case(case_result *r);

#endif
