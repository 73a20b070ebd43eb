/*
 * The judge's two verdicts on hand-made observations: event matching (echo,
 * repeats, timeouts, http), the close decision order of Autobahn, and the
 * fatal flags.
 */
#include "judge.h"
#include "payload.h"
#include "tap.h"
#include "wscodec.h"

static payload literal(const char *text)
{
    payload p = {(uint8_t *)text, strlen(text), strlen(text)};
    return p;
}

/* A result in which the suite closed cleanly, as in a passing echo case. */
static case_result clean_result(const case_def *d)
{
    case_result r;
    memset(&r, 0, sizeof r);
    r.def = d;
    r.handshake_done = true;
    r.connected = true;
    r.closer = BY_US;
    r.we_sent_close = true;
    r.close_written = true;
    r.peer_sent_close = true;
    r.our_close_code = 1000;
    r.peer_close_code = 1000;
    r.tcp_closed_by = BY_PEER;
    return r;
}

static observed_event message(uint8_t opcode, const char *text)
{
    observed_event e = {.kind = EVENT_MESSAGE, .opcode = opcode, .data = (uint8_t *)text,
                        .length = strlen(text)};
    return e;
}

static void echo_matching(void)
{
    payload hello = literal("Hello"), world = literal("World");
    expected_event echo = {.kind = EVENT_MESSAGE, .opcode = WS_OP_TEXT, .match = MATCH_ECHO,
                           .repeat = 2};
    expectation ok_seq = {.verdict = VERDICT_OK, .events = &echo, .event_count = 1};
    case_def d = {.id = "t.1", .expectations = &ok_seq, .expectation_count = 1,
                  .close = {.by = CLOSER_US, .codes = {1000}, .code_count = 1,
                            .clean_required = true}};
    case_result r = clean_result(&d);
    sent_slice s1 = {&hello, 0, 5}, s2a = {&world, 0, 2}, s2b = {&world, 2, 3};
    sent_slice second[2] = {s2a, s2b};
    sent_message sent[2] = {{.opcode = WS_OP_TEXT, .slices = &s1, .slice_count = 1, .length = 5},
                            {.opcode = WS_OP_TEXT, .slices = second, .slice_count = 2, .length = 5}};
    r.sent_messages = sent;
    r.sent_message_count = 2;
    observed_event got[2] = {message(WS_OP_TEXT, "Hello"), message(WS_OP_TEXT, "World")};
    r.events = got;
    r.event_count = 2;
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK, "two echoes in order: OK/OK (%s)",
       r.reason);

    got[1] = message(WS_OP_TEXT, "Worle");
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED, "a wrong byte in the echo fails");
    ok(strstr(r.reason, "expected message text echo x2") != NULL, "reason names the expectation: %s",
       r.reason);

    got[1] = message(WS_OP_BINARY, "World");
    judge_case(&r);
    is_int(r.outcome, VERDICT_FAILED, "binary where text was sent fails");

    got[1] = got[0];
    r.event_count = 1;
    judge_case(&r);
    is_int(r.outcome, VERDICT_FAILED, "a missing echo fails");
}

static void verdict_sequences(void)
{
    /* Autobahn 3.2: OK = echo of the first message only; NON-STRICT = nothing. */
    expected_event first = {.kind = EVENT_MESSAGE, .opcode = WS_OP_TEXT, .match = MATCH_ECHO,
                            .repeat = 1};
    expectation seqs[2] = {{.verdict = VERDICT_OK, .events = &first, .event_count = 1},
                           {.verdict = VERDICT_NON_STRICT}};
    case_def d = {.id = "3.2", .expectations = seqs, .expectation_count = 2,
                  .close = {.by = CLOSER_PEER, .codes = {1002}, .code_count = 1}};
    payload hello = literal("Hello");
    sent_slice slice = {&hello, 0, 5};
    sent_message sent = {.opcode = WS_OP_TEXT, .slices = &slice, .slice_count = 1, .length = 5};
    case_result r = clean_result(&d);
    r.sent_messages = &sent;
    r.sent_message_count = 1;
    r.closer = BY_PEER;
    r.peer_close_code = 1002;
    observed_event got = message(WS_OP_TEXT, "Hello");
    r.events = &got;
    r.event_count = 1;
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK, "3.2 echo then 1002: OK/OK");
    r.event_count = 0;
    judge_case(&r);
    ok(r.outcome == VERDICT_NON_STRICT && !result_failed(&r), "3.2 nothing then 1002: NON-STRICT");

    r.peer_close_code = 1000;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_WRONG_CODE, "peer closing with 1000 where 1002 is due: WRONG CODE");
    ok(result_failed(&r), "WRONG CODE fails the case");
    d.close.wrong_code_fatal = true;
    judge_case(&r);
    is_int(r.outcome, VERDICT_FAILED, "fatal-code turns the outcome to FAILED too");

    /* The peer never failed the connection: the suite's kill timer did. */
    r.peer_close_code = 1000;
    r.closer = BY_US;
    r.killed = true;
    r.kill_ms = 1000;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_FAILED, "wrong closer: FAILED");
    ok(strstr(r.reason, "kill timer") != NULL, "reason mentions the kill timer: %s", r.reason);
    d.close.wrong_closer_fatal = true;
    judge_case(&r);
    is_int(r.outcome, VERDICT_FAILED, "fatal-closer turns the outcome to FAILED too");

    /* A TCP drop without Close passes "peer, any". */
    d.close.wrong_closer_fatal = false;
    d.close.wrong_code_fatal = false;
    r = clean_result(&d);
    r.closer = BY_PEER;
    r.we_sent_close = false;
    r.close_written = false;
    r.peer_sent_close = false;
    r.peer_close_code = -1;
    r.tcp_closed_by = BY_PEER;
    r.sent_messages = &sent;
    r.sent_message_count = 1;
    r.events = &got;
    r.event_count = 1;
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK, "TCP drop by the peer is a valid failure");
}

