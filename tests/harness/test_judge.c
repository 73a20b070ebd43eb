/*
 * The judge's two verdicts on hand-made observations: event matching (echo,
 * repeats, timeouts, http), the close decision order of Autobahn, and the
 * fatal flags.
 */
#include "verdict/judge.h"
#include "lang/payload.h"
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

/* A handshake answered with an HTTP status: no WebSocket connection; `who`
 * dropped TCP. */
static case_result refused_result(const case_def *d, endpoint who)
{
    case_result r;
    memset(&r, 0, sizeof r);
    r.def = d;
    r.peer_close_code = -1;
    r.closer = who;
    r.tcp_closed_by = who;
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
    case_result r = refused_result(&d, BY_US);
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


static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The suite's own Close answered with its code is the normal closing
 * handshake; a code the case sent itself is graded against the close line. */
static void suite_close_echo(void)
{
    case_def d = {.id = "e", .close = {.by = CLOSER_US, .codes = {1000}, .code_count = 1,
                                       .clean_required = true}};
    case_result r = clean_result(&d);
    r.killed = true;
    r.kill_ms = 2000;
    r.suite_close = true;
    r.our_close_code = 1001;
    r.peer_close_code = 1001;
    judge_case(&r);
    ok(r.close_outcome == CLOSE_OK && r.reason[0] == '\0',
       "the kill timer's 1001 echoed by the peer: close OK (%s)", r.reason);
    r.peer_close_code = 1000;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_OK, "answered with a listed code instead: OK");
    r.peer_close_code = 1003;
    judge_case(&r);
    ok(r.close_outcome == CLOSE_WRONG_CODE && strstr(r.reason, "the peer closed with 1003; expected 1000"),
       "another code still WRONG CODE: %s", r.reason);

    /* 7.9.x: the case itself sent the invalid code, and an echo of it is wrong. */
    case_def bad = {.id = "7.9.x", .close = {.by = CLOSER_US, .codes = {1002}, .code_count = 1,
                                             .wrong_code_fatal = true}};
    r = clean_result(&bad);
    r.suite_close = false;
    r.our_close_code = 1016;
    r.peer_close_code = 1016;
    judge_case(&r);
    ok(r.close_outcome == CLOSE_WRONG_CODE && r.outcome == VERDICT_FAILED &&
           starts_with(r.reason, "the peer closed with 1016; expected 1002"),
       "echoing a code the case sent (send close code=...) is WRONG CODE: %s", r.reason);

    /* The suite answering the peer's own Close: that 1000 is not the peer's echo. */
    case_def peer = {.id = "p", .close = {.by = CLOSER_PEER, .codes = {1002}, .code_count = 1}};
    r = clean_result(&peer);
    r.closer = BY_PEER;
    r.suite_close = true;
    r.our_close_code = 1000;
    r.peer_close_code = 1000;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_WRONG_CODE, "the peer closing first with 1000 where 1002 is due: WRONG CODE");
}

