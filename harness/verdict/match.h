/*
 * Matching observed events against a case's acceptable sequences, as the
 * judge's files share it (judge_match and judge_still_possible, in
 * verdict/judge.h, are the public side).
 */
#ifndef WSCONFORM_MATCH_H
#define WSCONFORM_MATCH_H

#include "lang/case.h"
#include "verdict/result.h"

/* Index of the first expectation the observed events begin (an echo of a
 * message not sent yet counts as possible), its verdict in *v; or -1. */
int judge_prefix(const case_def *d, const case_result *r, verdict *v);

/* The case's i-th expectation; a case without any expects nothing, OK. */
const expectation *expectation_at(const case_def *d, size_t i);

#endif