static void close_order(void)
{
    case_def d = {.id = "c", .close = {.by = CLOSER_US, .codes = {1000}, .code_count = 1,
                                       .clean_required = true}};
    case_result r = clean_result(&d);
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK, "clean close: OK");

    r.peer_sent_close = false;
    r.peer_close_code = -1;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_UNCLEAN, "no Close from the peer: UNCLEAN");

    r = clean_result(&d);
    r.close_written = false;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_UNCLEAN, "our Close queued but never written: UNCLEAN");

    r = clean_result(&d);
    r.tcp_closed_by = BY_US;
    r.dropped_after_close_wait = true;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_UNCLEAN, "server kept TCP open, clean required: UNCLEAN");
    d.close.clean_required = false;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_FAILED_BY_CLIENT, "same, clean not required: FAILED BY CLIENT");

    d.close.clean_required = true;
    r = clean_result(&d);
    r.peer_close_code = 1005;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_OK, "a Close without code passes the code check");

    d.close.echo_code = true;
    d.close.codes[0] = 1000;
    r = clean_result(&d);
    r.our_close_code = 3000;
    r.peer_close_code = 3000;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_OK, "echoed code accepted with `echo`");
    r.peer_close_code = 3001;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_WRONG_CODE, "another code is WRONG CODE");

    r = clean_result(&d);
    r.closer = BY_PEER;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_FAILED, "peer closing first where the suite should: FAILED");

    r = clean_result(&d);
    r.handshake_done = false;
    judge_case(&r);
    ok(r.close_outcome == CLOSE_FAILED && strstr(r.reason, "never completed"),
       "no handshake: FAILED, 'never completed'");

    r = clean_result(&d);
    snprintf(r.violation, sizeof r.violation, "the peer broke the protocol: x");
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && strstr(r.reason, "broke the protocol"),
       "a protocol violation by the peer fails the outcome");

    r = clean_result(&d);
    snprintf(r.failure, sizeof r.failure, "connect: Connection refused");
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_FAILED &&
           strstr(r.reason, "refused"),
       "a case that could not run fails with the reason");

    d.informational = true;
    r = clean_result(&d);
    judge_case(&r);
    ok(r.outcome == VERDICT_INFORMATIONAL && r.close_outcome == CLOSE_INFORMATIONAL &&
           !result_failed(&r),
       "informational cases are INFORMATIONAL twice");

    r = clean_result(&d);
    r.peer_close_code = 5000;
    snprintf(r.violation, sizeof r.violation, "the peer broke the protocol: bad code");
    r.violation_in_close = true;
    judge_case(&r);
    ok(r.outcome == VERDICT_INFORMATIONAL && strstr(r.reason, "close 5000") &&
           strstr(r.reason, "bad code"),
       "an informational case reports an invalid Close from the peer, with its code");

    r = clean_result(&d);
    snprintf(r.violation, sizeof r.violation, "the peer broke the protocol: masked frame");
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && strstr(r.reason, "masked frame"),
       "any other violation still fails an informational case");
}