/* Reasons: every acceptable sequence in full, failures first. */
static void complete_reasons(void)
{
    header_match v13 = {.name = "Sec-WebSocket-Version", .value = "13"};
    header_match any = {.name = "Sec-WebSocket-Version", .value = NULL};
    expected_event e426 = {.kind = EVENT_HTTP, .status_min = 426, .status_max = 426, .repeat = 1,
                           .headers = &v13, .header_count = 1};
    expected_event e4xx13 = {.kind = EVENT_HTTP, .status_min = 400, .status_max = 499, .repeat = 1,
                             .headers = &v13, .header_count = 1};
    expected_event e4xx = {.kind = EVENT_HTTP, .status_min = 400, .status_max = 499, .repeat = 1,
                           .headers = &any, .header_count = 1};
    expected_event bare = {.kind = EVENT_HTTP, .status_min = 400, .status_max = 499, .repeat = 1};
    expectation seqs[5] = {{.verdict = VERDICT_OK, .events = &e426, .event_count = 1},
                           {.verdict = VERDICT_OK, .events = &e4xx13, .event_count = 1},
                           {.verdict = VERDICT_NON_STRICT, .events = &e4xx, .event_count = 1},
                           {.verdict = VERDICT_NON_STRICT, .events = &bare, .event_count = 1},
                           {.verdict = VERDICT_NON_STRICT}};
    case_def d = {.id = "H.5.1", .expectations = seqs, .expectation_count = 5,
                  .close = {.by = CLOSER_NONE}};
    case_result r = refused_result(&d, BY_PEER);
    static char head[] = "HTTP/1.1 500 Oops\r\n\r\n";
    observed_event got = {.kind = EVENT_HTTP, .status = 500, .data = (uint8_t *)head,
                          .length = sizeof head - 1};
    r.events = &got;
    r.event_count = 1;
    judge_case(&r);
    const char *want = "expected http 426 header \"Sec-WebSocket-Version: 13\" (OK) or "
                       "http 400-499 header \"Sec-WebSocket-Version: 13\" (OK) or "
                       "http 400-499 header \"Sec-WebSocket-Version\" (NON-STRICT) or "
                       "http 400-499 (NON-STRICT) or nothing (NON-STRICT); observed http 500";
    ok(r.outcome == VERDICT_FAILED && strcmp(r.reason, want) == 0,
       "header conditions are part of each expected sequence: %s", r.reason);

    /* Seven events: none is left out. */
    expected_event seven[7];
    for (int i = 0; i < 7; i++)
        seven[i] = (expected_event){.kind = EVENT_TIMEOUT, .tag = (char *[]){"a", "b", "c", "d", "e", "f", "g"}[i],
                                    .repeat = 1};
    expectation sx = {.verdict = VERDICT_OK, .events = seven, .event_count = 7};
    case_def sd = {.id = "s", .expectations = &sx, .expectation_count = 1,
                   .close = {.by = CLOSER_US, .codes = {1000}, .code_count = 1, .clean_required = true}};
    r = clean_result(&sd);
    judge_case(&r);
    ok(starts_with(r.reason, "expected timeout a, timeout b, timeout c, timeout d, timeout e, "
                             "timeout f, timeout g; observed nothing"),
       "all seven expected events are named: %s", r.reason);

    /* A literal payload reads as the case wrote it; a run of alike events is counted. */
    payload flood = literal("flood");
    expected_event pongs = {.kind = EVENT_PONG, .match = MATCH_BYTES, .data = flood, .repeat = 1000};
    expectation px = {.verdict = VERDICT_OK, .events = &pongs, .event_count = 1};
    case_def pd = {.id = "L.10", .expectations = &px, .expectation_count = 1,
                   .close = {.by = CLOSER_US, .codes = {1000}, .code_count = 1, .clean_required = true}};
    observed_event seen[4];
    for (int i = 0; i < 3; i++)
        seen[i] = (observed_event){.kind = EVENT_PONG, .data = (uint8_t *)"flood", .length = 5};
    seen[3] = (observed_event){.kind = EVENT_PING, .data = (uint8_t *)"x", .length = 1};
    r = clean_result(&pd);
    r.events = seen;
    r.event_count = 4;
    judge_case(&r);
    ok(strcmp(r.reason, "expected pong \"flood\" x1000; observed pong (5 B) x3, ping (1 B)") == 0,
       "payload and run counts in the reason: %s", r.reason);

    /* A NON-STRICT sequence with a failing close: the close failure comes first. */
    expected_event echo = {.kind = EVENT_MESSAGE, .opcode = WS_OP_TEXT, .match = MATCH_ECHO, .repeat = 1};
    expectation two[2] = {{.verdict = VERDICT_OK, .events = &echo, .event_count = 1},
                          {.verdict = VERDICT_NON_STRICT}};
    case_def nd = {.id = "3.2", .expectations = two, .expectation_count = 2,
                   .close = {.by = CLOSER_PEER, .codes = {1002}, .code_count = 1}};
    r = clean_result(&nd);
    r.closer = BY_PEER;
    r.peer_close_code = 1000;
    judge_case(&r);
    ok(r.close_outcome == CLOSE_WRONG_CODE &&
           strcmp(r.reason, "the peer closed with 1000; expected 1002; NON-STRICT sequence: nothing "
                            "(OK: message text echo)") == 0,
       "WRONG CODE leads, the NON-STRICT sequence follows: %s", r.reason);
    nd.close.wrong_code_fatal = true;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && starts_with(r.reason, "the peer closed with 1000"),
       "fatal-code: FAILED, reason led by the wrong code: %s", r.reason);
    nd.close.wrong_code_fatal = false;
    nd.close.wrong_closer_fatal = true;
    r.closer = BY_US;
    r.killed = true;
    r.kill_ms = 1000;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && starts_with(r.reason, "expected the peer to fail the connection"),
       "fatal-closer: FAILED, reason led by the closer: %s", r.reason);
    nd.close.wrong_closer_fatal = false;
    nd.close.by = CLOSER_US;
    nd.close.clean_required = true;
    r = clean_result(&nd);
    r.tcp_closed_by = BY_US;
    judge_case(&r);
    ok(r.outcome == VERDICT_NON_STRICT && r.close_outcome == CLOSE_UNCLEAN &&
           starts_with(r.reason, "closing handshake not clean") && strstr(r.reason, "NON-STRICT sequence"),
       "UNCLEAN leads a NON-STRICT sequence: %s", r.reason);

    /* A reason that does not fit ends with "...". */
    header_match big = {.name = "X-Long", .value = "0123456789012345678901234567890123456789"
                                                   "0123456789012345678901234567890123456789"};
    expected_event longs[8];
    for (int i = 0; i < 8; i++)
        longs[i] = (expected_event){.kind = EVENT_HTTP, .status_min = 400, .status_max = 400,
                                    .repeat = 1, .headers = &big, .header_count = 1};
    expectation lx = {.verdict = VERDICT_OK, .events = longs, .event_count = 8};
    case_def ld = {.id = "l", .expectations = &lx, .expectation_count = 1, .close = {.by = CLOSER_NONE}};
    r = clean_result(&ld);
    r.handshake_done = false;
    r.event_count = 0;
    judge_case(&r);
    size_t n = strlen(r.reason);
    ok(n == sizeof r.reason - 1 && strcmp(r.reason + n - 3, "...") == 0,
       "a reason cut at the buffer's end says so with \"...\"");
}

