/* The two verdicts of a case and their reason (see cases/README.md,
 * "Verdicts"): the outcome from the matched sequence, the close verdict from
 * verdict/close_verdict.c. */
#include "verdict/judge.h"

#include "verdict/close_verdict.h"
#include "verdict/match.h"
#include "verdict/reason.h"

/* How far a verdict is from OK: the worse of two verdicts wins. */
static int severity(verdict v)
{
    switch (v) {
    case VERDICT_OK:
        return 0;
    case VERDICT_INFORMATIONAL:
        return 1;
    case VERDICT_UNIMPLEMENTED:
        return 2;
    case VERDICT_NON_STRICT:
        return 3;
    case VERDICT_FAILED:
        return 5;
    default:
        return 4;
    }
}

static verdict worse(verdict a, verdict b)
{
    return severity(b) > severity(a) ? b : a;
}

static void judge_informational(case_result *r, reason_text *why)
{
    const case_def *d = r->def;
    r->outcome = VERDICT_INFORMATIONAL;
    r->close_outcome = CLOSE_INFORMATIONAL;
    verdict seen;
    int which = judge_match(d, r, &seen);
    if (which >= 0)
        reason_put(why, "matched the %s sequence (line %d); ", verdict_name(seen),
                   d->expectations ? d->expectations[which].line : d->line);
    reason_put(why, "observed ");
    describe_observed(why, r);
    reason_put(why, "; peer sent ");
    describe_peer_close(why, r);
    if (r->violation[0])
        reason_put(why, "; %s", r->violation);
}

/* A graded case on its way to its verdicts and reason. */
typedef struct judging {
    case_result *r;
    verdict v;              /* of the matched sequence */
    int matched;            /* its index, or -1 */
    bool as_prefix;         /* the events only begin it */
    bool accepted_refusal;  /* a handshake the server had to refuse was accepted */
    bool declined;          /* `deflate required`, and the server declined it */
    close_finding found;
    char fail_buf[256], note_buf[384];
    reason_text close_fail, close_note;
} judging;

/* The sequence the events match. A peer that closed first (where that may be
 * tolerated) had no chance to finish a sequence: its events need only begin one. */
static void match_events(judging *j)
{
    const case_def *d = j->r->def;
    j->v = VERDICT_FAILED;
    j->matched = judge_match(d, j->r, &j->v);
    bool peer_first = d->close.by == CLOSER_US && j->r->closer == BY_PEER &&
                      (d->close.tolerate[SITUATION_PEER_CLOSE].allowed ||
                       d->close.tolerate[SITUATION_PEER_DROP].allowed);
    j->as_prefix = false;
    if (j->matched < 0 && peer_first) {
        j->matched = judge_prefix(d, j->r, &j->v);
        j->as_prefix = j->matched >= 0;
    }
}

/* The close verdict, then the outcome: the matched sequence's verdict unless
 * something the case makes fatal happened. */
static void decide(judging *j)
{
    case_result *r = j->r;
    const case_def *d = r->def;
    j->close_fail = (reason_text){j->fail_buf, sizeof j->fail_buf, 0, false};
    j->close_note = (reason_text){j->note_buf, sizeof j->note_buf, 0, false};
    j->fail_buf[0] = j->note_buf[0] = '\0';
    r->close_outcome = judge_close(r, !r->violation[0] && j->matched >= 0, &j->close_fail,
                                   &j->close_note, &j->found);
    if (j->as_prefix && !j->found.peer_ended_early)
        j->matched = -1; /* a beginning counts only when the early close was tolerated */
    j->accepted_refusal = d->close.by == CLOSER_NONE && r->handshake_done;
    j->declined = d->deflate_required && r->handshake_done && !r->compressed;
    r->outcome = j->declined ? VERDICT_UNIMPLEMENTED : j->matched >= 0 ? j->v : VERDICT_FAILED;
    if (r->violation[0] || j->accepted_refusal)
        r->outcome = VERDICT_FAILED;
    if (r->close_outcome == CLOSE_WRONG_CODE && d->close.wrong_code_fatal && !j->declined)
        r->outcome = VERDICT_FAILED;
    if (r->close_outcome == CLOSE_FAILED && r->handshake_done && d->close.wrong_closer_fatal &&
        !j->declined)
        r->outcome = VERDICT_FAILED;
    if (j->found.tolerated)
        r->outcome = worse(r->outcome, j->found.tolerated->verdict);
}

/* What made the outcome fail on its own. */
static void explain_outcome(const judging *j, reason_text *why)
{
    const case_result *r = j->r;
    if (r->violation[0]) {
        reason_put(why, "%s", r->violation);
    } else if (j->declined) {
        reason_put(why, "the server declined permessage-deflate (offered \"%s\"): the case "
                   "needs it and was not played", r->def->request.extensions
                                                      ? r->def->request.extensions : "");
    } else if (j->accepted_refusal) {
        reason_put(why, "the server accepted a handshake it must refuse; ");
        describe_all_expected(why, r->def);
    } else if (j->matched < 0) {
        describe_all_expected(why, r->def);
        reason_put(why, "; observed ");
        describe_observed(why, r);
        if (r->killed)
            reason_put(why, " before the %u ms kill timer", r->kill_ms);
        else if (r->decided_early)
            reason_put(why, " (no acceptable sequence could follow: the suite closed at once)");
    }
}

/* A sequence that matched, with less than OK or only its beginning. */
static void explain_lesser_match(const judging *j, reason_text *why)
{
    const case_result *r = j->r;
    if (r->violation[0] || j->accepted_refusal || j->declined || j->matched < 0 ||
        (j->v == VERDICT_OK && !j->as_prefix))
        return;
    reason_part(why);
    if (j->as_prefix)
        reason_put(why, "observed ");
    else
        reason_put(why, "%s sequence: ", verdict_name(j->v));
    describe_observed(why, r);
    if (j->as_prefix) {
        reason_put(why, ", the beginning of the %s sequence ", verdict_name(j->v));
        describe_expected(why, expectation_at(r->def, (size_t)j->matched));
    } else {
        describe_ok_sequences(why, r->def);
    }
}

/* The reason lists what failed first (the outcome's failure, then the
 * close's), then what was tolerated, then a lesser sequence that matched. */
static void judge_graded(case_result *r, reason_text *why)
{
    judging j = {.r = r};
    match_events(&j);
    decide(&j);
    explain_outcome(&j, why);
    if (j.close_fail.len) {
        reason_part(why);
        reason_put(why, "%s", j.fail_buf);
    }
    if (j.close_note.len) {
        reason_part(why);
        reason_put(why, "%s", j.note_buf);
    }
    explain_lesser_match(&j, why);
    why->cut |= j.close_fail.cut || j.close_note.cut;
}

void judge_case(case_result *r)
{
    reason_text why = {r->reason, sizeof r->reason, 0, false};
    r->reason[0] = '\0';
    if (r->failure[0]) {
        r->outcome = VERDICT_FAILED;
        r->close_outcome = CLOSE_FAILED;
        reason_put(&why, "%s", r->failure);
    } else if (r->def->informational && (!r->violation[0] || r->violation_in_close) &&
               !(r->def->deflate_required && r->handshake_done && !r->compressed)) {
        /* (a case that needed compression and was declined is UNIMPLEMENTED) */
        /* What the peer's Close said is what an informational case reports on. */
        judge_informational(r, &why);
    } else {
        judge_graded(r, &why);
    }
    reason_finish(&why);
}