static void other_events(void)
{
    static const char head[] = "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n";
    header_match want = {.name = "Sec-WebSocket-Version", .value = "13"};
    expected_event http = {.kind = EVENT_HTTP, .status_min = 426, .status_max = 426,
                           .headers = &want, .header_count = 1, .repeat = 1};
    expectation x = {.verdict = VERDICT_OK, .events = &http, .event_count = 1};
    case_def d = {.id = "h", .expectations = &x, .expectation_count = 1,
                  .close = {.by = CLOSER_NONE}};
    case_result r;
    memset(&r, 0, sizeof r);
    r.def = &d;
    r.peer_close_code = -1;
    r.closer = BY_US;
    r.tcp_closed_by = BY_US;
    observed_event got = {.kind = EVENT_HTTP, .status = 426, .data = (uint8_t *)head,
                          .length = sizeof head - 1};
    r.events = &got;
    r.event_count = 1;
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK, "426 with the version header: OK (%s)",
       r.reason);
    want.value = "8";
    judge_case(&r);
    is_int(r.outcome, VERDICT_FAILED, "wrong header value fails");
    want.value = "13";
    got.status = 400;
    judge_case(&r);
    is_int(r.outcome, VERDICT_FAILED, "wrong status fails");

    /* A refusal by dropping TCP: the close is fine, the expectations grade it. */
    expectation drop_seqs[2] = {x, {.verdict = VERDICT_NON_STRICT}};
    d.expectations = drop_seqs;
    d.expectation_count = 2;
    r.event_count = 0;
    r.tcp_closed_by = BY_PEER;
    r.closer = BY_PEER;
    judge_case(&r);
    ok(r.outcome == VERDICT_NON_STRICT && r.close_outcome == CLOSE_OK,
       "refusal by TCP drop: close OK, NON-STRICT from the expectations (%s)", r.reason);
    r.tcp_closed_by = BY_US;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_FAILED, "no answer at all (the suite gave up): FAILED");

    r.handshake_done = true;
    r.event_count = 0;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_FAILED &&
           strstr(r.reason, "accepted a handshake"),
       "accepting a handshake that must be refused fails");
    ok(strncmp(r.reason, "the server accepted a handshake it must refuse; expected http 426 "
                         "header \"Sec-WebSocket-Version: 13\" (OK) or nothing (NON-STRICT)",
               strlen("the server accepted a handshake it must refuse; expected http 426 "
                      "header \"Sec-WebSocket-Version: 13\" (OK) or nothing (NON-STRICT)")) == 0,
       "the reason starts with the acceptance, then every refusal it wanted: %s", r.reason);
    ok(strstr(r.reason, "NON-STRICT sequence") == NULL && strstr(r.reason, "observed") == NULL,
       "and does not present the 101 as a NON-STRICT sequence");

    /* Tagged timeouts and pong echo with repeats (Autobahn 6.4.x, 2.10). */
    expected_event ta = {.kind = EVENT_TIMEOUT, .tag = "A", .repeat = 1};
    expectation tx = {.verdict = VERDICT_OK, .events = &ta, .event_count = 1};
    case_def t = {.id = "t", .expectations = &tx, .expectation_count = 1,
                  .close = {.by = CLOSER_PEER}};
    case_result tr = clean_result(&t);
    tr.closer = BY_PEER;
    observed_event tick = {.kind = EVENT_TIMEOUT, .tag = "A"};
    tr.events = &tick;
    tr.event_count = 1;
    judge_case(&tr);
    is_int(tr.outcome, VERDICT_OK, "timeout A matched by tag");
    tick.tag = "B";
    judge_case(&tr);
    is_int(tr.outcome, VERDICT_FAILED, "timeout B does not match A");

    payload p0 = literal("payload-0"), p1 = literal("payload-1");
    sent_slice s0 = {&p0, 0, 9}, s1 = {&p1, 0, 9};
    sent_message pings[2] = {{.opcode = WS_OP_PING, .slices = &s0, .slice_count = 1, .length = 9},
                             {.opcode = WS_OP_PING, .slices = &s1, .slice_count = 1, .length = 9}};
    expected_event pongs = {.kind = EVENT_PONG, .match = MATCH_ECHO, .repeat = 2};
    expectation px = {.verdict = VERDICT_OK, .events = &pongs, .event_count = 1};
    case_def pd = {.id = "p", .expectations = &px, .expectation_count = 1,
                   .close = {.by = CLOSER_US}};
    case_result pr = clean_result(&pd);
    pr.sent_messages = pings;
    pr.sent_message_count = 2;
    observed_event answers[2] = {{.kind = EVENT_PONG, .data = (uint8_t *)"payload-0", .length = 9},
                                 {.kind = EVENT_PONG, .data = (uint8_t *)"payload-1", .length = 9}};
    pr.events = answers;
    pr.event_count = 2;
    judge_case(&pr);
    is_int(pr.outcome, VERDICT_OK, "pong echo x2 in order");
    answers[0].data = (uint8_t *)"payload-1";
    judge_case(&pr);
    is_int(pr.outcome, VERDICT_FAILED, "pongs out of order fail");

    verdict v;
    is_int(judge_match(&pd, &pr, &v), -1, "judge_match finds no sequence for wrong pongs");

    /* Ranges: pong x0-3 then ping x1-2; the range gives back what the rest needs. */
    expected_event ranged[2] = {{.kind = EVENT_PONG, .repeat = 0, .repeat_max = 3},
                                {.kind = EVENT_PONG, .repeat = 1, .repeat_max = 2}};
    expectation rx = {.verdict = VERDICT_INFORMATIONAL, .events = ranged, .event_count = 2};
    pd.expectations = &rx;
    observed_event many[6];
    for (size_t i = 0; i < 6; i++)
        many[i] = (observed_event){.kind = EVENT_PONG};
    pr.events = many;
    static const struct { size_t n; int want; } counts[] = {{0, -1}, {1, 0}, {3, 0}, {5, 0}, {6, -1}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        pr.event_count = counts[i].n;
        is_int(judge_match(&pd, &pr, &v), counts[i].want, "pong x0-3, pong x1-2 against %zu pongs",
               counts[i].n);
    }
}