/* `tolerate` lines: closes the RFC does not forbid. */
static void tolerated_closes(void)
{
    /* L.3: a frame declaring 1 TiB. */
    expected_event still_open = {.kind = EVENT_TIMEOUT, .tag = "still-open", .repeat = 1};
    expectation l3x[2] = {{.verdict = VERDICT_OK},
                          {.verdict = VERDICT_NON_STRICT, .events = &still_open, .event_count = 1}};
    case_def l3 = {.id = "L.3", .expectations = l3x, .expectation_count = 2,
                   .close = {.by = CLOSER_PEER, .codes = {1009, 1002}, .code_count = 2}};
    l3.close.tolerate[SITUATION_KILL] = (close_tolerance){
        .allowed = true, .verdict = VERDICT_NON_STRICT, .why = "10.4's limit is a SHOULD"};
    observed_event tick = {.kind = EVENT_TIMEOUT, .tag = "still-open"};
    case_result r = clean_result(&l3);
    r.closer = BY_US;
    r.killed = true;
    r.kill_ms = 5000;
    r.suite_close = true;
    r.our_close_code = 1001;
    r.peer_sent_close = false;
    r.peer_close_code = -1;
    r.tcp_closed_by = BY_US;
    r.events = &tick;
    r.event_count = 1;
    judge_case(&r);
    ok(r.outcome == VERDICT_NON_STRICT && r.close_outcome == CLOSE_OK && !result_failed(&r),
       "L.3 still waiting at the kill timer: NON-STRICT, close OK");
    ok(starts_with(r.reason, "the peer did not fail the connection within the 5000 ms kill timer; "
                             "expected 1009/1002 or a TCP drop (tolerated as NON-STRICT: 10.4's limit "
                             "is a SHOULD)"),
       "the reason says the kill timer and why it is tolerated: %s", r.reason);

    observed_event hello[2] = {message(WS_OP_TEXT, "Hello"), tick};
    r.events = hello;
    r.event_count = 2;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_FAILED &&
           starts_with(r.reason, "expected nothing (OK) or timeout still-open (NON-STRICT); observed "
                                 "message text (5 B), timeout still-open") &&
           strstr(r.reason, "tolerated") == NULL,
       "L.4's echo of Hello (a 32-bit length) stays FAILED, its kill not excused: %s", r.reason);
    snprintf(r.violation, sizeof r.violation, "the peer broke the protocol: masked frame");
    r.events = &tick;
    r.event_count = 1;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_FAILED,
       "nor is the kill of a peer that broke the protocol");

    r = clean_result(&l3);
    r.closer = BY_PEER;
    r.peer_close_code = 1009;
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK && r.reason[0] == '\0',
       "failing fast with 1009 stays OK");

    r = clean_result(&l3);
    r.closer = BY_US;
    r.suite_close = true;
    r.our_close_code = 1000; /* close-after, not the kill timer */
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_FAILED, "the suite closing for another reason is not tolerated");

    l3.close.tolerate[SITUATION_KILL].allowed = false;
    r = clean_result(&l3);
    r.closer = BY_US;
    r.killed = true;
    r.suite_close = true;
    r.our_close_code = 1001;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_FAILED, "without the tolerate line the kill timer still fails");

    /* C.1.1: close code 1012 answered with 1002. */
    case_def c1 = {.id = "C.1.1", .close = {.by = CLOSER_US, .codes = {1000}, .code_count = 1,
                                            .echo_code = true, .clean_required = true,
                                            .wrong_code_fatal = true,
                                            .tolerated_codes = {1002}, .tolerated_code_count = 1}};
    c1.close.tolerate[SITUATION_CODE] = (close_tolerance){
        .allowed = true, .verdict = VERDICT_NON_STRICT, .why = "1012 is not defined by RFC 6455"};
    r = clean_result(&c1);
    r.our_close_code = 1012;
    r.peer_close_code = 1002;
    judge_case(&r);
    ok(r.outcome == VERDICT_NON_STRICT && r.close_outcome == CLOSE_OK &&
           strcmp(r.reason, "the peer closed with 1002; expected 1000/echo (tolerated as NON-STRICT: "
                            "1012 is not defined by RFC 6455)") == 0,
       "1002 for 1012: NON-STRICT, close OK: %s", r.reason);
    r.peer_close_code = 1012;
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK, "echoing 1012: OK");
    r.peer_close_code = 1000;
    judge_case(&r);
    ok(r.outcome == VERDICT_OK && r.close_outcome == CLOSE_OK, "answering 1000: OK");
    r.peer_close_code = 1011;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_WRONG_CODE,
       "an untolerated code (1011) is still WRONG CODE, fatal");
    r.peer_close_code = 1002;
    snprintf(r.violation, sizeof r.violation, "the peer broke the protocol: masked frame");
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_WRONG_CODE,
       "1002 from a peer that broke the protocol is not excused");
    r.violation[0] = '\0';
    r = clean_result(&c1);
    r.our_close_code = 1012;
    r.peer_close_code = 1002;
    r.tcp_closed_by = BY_US;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_UNCLEAN, "a tolerated code does not excuse an unclean close");

    /* L.10: pings under a flood. */
    payload flood = literal("flood");
    expected_event all = {.kind = EVENT_PONG, .match = MATCH_BYTES, .data = flood, .repeat = 1000};
    expected_event some = {.kind = EVENT_PONG, .match = MATCH_BYTES, .data = flood, .repeat = 1,
                           .repeat_max = 999};
    expectation fx[2] = {{.verdict = VERDICT_OK, .events = &all, .event_count = 1},
                         {.verdict = VERDICT_INFORMATIONAL, .events = &some, .event_count = 1}};
    case_def f = {.id = "L.10", .expectations = fx, .expectation_count = 2,
                  .close = {.by = CLOSER_US, .codes = {1000}, .code_count = 1, .clean_required = true}};
    f.close.tolerate[SITUATION_PEER_CLOSE] = (close_tolerance){
        .allowed = true, .verdict = VERDICT_INFORMATIONAL, .why = "no MUST to stay open"};
    f.close.tolerate[SITUATION_PEER_DROP] = (close_tolerance){
        .allowed = true, .verdict = VERDICT_NON_STRICT, .why = "7.1.7 is a SHOULD"};
    observed_event pongs[5];
    for (int i = 0; i < 5; i++)
        pongs[i] = (observed_event){.kind = EVENT_PONG, .data = (uint8_t *)"flood", .length = 5};
    r = clean_result(&f);
    r.closer = BY_PEER;
    r.peer_close_code = 1008;
    snprintf(r.peer_close_reason, sizeof r.peer_close_reason, "flood");
    r.events = pongs;
    r.event_count = 5;
    judge_case(&r);
    ok(r.outcome == VERDICT_INFORMATIONAL && r.close_outcome == CLOSE_OK &&
           strcmp(r.reason, "the peer closed the connection first with close 1008 \"flood\"; expected "
                            "the suite to close it (tolerated as INFORMATIONAL: no MUST to stay open); "
                            "INFORMATIONAL sequence: pong (5 B) x5 (OK: pong \"flood\" x1000)") == 0,
       "a Close under the flood after 5 pongs: INFORMATIONAL with the count and the code: %s", r.reason);
    r.event_count = 0;
    r.peer_close_code = 1013;
    r.peer_close_reason[0] = '\0';
    judge_case(&r);
    ok(r.outcome == VERDICT_INFORMATIONAL && r.close_outcome == CLOSE_OK &&
           strstr(r.reason, "close 1013") &&
           strstr(r.reason, "observed nothing, the beginning of the OK sequence pong \"flood\" x1000"),
       "a Close before any pong: INFORMATIONAL, graded as the beginning of a sequence: %s", r.reason);
    pongs[2].data = (uint8_t *)"flooe";
    r.event_count = 5;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_FAILED &&
           starts_with(r.reason, "expected pong \"flood\" x1000 (OK)") &&
           strstr(r.reason, "the peer closed the connection first with close 1013") &&
           strstr(r.reason, "tolerated") == NULL,
       "a wrong pong before the Close fails, and the Close is not excused: %s", r.reason);
    pongs[2].data = (uint8_t *)"flood";
    r.tcp_closed_by = BY_US;
    r.dropped_after_close_wait = true;
    judge_case(&r);
    is_int(r.close_outcome, CLOSE_UNCLEAN, "a tolerated Close must still end cleanly");

    r = clean_result(&f);
    r.closer = BY_PEER;
    r.peer_sent_close = false;
    r.peer_close_code = -1;
    r.close_written = false;
    r.events = pongs;
    r.event_count = 3;
    judge_case(&r);
    ok(r.outcome == VERDICT_NON_STRICT && r.close_outcome == CLOSE_OK &&
           starts_with(r.reason, "the peer dropped TCP without a Close; expected the suite to close the "
                                 "connection (tolerated as NON-STRICT: 7.1.7 is a SHOULD)"),
       "a TCP drop under the flood: NON-STRICT: %s", r.reason);

    r = clean_result(&f);
    r.event_count = 0;
    judge_case(&r);
    ok(r.outcome == VERDICT_FAILED && r.close_outcome == CLOSE_OK &&
           starts_with(r.reason, "expected pong \"flood\" x1000 (OK) or pong \"flood\" x1-999 "
                                 "(INFORMATIONAL); observed nothing"),
       "the connection kept open and no pong at all: FAILED (5.5.2): %s", r.reason);
    r.events = pongs;
    r.event_count = 4;
    judge_case(&r);
    ok(r.outcome == VERDICT_INFORMATIONAL && r.close_outcome == CLOSE_OK,
       "fewer pongs with the connection kept open: INFORMATIONAL (5.5.3)");

    f.close.tolerate[SITUATION_PEER_CLOSE].allowed = false;
    r = clean_result(&f);
    r.closer = BY_PEER;
    r.peer_close_code = 1008;
    r.events = pongs;
    r.event_count = 5;
    judge_case(&r);
    ok(r.close_outcome == CLOSE_FAILED && starts_with(r.reason, "the peer closed the connection first"),
       "without the tolerate line the peer's Close fails the close: %s", r.reason);

    /* The worse verdict wins: an INFORMATIONAL tolerance after a NON-STRICT sequence. */
    expectation ns[2] = {{.verdict = VERDICT_OK, .events = &all, .event_count = 1},
                         {.verdict = VERDICT_NON_STRICT, .events = &some, .event_count = 1}};
    f.expectations = ns;
    f.close.tolerate[SITUATION_PEER_CLOSE].allowed = true;
    judge_case(&r);
    is_int(r.outcome, VERDICT_NON_STRICT, "NON-STRICT sequence and INFORMATIONAL tolerance: NON-STRICT");
}

