/* How the connection ended, graded against the case's `close` line. */
#include "verdict/close_verdict.h"

#include <string.h>

#include "wscodec.h"

/* One close being judged: the observations, the case's rule, and where the
 * verdict's explanation goes. */
typedef struct close_judging {
    const case_result *r;
    const close_expectation *c;
    bool events_ok;
    reason_text *fail, *note;
    close_finding *f;
} close_judging;

static bool code_in(const uint16_t *codes, size_t count, int code)
{
    for (size_t i = 0; i < count; i++)
        if (codes[i] == code)
            return true;
    return false;
}

static bool code_expected(const close_expectation *c, const case_result *r, int code)
{
    if (c->code_count == 0 && !c->echo_code)
        return true;
    if (code_in(c->codes, c->code_count, code))
        return true;
    /* The peer answering the suite's own Close with the same code is the normal
     * closing handshake (5.5.1: it "typically echos the status code it received"). */
    if (r->suite_close && r->closer == BY_US && r->our_close_code == code)
        return true;
    return c->echo_code && r->our_close_code && r->our_close_code == code;
}

static const close_tolerance *tolerance(const close_expectation *c, close_situation s, bool may)
{
    return may && c->tolerate[s].allowed ? &c->tolerate[s] : NULL;
}

/* Writes a tolerance applied into the note. */
static void tolerate(close_judging *j, const close_tolerance *tol)
{
    describe_tolerance(j->note, tol);
    j->f->tolerated = tol;
}

/* A case that expects the handshake refused: with an HTTP status, or by
 * dropping TCP (§4.2.1 leaves the way open; the expectations grade which). */
static close_verdict refusal(close_judging *j)
{
    const case_result *r = j->r;
    bool answered = r->event_count && r->events[0].kind == EVENT_HTTP;
    if (!r->handshake_done && (answered || r->tcp_closed_by == BY_PEER))
        return CLOSE_OK;
    if (!r->handshake_done) /* an accepted handshake is told by judge_case */
        reason_put(j->fail, "the server neither refused nor accepted the handshake");
    return CLOSE_FAILED;
}

static close_verdict unclean(close_judging *j)
{
    reason_put(j->fail, "closing handshake not clean: ");
    if (!j->r->peer_sent_close)
        reason_put(j->fail, "the peer sent no Close");
    else if (j->r->tcp_closed_by != BY_PEER)
        reason_put(j->fail, "the server did not drop TCP after the closing handshake");
    else
        reason_put(j->fail, "the suite sent no Close");
    return CLOSE_UNCLEAN;
}

/* After the closing handshake: the server is the one to drop TCP (§7.1.1). */
static close_verdict tcp_end(close_judging *j)
{
    if (j->r->dropped_after_close_wait) {
        reason_put(j->fail, "the server did not drop TCP within 1 s of the closing handshake; "
                            "the suite did");
        return CLOSE_FAILED_BY_CLIENT;
    }
    return CLOSE_OK;
}

/* The expected closer closed: the handshake's cleanliness and the peer's code. */
static close_verdict expected_close(close_judging *j)
{
    const case_result *r = j->r;
    const close_expectation *c = j->c;
    if (c->clean_required && !result_clean(r))
        return unclean(j);
    if (r->peer_close_code >= 0 && r->peer_close_code != WS_CLOSE_NO_STATUS &&
        !code_expected(c, r, r->peer_close_code)) {
        const close_tolerance *tol = tolerance(c, SITUATION_CODE, j->events_ok);
        if (tol && code_in(c->tolerated_codes, c->tolerated_code_count, r->peer_close_code)) {
            reason_put(j->note, "the peer closed with %d; expected ", r->peer_close_code);
            describe_codes(j->note, c);
            tolerate(j, tol);
        } else {
            reason_put(j->fail, "the peer closed with %d; expected ", r->peer_close_code);
            describe_codes(j->fail, c);
            return CLOSE_WRONG_CODE;
        }
    }
    return tcp_end(j);
}