/* A failure names every acceptable sequence, not only the first. */
static void reasons_name_every_expectation(void)
{
    expected_event want426 = {.kind = EVENT_HTTP, .status_min = 426, .status_max = 426, .repeat = 1};
    expected_event want400 = {.kind = EVENT_HTTP, .status_min = 400, .status_max = 400, .repeat = 1};
    expectation seqs[2] = {{.verdict = VERDICT_OK, .events = &want426, .event_count = 1},
                           {.verdict = VERDICT_NON_STRICT, .events = &want400, .event_count = 1}};
    case_def d = {.id = "t.2", .expectations = seqs, .expectation_count = 2,
                  .close = {.by = CLOSER_NONE}};
    case_result r = clean_result(&d);
    observed_event got = {.kind = EVENT_HTTP, .status = 500};
    r.events = &got;
    r.event_count = 1;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED &&
           strstr(r.reason, "expected http 426 (OK) or http 400 (NON-STRICT)") != NULL,
       "a failure names both acceptable sequences: %s", r.reason);
}

/* header "NAME: VALUE" against the fields of an HTTP answer. */
static bool header_matches(const char *head, const char *name, const char *value)
{
    header_match h = {.name = (char *)name, .value = (char *)value};
    expected_event want = {.kind = EVENT_HTTP, .status_min = 426, .status_max = 426, .repeat = 1,
                           .headers = &h, .header_count = 1};
    expectation seq = {.verdict = VERDICT_OK, .events = &want, .event_count = 1};
    case_def d = {.id = "t.3", .expectations = &seq, .expectation_count = 1,
                  .close = {.by = CLOSER_NONE}};
    case_result r = clean_result(&d);
    r.handshake_done = false;
    char *copy = strdup(head);
    observed_event got = {.kind = EVENT_HTTP, .status = 426, .data = (uint8_t *)copy,
                          .length = strlen(head)};
    r.events = &got;
    r.event_count = 1;
    judge_case(&r);
    free(copy);
    return r.outcome == VERDICT_OK;
}

static void header_lists(void)
{
    const char *list = "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13, 8, 7\r\n\r\n";
    const char *two = "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 8, 7\r\n"
                      "sec-websocket-version:13\r\n\r\n";
    ok(header_matches(list, "Sec-WebSocket-Version", "13"), "13 is an element of \"13, 8, 7\"");
    ok(header_matches(list, "Sec-WebSocket-Version", "7"), "so is 7, the last element");
    ok(header_matches(list, "Sec-WebSocket-Version", "13, 8, 7"), "the whole value matches");
    ok(!header_matches(list, "Sec-WebSocket-Version", "1"), "1 is not 13");
    ok(!header_matches(list, "Sec-WebSocket-Version", "13, 8"), "a list value is compared whole");
    ok(header_matches(two, "Sec-WebSocket-Version", "13"), "13 in a second field of the same name");
    ok(!header_matches(two, "Sec-WebSocket-Version", "12"), "12 in neither field");
}

int main(void)
{
    reasons_name_every_expectation();
    header_lists();
    echo_matching();
    verdict_sequences();
    close_order();
    other_events();
    return done_testing();
}