/* ---- judge_still_possible ------------------------------------------------ */

/* A result with the connection open: more events may come. */
static case_result open_result(const case_def *d)
{
    case_result r;
    memset(&r, 0, sizeof r);
    r.def = d;
    r.handshake_done = true;
    r.connected = true;
    r.peer_close_code = -1;
    return r;
}

static void still_possible(void)
{
    /* No expectation line: "nothing". */
    case_def none = {.id = "n", .close = {.by = CLOSER_US}};
    case_result r = open_result(&none);
    ok(judge_still_possible(&none, &r), "nothing expected, nothing yet: possible");
    observed_event m1 = message(WS_OP_TEXT, "Hello");
    r.events = &m1;
    r.event_count = 1;
    ok(!judge_still_possible(&none, &r), "nothing expected, a message came: impossible");

    /* Echo: the k-th message compares with the k-th sent; one not sent yet may still come. */
    payload hello = literal("Hello");
    sent_slice s1 = {&hello, 0, 5};
    sent_message sent = {.opcode = WS_OP_TEXT, .slices = &s1, .slice_count = 1, .length = 5};
    expected_event echo2 = {.kind = EVENT_MESSAGE, .opcode = WS_OP_TEXT, .match = MATCH_ECHO, .repeat = 2};
    expectation ex = {.verdict = VERDICT_OK, .events = &echo2, .event_count = 1};
    case_def d = {.id = "e", .expectations = &ex, .expectation_count = 1, .close = {.by = CLOSER_US}};
    r = open_result(&d);
    r.sent_messages = &sent;
    r.sent_message_count = 1;
    observed_event got[3] = {message(WS_OP_TEXT, "Hello"), message(WS_OP_TEXT, "World"),
                             message(WS_OP_TEXT, "x")};
    r.events = got;
    r.event_count = 0;
    ok(judge_still_possible(&d, &r), "echo x2: nothing yet");
    r.event_count = 1;
    ok(judge_still_possible(&d, &r), "echo x2: the first echo");
    r.event_count = 2;
    ok(judge_still_possible(&d, &r), "echo x2: a second message, whose original is not sent yet");
    verdict v;
    is_int(judge_match(&d, &r, &v), -1, "... which judge_match does not accept as an echo");
    r.event_count = 3;
    ok(!judge_still_possible(&d, &r), "echo x2: a third message is one too many");
    got[0] = message(WS_OP_TEXT, "Hellp");
    r.event_count = 1;
    ok(!judge_still_possible(&d, &r), "echo x2: a first message unlike the one sent");
    got[0] = message(WS_OP_BINARY, "Hello");
    ok(!judge_still_possible(&d, &r), "echo x2: binary where text is expected");
    got[0] = (observed_event){.kind = EVENT_MESSAGE, .opcode = WS_OP_TEXT, .length = 5};
    ok(!judge_still_possible(&d, &r), "echo x2: a message over the cap cannot be compared");

    /* Ranges: pong x0-3 then pong x1-2 (1 to 5 pongs in all). */
    expected_event ranged[2] = {{.kind = EVENT_PONG, .repeat = 0, .repeat_max = 3},
                                {.kind = EVENT_PONG, .repeat = 1, .repeat_max = 2}};
    expectation rx = {.verdict = VERDICT_INFORMATIONAL, .events = ranged, .event_count = 2};
    case_def rd = {.id = "r", .expectations = &rx, .expectation_count = 1, .close = {.by = CLOSER_US}};
    observed_event many[7];
    for (size_t i = 0; i < 7; i++)
        many[i] = (observed_event){.kind = EVENT_PONG};
    r = open_result(&rd);
    r.events = many;
    for (size_t n = 0; n <= 6; n++) {
        r.event_count = n;
        is_int(judge_still_possible(&rd, &r), n <= 5, "pong x0-3, pong x1-2 after %zu pongs", n);
    }
    many[2] = (observed_event){.kind = EVENT_PING};
    r.event_count = 3;
    ok(!judge_still_possible(&rd, &r), "a ping among the pongs: impossible");

    /* A range in the middle: message x1-2, then a pong. */
    expected_event mid[2] = {{.kind = EVENT_MESSAGE, .repeat = 1, .repeat_max = 2},
                             {.kind = EVENT_PONG, .repeat = 1}};
    expectation mx = {.verdict = VERDICT_OK, .events = mid, .event_count = 2};
    case_def md = {.id = "m", .expectations = &mx, .expectation_count = 1, .close = {.by = CLOSER_US}};
    observed_event msgs[3] = {message(WS_OP_TEXT, "a"), message(WS_OP_TEXT, "b"),
                              message(WS_OP_TEXT, "c")};
    r = open_result(&md);
    r.events = msgs;
    r.event_count = 2;
    ok(judge_still_possible(&md, &r), "message x1-2, pong: two messages");
    r.event_count = 3;
    ok(!judge_still_possible(&md, &r), "message x1-2, pong: three messages");
    msgs[1] = (observed_event){.kind = EVENT_PONG};
    r.event_count = 2;
    ok(judge_still_possible(&md, &r), "message x1-2, pong: message then pong (complete)");
    r.events = &msgs[1];
    r.event_count = 1;
    ok(!judge_still_possible(&md, &r), "message x1-2, pong: a pong first");

    /* Bytes. */
    payload flood = literal("flood");
    expected_event fl = {.kind = EVENT_PONG, .match = MATCH_BYTES, .data = flood, .repeat = 1000};
    expectation fx = {.verdict = VERDICT_OK, .events = &fl, .event_count = 1};
    case_def fd = {.id = "f", .expectations = &fx, .expectation_count = 1, .close = {.by = CLOSER_US}};
    static observed_event floods[1001];
    for (size_t i = 0; i < 1001; i++)
        floods[i] = (observed_event){.kind = EVENT_PONG, .data = (uint8_t *)"flood", .length = 5};
    r = open_result(&fd);
    r.events = floods;
    r.event_count = 999;
    ok(judge_still_possible(&fd, &r), "pong \"flood\" x1000 after 999");
    r.event_count = 1000;
    ok(judge_still_possible(&fd, &r), "... after 1000");
    r.event_count = 1001;
    ok(!judge_still_possible(&fd, &r), "... not after 1001");
    floods[500].data = (uint8_t *)"flooe";
    r.event_count = 600;
    ok(!judge_still_possible(&fd, &r), "... nor with a wrong payload in the middle");

    /* HTTP answers come first and alone, and only before the handshake completes. */
    expected_event h426 = {.kind = EVENT_HTTP, .status_min = 426, .status_max = 426, .repeat = 1};
    expectation hx = {.verdict = VERDICT_OK, .events = &h426, .event_count = 1};
    case_def hd = {.id = "h", .expectations = &hx, .expectation_count = 1, .close = {.by = CLOSER_NONE}};
    r = open_result(&hd);
    r.handshake_done = false;
    ok(judge_still_possible(&hd, &r), "http 426 before any answer");
    r.handshake_done = true;
    ok(!judge_still_possible(&hd, &r), "http 426 once the handshake completed: impossible");
    r.handshake_done = false;
    observed_event ans = {.kind = EVENT_HTTP, .status = 426};
    r.events = &ans;
    r.event_count = 1;
    ok(judge_still_possible(&hd, &r), "http 426 answered");
    ans.status = 500;
    ok(!judge_still_possible(&hd, &r), "http 500 where 426 is expected");
    ans.status = 426;
    expected_event then_msg[2] = {h426, {.kind = EVENT_MESSAGE, .repeat = 1}};
    hx.events = then_msg;
    hx.event_count = 2;
    ok(!judge_still_possible(&hd, &r), "nothing can follow an HTTP answer");
    r.event_count = 0;
    expected_event msg_then[2] = {{.kind = EVENT_MESSAGE, .repeat = 1}, h426};
    hx.events = msg_then;
    ok(!judge_still_possible(&hd, &r), "an HTTP answer cannot come second");
    expected_event twice = h426;
    twice.repeat = 2;
    hx.events = &twice;
    hx.event_count = 1;
    ok(!judge_still_possible(&hd, &r), "nor twice");

    /* Timeouts by tag, several expectations. */
    expected_event ab[2] = {{.kind = EVENT_TIMEOUT, .tag = "A", .repeat = 1},
                            {.kind = EVENT_TIMEOUT, .tag = "B", .repeat = 1}};
    expectation tx[2] = {{.verdict = VERDICT_OK, .events = ab, .event_count = 1},
                         {.verdict = VERDICT_NON_STRICT, .events = ab, .event_count = 2}};
    case_def td = {.id = "6.4.3", .expectations = tx, .expectation_count = 2,
                   .close = {.by = CLOSER_PEER}};
    observed_event ticks[2] = {{.kind = EVENT_TIMEOUT, .tag = "A"}, {.kind = EVENT_TIMEOUT, .tag = "B"}};
    r = open_result(&td);
    r.events = ticks;
    r.event_count = 2;
    ok(judge_still_possible(&td, &r), "timeout A, timeout B: the NON-STRICT sequence");
    r.events = &ticks[1];
    r.event_count = 1;
    ok(!judge_still_possible(&td, &r), "timeout B first: impossible");
    ticks[1].tag = "A";
    r.events = ticks;
    r.event_count = 2;
    ok(!judge_still_possible(&td, &r), "timeout A twice: impossible");

    /* Once the peer closed, only a complete match counts. */
    r = open_result(&d);
    r.sent_messages = &sent;
    r.sent_message_count = 1;
    got[0] = message(WS_OP_TEXT, "Hello");
    r.events = got;
    r.event_count = 1;
    r.peer_sent_close = true;
    ok(!judge_still_possible(&d, &r), "echo x2 with one echo and the peer's Close: impossible");
    r.peer_sent_close = false;
    r.tcp_closed_by = BY_PEER;
    ok(!judge_still_possible(&d, &r), "... and after its TCP drop");
    r.event_count = 0;
    r.tcp_closed_by = NOBODY;
    none.close.by = CLOSER_PEER;
    r.def = &none;
    r.peer_sent_close = true;
    ok(judge_still_possible(&none, &r), "nothing expected, the peer closed: complete");
}

