/*
 * The close verdict of a case (cases/README.md, "Verdicts"): who closed, how
 * cleanly, with which code, and what the case tolerates.
 */
#ifndef WSCONFORM_CLOSE_VERDICT_H
#define WSCONFORM_CLOSE_VERDICT_H

#include <stdbool.h>

#include "verdict/reason.h"
#include "verdict/result.h"

/* What judge_close found besides the verdict. */
typedef struct close_finding {
    const close_tolerance *tolerated; /* a `tolerate` line applied, or NULL */
    bool peer_ended_early;            /* the peer closed first, tolerated: grade a prefix */
} close_finding;

/* Decides close_outcome. A failing verdict explains itself in *fail; a
 * tolerated one in *note. Tolerances apply only when the events broke
 * nothing else (events_ok): a peer that misbehaved is not excused its close. */
close_verdict judge_close(const case_result *r, bool events_ok, reason_text *fail,
                          reason_text *note, close_finding *f);

#endif