/* The case expected the peer to fail the connection; the suite closed it. */
static close_verdict peer_did_not_close(close_judging *j)
{
    const case_result *r = j->r;
    const close_tolerance *tol;
    bool kill_closed = r->killed && r->suite_close && r->our_close_code == WS_CLOSE_GOING_AWAY;
    bool limit_closed = r->over_limit && r->suite_close &&
                        r->our_close_code == WS_CLOSE_MESSAGE_TOO_BIG;
    if ((kill_closed || limit_closed) && (tol = tolerance(j->c, SITUATION_KILL, j->events_ok))) {
        if (kill_closed)
            reason_put(j->note, "the peer did not fail the connection within the %u ms kill "
                                "timer; expected ", r->kill_ms);
        else
            reason_put(j->note, "the peer did not fail the connection: it sent a message over "
                                "the suite's limit for the case, which closed with 1009; "
                                "expected ");
        describe_codes(j->note, j->c);
        reason_put(j->note, " or a TCP drop");
        tolerate(j, tol);
        return CLOSE_OK;
    }
    reason_put(j->fail, "expected the peer to fail the connection (");
    describe_codes(j->fail, j->c);
    reason_put(j->fail, " or TCP drop); the suite closed it");
    if (r->killed)
        reason_put(j->fail, " after the %u ms kill timer", r->kill_ms);
    else if (r->over_limit)
        reason_put(j->fail, " with 1009 when a message outgrew the suite's limit for the case");
    return CLOSE_FAILED;
}

/* The case expected the suite to close; the peer closed first. */
static close_verdict peer_closed_first(close_judging *j)
{
    const case_result *r = j->r;
    const close_tolerance *tol;
    if (r->peer_sent_close && (tol = tolerance(j->c, SITUATION_PEER_CLOSE, j->events_ok))) {
        reason_put(j->note, "the peer closed the connection first with ");
        describe_peer_close(j->note, r);
        reason_put(j->note, "; expected the suite to close it");
        tolerate(j, tol);
        j->f->peer_ended_early = true;
        return j->c->clean_required && !result_clean(r) ? unclean(j) : tcp_end(j);
    }
    if (!r->peer_sent_close && r->tcp_closed_by == BY_PEER &&
        (tol = tolerance(j->c, SITUATION_PEER_DROP, j->events_ok))) {
        reason_put(j->note, "the peer dropped TCP without a Close; expected the suite to close "
                            "the connection");
        tolerate(j, tol);
        j->f->peer_ended_early = true;
        return CLOSE_OK;
    }
    reason_put(j->fail, "the peer closed the connection first with ");
    describe_peer_close(j->fail, r);
    return CLOSE_FAILED;
}

close_verdict judge_close(const case_result *r, bool events_ok, reason_text *fail,
                          reason_text *note, close_finding *f)
{
    /* Declined compression: the suite closed with 1000 at once, whatever the
     * case expected of a conversation that never took place. */
    static const close_expectation declined = {.by = CLOSER_US, .codes = {WS_CLOSE_NORMAL},
                                               .code_count = 1, .clean_required = true};
    bool not_played = r->def->deflate_required && r->handshake_done && !r->compressed;
    close_judging j = {r, not_played ? &declined : &r->def->close, events_ok, fail, note, f};
    memset(f, 0, sizeof *f);
    if (j.c->by == CLOSER_NONE)
        return refusal(&j);
    if (!r->handshake_done) {
        const close_tolerance *tol;
        if (r->response_status >= 400 && r->response_status <= 599 &&
            (tol = tolerance(j.c, SITUATION_REFUSED, events_ok))) {
            reason_put(note, "the server refused the opening handshake with %d; expected it "
                             "to complete", r->response_status);
            tolerate(&j, tol);
            return CLOSE_OK;
        }
        reason_put(fail, "opening handshake was never completed");
        return CLOSE_FAILED;
    }
    endpoint expected = j.c->by == CLOSER_US ? BY_US : BY_PEER;
    if (r->closer == expected)
        return expected_close(&j);
    return expected == BY_PEER ? peer_did_not_close(&j) : peer_closed_first(&j);
}