/* judge_match and judge_still_possible against brute force, on random
 * ranged expectations over pings and pongs. */
static bool brute_exact(const expected_event *x, size_t items, const event_kind *seq, size_t n)
{
    if (items == 0)
        return n == 0;
    size_t least = x->repeat; /* the generator writes at least 1 for an exact count */
    size_t most = x->repeat_max ? x->repeat_max : least;
    for (size_t t = 0; t <= most && t <= n; t++) {
        if (t > 0 && seq[t - 1] != x->kind)
            break;
        if (t >= least && brute_exact(x + 1, items - 1, seq + t, n - t))
            return true;
    }
    return false;
}

static bool brute_prefix(const expected_event *x, size_t items, event_kind *seq, size_t n, size_t room)
{
    if (brute_exact(x, items, seq, n))
        return true;
    if (room == 0)
        return false;
    for (int k = 0; k < 2; k++) {
        seq[n] = k ? EVENT_PONG : EVENT_PING;
        if (brute_prefix(x, items, seq, n + 1, room - 1))
            return true;
    }
    return false;
}

static void matcher_against_brute_force(void)
{
    uint32_t seed = 12345;
#define NEXT() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
    int exact_wrong = 0, prefix_wrong = 0, trials = 400;
    for (int t = 0; t < trials; t++) {
        expected_event x[3];
        size_t items = 1 + NEXT() % 3;
        for (size_t i = 0; i < items; i++) {
            uint32_t least = NEXT() % 3;
            x[i] = (expected_event){.kind = NEXT() % 2 ? EVENT_PONG : EVENT_PING};
            if (NEXT() % 2) {
                x[i].repeat = least;
                x[i].repeat_max = least + NEXT() % 3;
                if (x[i].repeat_max == 0)
                    x[i].repeat_max = 1;
            } else {
                x[i].repeat = least ? least : 1;
            }
        }
        expectation e = {.verdict = VERDICT_OK, .events = x, .event_count = items};
        case_def d = {.id = "b", .expectations = &e, .expectation_count = 1, .close = {.by = CLOSER_US}};
        size_t n = NEXT() % 7;
        event_kind kinds[32];
        observed_event obs[8];
        for (size_t i = 0; i < n; i++) {
            kinds[i] = NEXT() % 2 ? EVENT_PONG : EVENT_PING;
            obs[i] = (observed_event){.kind = kinds[i]};
        }
        case_result r = open_result(&d);
        r.events = obs;
        r.event_count = n;
        verdict v;
        bool exact = judge_match(&d, &r, &v) >= 0;
        bool prefix = judge_still_possible(&d, &r);
        exact_wrong += exact != brute_exact(x, items, kinds, n);
        prefix_wrong += prefix != brute_prefix(x, items, kinds, n, 12);
    }
#undef NEXT
    is_int(exact_wrong, 0, "judge_match agrees with brute force on %d random cases", trials);
    is_int(prefix_wrong, 0, "judge_still_possible agrees with brute force on %d random cases", trials);
}

int main(void)
{
    reasons_name_every_expectation();
    header_lists();
    echo_matching();
    verdict_sequences();
    close_order();
    other_events();
    suite_close_echo();
    complete_reasons();
    tolerated_closes();
    still_possible();
    matcher_against_brute_force();
    return done_testing();
}
