/*
 * The case language (harness/lang/caselang.c and the parser files beside
 * it), payload helpers (harness/lang/case.c) and the catalog
 * (harness/lang/catalog.c). Every parse reads its input from a
 * buffer that ends right before an unreadable page and has no terminator.
 * Run from the repository root (it checks every file under cases/).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/case.h"
#include "lang/caselang.h"
#include "lang/catalog.h"
#include "cli/commands.h"
#include "guard.h"
#include "lang/payload.h"
#include "tap.h"
#include "wscodec/frame.h"

#ifndef WSCONFORM_CASES_DIR
#define WSCONFORM_CASES_DIR "cases"
#endif

/* A valid case header: four lines, so a directive after it is on line 5. */
#define HDR "case 1\n  title T\n  rfc 5.2\n  require r\n"

static int parse_n(const char *text, size_t len, const char *file, bool files, case_list *l,
                   caselang_error *e)
{
    guarded g = guard_copy(text, len);
    int rc = caselang_parse((const char *)g.data, len, file, files, l, e);
    guard_free(&g); /* nothing parsed may point into the input */
    return rc;
}

static int parse(const char *text, case_list *l, caselang_error *e)
{
    return parse_n(text, strlen(text), "t.case", true, l, e);
}

/* Parses one case expecting success; returns it (the list keeps it). */
static const case_def *one(const char *text, case_list *l)
{
    caselang_error e;
    case_list_free(l);
    if (parse(text, l, &e) != 0) {
        tap_diag("unexpected error: line %d: %s", e.line, e.message);
        return NULL;
    }
    return l->count ? &l->cases[l->count - 1] : NULL;
}

static bool payload_is(const payload *p, const void *bytes, size_t n)
{
    return payload_equal_bytes(p, bytes, n);
}

static bool str_is(const char *got, const char *want)
{
    if (!got || !want)
        return got == want;
    return strcmp(got, want) == 0;
}

/* ---- metadata and defaults ------------------------------------------------ */

static void test_metadata_and_defaults(void)
{
    case_list l = {0};
    const case_def *c = one("# leading comment\n"
                            "\n"
                            "case 1.1.1   # trailing comment\n"
                            "  title   \"Quoted \\\"title\\\" # not a comment\"\n"
                            "  rfc     5.4, 5.5\n"
                            "  require first part\n"
                            "  require   second part  \n"
                            "  note    n1\n"
                            "  note    n2\n",
                            &l);
    ok(c != NULL, "a minimal case parses");
    if (!c)
        return;
    ok(str_is(c->id, "1.1.1"), "id");
    ok(str_is(c->title, "Quoted \"title\" # not a comment"), "a quoted title is unquoted, # inside quotes kept");
    ok(str_is(c->rfc, "5.4, 5.5"), "rfc is the rest of the line");
    ok(str_is(c->requirement, "first part second part"), "require lines are joined with one space");
    ok(str_is(c->note, "n1 n2"), "note lines are joined");
    ok(str_is(c->file, "t.case"), "file name stored");
    is_int(c->line, 3, "line of the case line");
    is_int(c->kill_ms, 2000, "kill defaults to 2 s");
    is_int(c->close_after_ms, 0, "no close-after by default");
    ok(!c->informational, "not informational by default");
    is_int(c->close.by, CLOSER_US, "default close: us");
    is_int(c->close.code_count, 1, "default close: one code");
    is_int(c->close.codes[0], 1000, "default close: 1000");
    ok(c->close.clean_required && !c->close.echo_code && !c->close.wrong_code_fatal &&
           !c->close.wrong_closer_fatal, "default close: clean, no echo, nothing fatal");
    is_int(c->expectation_count, 1, "default expectation present");
    is_int(c->expectations[0].verdict, VERDICT_OK, "default expectation: OK");
    is_int(c->expectations[0].event_count, 0, "default expectation: nothing");
    is_int(c->step_count, 0, "no steps");
    is_int(c->initial_mode, WRITE_WHOLE, "initial write mode whole");
    ok(!c->request.method && !c->request.target && !c->request.version && c->request.edit_count == 0 &&
           c->request.raw.length == 0 && c->request.trickle == 0 && !c->request.eager,
       "request defaults: nothing set");

    c = one("case A\r\n title plain title\r\n rfc 1\r\n require r\r\n", &l);
    ok(c && str_is(c->title, "plain title"), "CRLF line ends");

    caselang_error e;
    case_list_free(&l);
    is_int(parse_n(HDR, strlen(HDR), NULL, true, &l, &e), 0, "no file name");
    ok(l.count == 1 && str_is(l.cases[0].file, "<input>"), "no file name reads <input>");
    case_list_free(&l);
}

/* ---- opening handshake ---------------------------------------------------- */

static void test_request(void)
{
    case_list l = {0};
    const case_def *c = one(HDR "  request method POST\n"
                                "  request target \"/a path\"\n"
                                "  request version HTTP/1.0\n"
                                "  request header add X-One: a b c\n"
                                "  request header set Origin: \" spaced \"\n"
                                "  request header set Empty:\n"
                                "  request header remove Sec-WebSocket-Key\n"
                                "  request trickle 1 10ms\n"
                                "  request eager\n",
                            &l);
    ok(c != NULL, "request directives parse");
    if (!c)
        return;
    const request_spec *rq = &c->request;
    ok(str_is(rq->method, "POST"), "method");
    ok(str_is(rq->target, "/a path"), "quoted target");
    ok(str_is(rq->version, "HTTP/1.0"), "version");
    is_int(rq->edit_count, 4, "four header edits in order");
    ok(rq->edits[0].op == HEADER_ADD && str_is(rq->edits[0].name, "X-One") &&
           str_is(rq->edits[0].value, "a b c"), "add: value is the trimmed rest of the line");
    ok(rq->edits[1].op == HEADER_SET && str_is(rq->edits[1].value, " spaced "),
       "set: a quoted value keeps its spaces");
    ok(rq->edits[2].op == HEADER_SET && str_is(rq->edits[2].value, ""), "set: empty value");
    ok(rq->edits[3].op == HEADER_REMOVE && str_is(rq->edits[3].name, "Sec-WebSocket-Key") &&
           rq->edits[3].value == NULL, "remove: name only");
    is_int(rq->trickle, 1, "trickle size");
    is_int(rq->trickle_ms, 10, "trickle pause");
    ok(rq->eager, "eager");

    c = one(HDR "  request raw \"GET / HTTP/1.1\\r\\n\\r\\n\"\n  request trickle 2Ki\n", &l);
    ok(c && payload_is(&c->request.raw, "GET / HTTP/1.1\r\n\r\n", 18), "raw request bytes");
    ok(c && c->request.trickle == 2048 && c->request.trickle_ms == 0, "trickle without a pause");
    case_list_free(&l);
}

/* ---- steps ---------------------------------------------------------------- */

static void test_send(void)
{
    case_list l = {0};
    const case_def *c = one(HDR "  send text\n"
                                "  send binary \"ab\" fin=0 rsv=5 mask=off\n"
                                "  send continuation empty mask=0a0B0c0D len=1000 form=64 chop=3\n"
                                "  send 3 hex:01\n"
                                "  send 15 mask=random\n"
                                "  send ping form=16\n"
                                "  send pong \"x\" form=7\n"
                                "  send close code=1001 reason=\"bye\"\n"
                                "  send close \"a\"\n"
                                "  send close code=4999\n"
                                "  send text repeat(\"*\", 10) fragment=4 rsv=1\n"
                                "  send 5 \"abc\" fragment=1Ki\n"
                                "  send text len=18446744073709551615\n",
                            &l);
    ok(c != NULL, "send lines parse");
    if (!c)
        return;
    is_int(c->step_count, 13, "one step per send");
    const step *s = c->steps;
    ok(s[0].kind == STEP_FRAME && s[0].opcode == WS_OP_TEXT && s[0].fin && s[0].rsv == 0 &&
           s[0].mask == MASK_RANDOM && !s[0].declare_length && s[0].length_form == 0 &&
           s[0].chop == 0 && s[0].data.length == 0, "send text: defaults, empty payload");
    is_int(s[0].line, 5, "step line");
    ok(s[1].opcode == WS_OP_BINARY && !s[1].fin && s[1].rsv == 5 && s[1].mask == MASK_OFF &&
           payload_is(&s[1].data, "ab", 2), "binary with fin=0 rsv=5 mask=off");
    static const uint8_t key[4] = {0x0a, 0x0b, 0x0c, 0x0d};
    ok(s[2].opcode == WS_OP_CONTINUATION && s[2].mask == MASK_KEY &&
           memcmp(s[2].mask_key, key, 4) == 0, "continuation with a mask key");
    ok(s[2].declare_length && s[2].declared_length == 1000 && s[2].length_form == WS_LENGTH_64 &&
           s[2].chop == 3 && s[2].data.length == 0, "len=, form=64, chop=");
    ok(s[3].opcode == 3 && payload_is(&s[3].data, "\x01", 1), "integer opcode 3");
    ok(s[4].opcode == 15 && s[4].mask == MASK_RANDOM, "integer opcode 15, mask=random");
    ok(s[5].opcode == WS_OP_PING && s[5].length_form == WS_LENGTH_16, "ping form=16");
    ok(s[6].opcode == WS_OP_PONG && s[6].length_form == WS_LENGTH_7, "pong form=7");
    ok(s[7].opcode == WS_OP_CLOSE && payload_is(&s[7].data, "\x03\xe9" "bye", 5),
       "close code= and reason= are built big-endian into the payload");
    ok(payload_is(&s[8].data, "a", 1), "close with a positional payload");
    ok(payload_is(&s[9].data, "\x13\x87", 2), "close code=4999 without a reason");
    ok(s[10].kind == STEP_MESSAGE && s[10].opcode == WS_OP_TEXT && s[10].fragment == 4 &&
           s[10].rsv == 1 && s[10].data.length == 10, "fragment= makes a message step");
    ok(s[11].kind == STEP_MESSAGE && s[11].opcode == 5 && s[11].fragment == 1024,
       "fragment= on a data opcode given as integer");
    ok(s[12].declare_length && s[12].declared_length == UINT64_MAX, "len= takes any 64-bit value");

    c = one(HDR "  send text \"0123456789\" form=7 len=125\n"
                "  send binary repeat(\"x\", 200) form=16\n",
            &l);
    ok(c && c->step_count == 2, "form= checks the declared length, else the actual one");
    case_list_free(&l);
}

static void test_stream_raw_write_wait_loop(void)
{
    case_list l = {0};
    const case_def *c = one(HDR "  write chop 2\n"
                                "  send-begin text len=21 fin=0 rsv=2 mask=off form=16\n"
                                "  send-data hex:ce_ba chop=1\n"
                                "  wait 1s A\n"
                                "  send-data \"rest\"\n"
                                "  send-raw hex:8100 chop=1\n"
                                "  write frames\n"
                                "  write whole\n"
                                "  write chop 1Ki\n"
                                "  wait 250ms\n"
                                "  await\n"
                                "  await 1.5s\n",
                            &l);
    ok(c != NULL, "streaming, raw, write, wait lines parse");
    if (!c)
        return;
    is_int(c->initial_mode, WRITE_CHOP, "write before the first step sets the initial mode");
    is_int(c->initial_chop, 2, "initial chop size");
    is_int(c->step_count, 11, "the first write is not a step");
    const step *s = c->steps;
    ok(s[0].kind == STEP_FRAME_BEGIN && s[0].opcode == WS_OP_TEXT && s[0].declare_length &&
           s[0].declared_length == 21 && !s[0].fin && s[0].rsv == 2 && s[0].mask == MASK_OFF &&
           s[0].length_form == WS_LENGTH_16, "send-begin: header fields");
    ok(s[1].kind == STEP_FRAME_DATA && payload_is(&s[1].data, "\xce\xba", 2) && s[1].chop == 1,
       "send-data with chop");
    ok(s[2].kind == STEP_WAIT && s[2].wait_ms == 1000 && str_is(s[2].tag, "A"), "wait with a tag");
    ok(s[3].kind == STEP_FRAME_DATA && payload_is(&s[3].data, "rest", 4), "second send-data");
    ok(s[4].kind == STEP_RAW && payload_is(&s[4].data, "\x81\x00", 2) && s[4].chop == 1, "send-raw");
    ok(s[5].kind == STEP_WRITE_MODE && s[5].mode == WRITE_FRAMES, "write frames");
    ok(s[6].kind == STEP_WRITE_MODE && s[6].mode == WRITE_WHOLE, "write whole");
    ok(s[7].kind == STEP_WRITE_MODE && s[7].mode == WRITE_CHOP && s[7].mode_chop == 1024, "write chop 1Ki");
    ok(s[8].kind == STEP_WAIT && s[8].wait_ms == 250 && s[8].tag == NULL, "wait without a tag");
    ok(s[9].kind == STEP_AWAIT && s[9].wait_ms == 0, "await without a duration");
    ok(s[10].kind == STEP_AWAIT && s[10].wait_ms == 1500, "await 1.5s");

    c = one(HDR "  loop 2\n"
                "    send ping\n"
                "    loop 3\n"
                "      send pong\n"
                "    end-loop\n"
                "  end-loop\n"
                "  loop 0\n"
                "  end-loop\n",
            &l);
    ok(c && c->step_count == 8, "nested loops parse");
    if (c && c->step_count == 8) {
        s = c->steps;
        ok(s[0].kind == STEP_LOOP && s[0].count == 2 && s[0].loop_end == 5, "outer loop: count, end");
        ok(s[2].kind == STEP_LOOP && s[2].count == 3 && s[2].loop_end == 4, "inner loop: count, end");
        ok(s[4].kind == STEP_LOOP_END && s[5].kind == STEP_LOOP_END, "loop ends");
        ok(s[6].count == 0 && s[6].loop_end == 7, "loop 0");
    }

    /* A loop is a step: a write after it is a step too. */
    c = one(HDR "  loop 1\n  write frames\n  end-loop\n", &l);
    ok(c && c->step_count == 3 && c->steps[1].kind == STEP_WRITE_MODE, "write inside a loop is a step");
    case_list_free(&l);
}

/* ---- expectations, close, timers ------------------------------------------- */

static void test_expect(void)
{
    case_list l = {0};
    const case_def *c = one(HDR "  expect OK: message text echo, message binary hex:00ff x3, pong echo x10\n"
                                "  expect NON-STRICT: nothing\n"
                                "  expect INFORMATIONAL : ping, ping \"p\", pong \"a,b\" , message text\n"
                                "  expect UNIMPLEMENTED:timeout A, timeout b-2 x2\n"
                                "  expect OK: http 426 header \"Sec-WebSocket-Version: 13\" header \"X-A\" x1\n"
                                "  expect OK: http 400-499, message text repeat(\"ab\", 3)\n",
                            &l);
    ok(c != NULL, "expect lines parse");
    if (!c)
        return;
    is_int(c->expectation_count, 6, "six expectations, in order");
    const expectation *x = c->expectations;
    ok(x[0].verdict == VERDICT_OK && x[0].event_count == 3 && x[0].line == 5, "first: OK, 3 events, line");
    const expected_event *e = x[0].events;
    ok(e[0].kind == EVENT_MESSAGE && e[0].opcode == WS_OP_TEXT && e[0].match == MATCH_ECHO &&
           e[0].repeat == 1, "message text echo");
    ok(e[1].kind == EVENT_MESSAGE && e[1].opcode == WS_OP_BINARY && e[1].match == MATCH_BYTES &&
           payload_is(&e[1].data, "\x00\xff", 2) && e[1].repeat == 3, "message binary hex x3");
    ok(e[2].kind == EVENT_PONG && e[2].match == MATCH_ECHO && e[2].repeat == 10 &&
           e[2].repeat_max == 0, "pong echo x10");
    case_list ranged_list = {0};
    const case_def *ranged = one(HDR "  expect OK: pong echo x0-5, ping x2-3\n", &ranged_list);
    ok(ranged && ranged->expectations[0].events[0].repeat == 0 &&
           ranged->expectations[0].events[0].repeat_max == 5 &&
           ranged->expectations[0].events[1].repeat == 2 &&
           ranged->expectations[0].events[1].repeat_max == 3,
       "xMIN-MAX ranges parse");
    case_list_free(&ranged_list);
    ok(x[1].verdict == VERDICT_NON_STRICT && x[1].event_count == 0, "NON-STRICT: nothing");
    ok(x[2].verdict == VERDICT_INFORMATIONAL && x[2].event_count == 4, "INFORMATIONAL with spaces around ':'");
    e = x[2].events;
    ok(e[0].kind == EVENT_PING && e[0].match == MATCH_ANY, "ping with any payload");
    ok(e[1].kind == EVENT_PING && e[1].match == MATCH_BYTES && payload_is(&e[1].data, "p", 1), "ping payload");
    ok(e[2].kind == EVENT_PONG && payload_is(&e[2].data, "a,b", 3), "a comma inside quotes is not a separator");
    ok(e[3].kind == EVENT_MESSAGE && e[3].match == MATCH_ANY, "message text with any payload");
    ok(x[3].verdict == VERDICT_UNIMPLEMENTED && x[3].event_count == 2, "UNIMPLEMENTED without a space");
    ok(str_is(x[3].events[0].tag, "A") && x[3].events[0].kind == EVENT_TIMEOUT, "timeout A");
    ok(str_is(x[3].events[1].tag, "b-2") && x[3].events[1].repeat == 2, "timeout tag with xN");
    e = x[4].events;
    ok(e[0].kind == EVENT_HTTP && e[0].status_min == 426 && e[0].status_max == 426, "http status");
    ok(e[0].header_count == 2 && str_is(e[0].headers[0].name, "Sec-WebSocket-Version") &&
           str_is(e[0].headers[0].value, "13"), "http header with a value");
    ok(str_is(e[0].headers[1].name, "X-A") && e[0].headers[1].value == NULL, "http header present");
    e = x[5].events;
    ok(e[0].status_min == 400 && e[0].status_max == 499 && e[0].header_count == 0, "http range");
    ok(payload_is(&e[1].data, "aba", 3), "expected payload from repeat(), cut to its size");
    case_list_free(&l);
}

static void test_close_and_timers(void)
{
    case_list l = {0};
    const case_def *c = one(HDR "  close peer 1002, 1007\n  kill 500ms\n  close-after 3s\n", &l);
    ok(c && c->close.by == CLOSER_PEER && c->close.code_count == 2 && c->close.codes[0] == 1002 &&
           c->close.codes[1] == 1007, "close peer with codes written with a blank");
    ok(c && !c->close.clean_required, "peer defaults to any");
    ok(c && c->kill_ms == 500 && c->close_after_ms == 3000, "kill and close-after");

    c = one(HDR "  close us 1000,echo any fatal-code fatal-closer\n", &l);
    ok(c && c->close.by == CLOSER_US && c->close.code_count == 1 && c->close.echo_code &&
           !c->close.clean_required && c->close.wrong_code_fatal && c->close.wrong_closer_fatal,
       "close us with echo and every flag");

    c = one(HDR "  close us -\n", &l);
    ok(c && c->close.code_count == 0 && !c->close.echo_code && c->close.clean_required,
       "close us -: no code constraint, clean by default");

    c = one(HDR "  close peer 1007 clean fatal-closer\n", &l);
    ok(c && c->close.clean_required && c->close.wrong_closer_fatal && !c->close.wrong_code_fatal,
       "close peer clean");

    c = one(HDR "  close none\n", &l);
    ok(c && c->close.by == CLOSER_NONE && c->close.code_count == 0 && !c->close.clean_required,
       "close none");
    c = one(HDR "  close none -\n", &l);
    ok(c && c->close.by == CLOSER_NONE, "close none -");

    c = one(HDR "  close us 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,65535\n", &l);
    ok(c && c->close.code_count == 16 && c->close.codes[15] == 65535, "sixteen codes");

    c = one(HDR "  informational\n  expect OK: nothing\n", &l);
    ok(c && c->informational, "informational");

    c = one(HDR "  kill 86400s\n", &l);
    ok(c && c->kill_ms == 86400000u, "the longest duration");

    /* tolerate VERDICT: SITUATION "WHY" */
    c = one(HDR "  close peer 1009,1002\n"
                "  tolerate NON-STRICT: kill \"10.4's limit is a SHOULD\"\n", &l);
    ok(c && c->close.tolerate[SITUATION_KILL].allowed &&
           c->close.tolerate[SITUATION_KILL].verdict == VERDICT_NON_STRICT &&
           str_is(c->close.tolerate[SITUATION_KILL].why, "10.4's limit is a SHOULD") &&
           !c->close.tolerate[SITUATION_CODE].allowed &&
           !c->close.tolerate[SITUATION_PEER_CLOSE].allowed &&
           !c->close.tolerate[SITUATION_PEER_DROP].allowed,
       "tolerate NON-STRICT: kill, with its reason, and nothing else tolerated");

    c = one(HDR "  tolerate NON-STRICT: code 1002, 1011 \"no MUST\"\n"
                "  close us 1000,echo clean fatal-code\n", &l);
    ok(c && c->close.tolerate[SITUATION_CODE].allowed && c->close.tolerated_code_count == 2 &&
           c->close.tolerated_codes[0] == 1002 && c->close.tolerated_codes[1] == 1011 &&
           c->close.by == CLOSER_US && c->close.echo_code && c->close.wrong_code_fatal,
       "tolerate ... code before the close line survives it (codes with a blank after the comma)");

    c = one(HDR "  tolerate INFORMATIONAL: peer-close \"may close at any time\"\n"
                "  tolerate NON-STRICT: peer-drop \"SHOULD send a Close\"\n", &l);
    ok(c && c->close.by == CLOSER_US && c->close.tolerate[SITUATION_PEER_CLOSE].allowed &&
           c->close.tolerate[SITUATION_PEER_CLOSE].verdict == VERDICT_INFORMATIONAL &&
           c->close.tolerate[SITUATION_PEER_DROP].allowed &&
           c->close.tolerate[SITUATION_PEER_DROP].verdict == VERDICT_NON_STRICT &&
           str_is(c->close.tolerate[SITUATION_PEER_DROP].why, "SHOULD send a Close"),
       "peer-close and peer-drop with the default close us 1000 clean");

    c = one(HDR "  close peer 1002\n  tolerate NON-STRICT: code 1011 \"a \\\"quoted\\\" #x\"\n", &l);
    ok(c && str_is(c->close.tolerate[SITUATION_CODE].why, "a \"quoted\" #x"),
       "the reason is a quoted string with escapes and a #");
    caselang_error e;
    case_list_free(&l);
    ok(parse(HDR "  kill 0.25s\n  close-after 1.5ms0\n", &l, &e) == -1 && e.line == 6,
       "0.25s is fine, a malformed duration is rejected");
    case_list_free(&l);
}

/* ---- payloads ------------------------------------------------------------- */

static const case_def *payload_case(const char *expr, case_list *l)
{
    char text[512];
    snprintf(text, sizeof text, HDR "  send binary %s\n", expr);
    return one(text, l);
}

static void test_payloads(void)
{
    case_list l = {0};
    const case_def *c = payload_case("\"\\\\ \\\" \\n \\r \\t \\0 \\x7F\\xfe\"", &l);
    ok(c && payload_is(&c->steps[0].data, "\\ \" \n \r \t \0 \x7f\xfe", 14), "every string escape");

    c = payload_case("\"\xc3\xa9\x01 raw bytes\"", &l);
    ok(c && payload_is(&c->steps[0].data, "\xc3\xa9\x01 raw bytes", 13),
       "any byte inside quotes, including controls");

    c = payload_case("hex:00_ff_FE_0a", &l);
    ok(c && payload_is(&c->steps[0].data, "\x00\xff\xfe\x0a", 4), "hex with separators, both cases");

    c = payload_case("repeat(\"BAsd7&jh23\", 16Mi)", &l);
    ok(c != NULL, "a 16 MiB repeat parses");
    if (c) {
        const payload *p = &c->steps[0].data;
        ok(p->length == 16u << 20 && p->pattern_length == 10 && memcmp(p->pattern, "BAsd7&jh23", 10) == 0,
           "a repeat of a literal stays pattern + length");
        is_int(payload_byte_at(p, 0), 'B', "byte_at 0");
        is_int(payload_byte_at(p, 13), 'd', "byte_at wraps the pattern");
        is_int(payload_byte_at(p, (16u << 20) - 1), "BAsd7&jh23"[((16u << 20) - 1) % 10], "byte_at last");
        uint8_t buf[25];
        payload_copy(p, 7, buf, 25);
        is_mem(buf, 25, "h23BAsd7&jh23BAsd7&jh23BA", 25, "payload_copy from an offset across pattern ends");
    }

    c = payload_case("repeat(hex:fe, 125)+\"x\"", &l);
    ok(c && c->steps[0].data.length == 126 && payload_byte_at(&c->steps[0].data, 124) == 0xfe &&
           payload_byte_at(&c->steps[0].data, 125) == 'x', "concatenation of a repeat and a string");

    c = payload_case("repeat(\"ab\"+\"c\", 7)", &l);
    ok(c && payload_is(&c->steps[0].data, "abcabca", 7), "repeat of a concatenation");

    c = payload_case("repeat(repeat(\"ab\", 3), 7)", &l);
    ok(c && payload_is(&c->steps[0].data, "abaabaa", 7), "repeat of an uneven repeat");
    c = payload_case("repeat(repeat(\"ab\", 4), 5)", &l);
    ok(c && payload_is(&c->steps[0].data, "ababa", 5) && c->steps[0].data.pattern_length == 2,
       "repeat of an even repeat reuses its pattern");

    c = payload_case("repeat( \"*\" , 2KiB )", &l);
    ok(c && c->steps[0].data.length == 2048, "blanks inside repeat(), KiB");
    c = payload_case("repeat(\"*\", 1MiB)", &l);
    ok(c && c->steps[0].data.length == 1u << 20, "MiB");
    c = payload_case("repeat(\"*\", 64Mi)", &l);
    ok(c && c->steps[0].data.length == 64u << 20, "exactly 64 MiB is allowed");
    c = payload_case("repeat(\"*\", 0)", &l);
    ok(c && c->steps[0].data.length == 0, "repeat to 0 bytes is empty");

    c = payload_case("empty", &l);
    ok(c && c->steps[0].data.length == 0 && c->steps[0].data.pattern == NULL, "empty");
    c = payload_case("empty+\"a\"+empty", &l);
    ok(c && payload_is(&c->steps[0].data, "a", 1), "empty atoms vanish from a concatenation");
    c = payload_case("\"\"", &l);
    ok(c && c->steps[0].data.length == 0, "the empty string");

    /* NUL inside quotes, in a buffer with explicit length. */
    static const char with_nul[] = HDR "  send text \"a\0b\"\n";
    caselang_error e;
    case_list_free(&l);
    is_int(parse_n(with_nul, sizeof with_nul - 1, "t.case", true, &l, &e), 0, "a raw NUL inside quotes");
    ok(l.count == 1 && payload_is(&l.cases[0].steps[0].data, "a\0b", 3), "NUL byte kept");

    /* payload_copy and payload_equal_bytes against a byte-by-byte reference
     * over pattern lengths, offsets and sizes around the pattern's edges. */
    int copies = 0, copies_right = 0, compares = 0, compares_right = 0;
    static const uint8_t pat[] = "0123456789abcdefghijklmnopq";
    for (size_t plen = 1; plen <= 9; plen++)
        for (uint64_t length = 0; length <= 40; length++) {
            payload q = {(uint8_t *)pat, plen, length};
            uint8_t want[64], got[64];
            for (uint64_t i = 0; i < length; i++)
                want[i] = pat[i % plen];
            for (uint64_t off = 0; off <= length; off++) {
                size_t count = (size_t)(length - off);
                memset(got, 0xAA, sizeof got);
                payload_copy(&q, off, got, count);
                copies++;
                copies_right += memcmp(got, want + off, count) == 0 && got[count] == 0xAA;
            }
            compares++;
            compares_right += payload_equal_bytes(&q, want, length);
            if (length) {
                want[length - 1] ^= 1; /* one wrong byte anywhere is found: try the last */
                compares++;
                compares_right += !payload_equal_bytes(&q, want, length);
                want[length - 1] ^= 1;
                want[length / 2] ^= 1;
                compares++;
                compares_right += !payload_equal_bytes(&q, want, length);
            }
        }
    is_int(copies_right, copies, "payload_copy equals the byte-by-byte repeat (%d ranges), writes nothing past n", copies);
    is_int(compares_right, compares, "payload_equal_bytes agrees with the reference (%d comparisons)", compares);

    /* payload_equal_bytes */
    payload p = {(uint8_t *)"xyz", 3, 8};
    ok(payload_equal_bytes(&p, (const uint8_t *)"xyzxyzxy", 8), "equal_bytes on a repeat");
    ok(!payload_equal_bytes(&p, (const uint8_t *)"xyzxyzxz", 8), "equal_bytes finds the last byte");
    ok(!payload_equal_bytes(&p, (const uint8_t *)"xyzxyzx", 7), "equal_bytes checks the length");
    payload none = {0};
    ok(payload_equal_bytes(&none, NULL, 0), "equal_bytes on empty");
    case_list_free(&l);
}

static void test_file_payloads(void)
{
    char dir[] = "/tmp/caselang-file-XXXXXX";
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    char path[256], casefile[256];
    snprintf(path, sizeof path, "%s/data.bin", dir);
    FILE *f = fopen(path, "wb");
    fwrite("\x00\x01\x02zz", 1, 5, f);
    fclose(f);
    snprintf(casefile, sizeof casefile, "%s/f.case", dir);
    f = fopen(casefile, "w");
    fputs(HDR "  send binary file:data.bin\n  send binary repeat(file:\"data.bin\", 7)+file:data.bin\n", f);
    fclose(f);

    case_list l = {0};
    char err[1024] = "";
    is_int(catalog_load_file(casefile, &l, err, sizeof err), 0, "file: payloads load");
    if (l.count == 1) {
        ok(payload_is(&l.cases[0].steps[0].data, "\x00\x01\x02zz", 5), "file: bytes, relative to the case file");
        ok(payload_is(&l.cases[0].steps[1].data, "\x00\x01\x02zz\x00\x01\x00\x01\x02zz", 12),
           "quoted path, repeat of a file, concatenation");
    } else {
        tap_diag("%s", err);
        ok(0, "file: bytes");
        ok(0, "quoted path");
    }
    case_list_free(&l);

    caselang_error e;
    is_int(parse(HDR "  send binary file:data.bin\n", &l, &e), -1, "a missing file is an error");
    ok(strstr(e.message, "expected a readable file") != NULL && e.line == 5, "missing file message");

    const char *text = HDR "  send binary file:/etc/hostname\n";
    is_int(parse_n(text, strlen(text), "t.case", false, &l, &e), -1, "file: refused without allow_files");
    ok(e.line == 5 && strstr(e.message, "files are not allowed") != NULL, "refusal message");

    unlink(path);
    unlink(casefile);
    rmdir(dir);
}

/* ---- families ------------------------------------------------------------- */

static void test_families(void)
{
    case_list l = {0};
    caselang_error e;
    const char *text = "family 1.1.{n}\n"                                     /* 1 */
                       "  title   Send text message with payload length {len}\n" /* 2 */
                       "  rfc     5.6\n"                                        /* 3 */
                       "  require {req}\n"                                      /* 4 */
                       "  send    text repeat(\"*\", {len})\n"                  /* 5 */
                       "  expect  OK: message text echo\n"                      /* 6 */
                       "  kill    {kill}\n"                                     /* 7 */
                       "rows n len kill req\n"                                  /* 8 */
                       "  1 0 1s \"quoted requirement\"  # a comment\n"         /* 9 */
                       "\n"                                                     /* 10 */
                       "  2 125 1s plain\n"                                     /* 11 */
                       "  7 64Ki 10s x\n"                                       /* 12 */
                       "end\n"                                                  /* 13 */
                       "case 2.1\n title t\n rfc r\n require q\n";              /* 14 */
    is_int(parse(text, &l, &e), 0, "a family parses");
    is_int(l.count, 4, "three rows and a case");
    if (l.count == 4) {
        ok(str_is(l.cases[0].id, "1.1.1") && str_is(l.cases[1].id, "1.1.2") &&
               str_is(l.cases[2].id, "1.1.7") && str_is(l.cases[3].id, "2.1"), "ids from the template");
        ok(str_is(l.cases[1].title, "Send text message with payload length 125"), "title substituted");
        ok(str_is(l.cases[0].requirement, "quoted requirement"), "a quoted row value keeps its quotes");
        is_int(l.cases[2].steps[0].data.length, 65536, "payload substituted");
        is_int(l.cases[2].kill_ms, 10000, "kill substituted");
        is_int(l.cases[0].line, 9, "line of the row");
        is_int(l.cases[2].line, 12, "line of the last row");
        is_int(l.cases[2].steps[0].line, 5, "steps keep the body line");
        is_int(l.cases[3].line, 14, "a case after the family");
    }
    case_list_free(&l);

    text = "family F.{a}\n"
           "  title {a}{b}{a}\n  rfc 1\n  require r\n"
           "  send text {b}\n"
           "rows a b\n"
           "  x \"y z\"\n"
           "end\n";
    is_int(parse(text, &l, &e), 0, "a quoted row value with a blank is one value");
    ok(l.count == 1 && str_is(l.cases[0].title, "x\"y z\"x"), "repeated placeholders; the value keeps its quotes");
    ok(l.count == 1 && payload_is(&l.cases[0].steps[0].data, "y z", 3), "a quoted value is a string payload");
    case_list_free(&l);
}

/* ---- errors ---------------------------------------------------------------- */

typedef struct bad {
    const char *text;
    int line;
    const char *message;
} bad_input;

static const bad_input bad_inputs[] = {
    {"title x\n", 1, "expected a block to start with case or family, found 'title'"},
    {"\n\n  # only a comment\nsend text\n", 4, "found 'send'"},
    {"case 1\n title T\n rfc 1\n", 1, "expected a 'require' line in case 1"},
    {"case 1\n rfc 1\n require r\n", 1, "expected a 'title' line"},
    {"case 1\n title T\n require r\n", 1, "expected a 'rfc' line"},
    {"case\n", 1, "expected a case id after case, found end of line"},
    {"case 1/2\n", 1, "expected a case id"},
    {"case 1 2\n", 1, "expected end of line after the case id, found '2'"},
    {HDR "  title again\n", 5, "expected one 'title' line per case, found a second (the first is at line 2)"},
    {HDR "  request target /$x\n", 5, "expected $host, $port, $authority, $path, $target or $$, found '$x'"},
    {HDR "  request header set Origin: http://$hostess$\n", 5, "found '$'"},
    {HDR "  rfc again\n", 5, "expected one 'rfc' line"},
    {"case 1\n title\n", 2, "expected a title, found end of line"},
    {HDR "  sned text\n", 5, "expected a directive (title, rfc"},
    {HDR "  rows a\n", 5, "expected 'rows' only in a family block"},
    {HDR "  \x01\n", 5, "found byte 0x01"},
    {HDR "  send text \"abc\n", 5, "expected '\"' to close the string, found end of line"},
    {HDR HDR, 5, "expected a unique case id, found 1 again (first defined at t.case:1)"},
    /* send */
    {HDR "  send text rsv=9\n", 5, "expected rsv=0..7, found 'rsv=9'"},
    {HDR "  send text fin=2\n", 5, "expected fin=0|1, found 'fin=2'"},
    {HDR "  send text mask=0a0b0c\n", 5, "expected mask=random|off|HEX8"},
    {HDR "  send text mask=0a0b0c0g\n", 5, "expected mask=random|off|HEX8"},
    {HDR "  send text form=8\n", 5, "expected form=7|16|64, found 'form=8'"},
    {HDR "  send text repeat(\"a\", 126) form=7\n", 5, "expected a length of at most 125 with form=7, found 126"},
    {HDR "  send text len=65536 form=16\n", 5, "expected a length of at most 65535 with form=16, found 65536"},
    {HDR "  send text \"a\" len=126 form=7\n", 5, "at most 125 with form=7, found 126"},
    {HDR "  send text len=x\n", 5, "expected len=N"},
    {HDR "  send text len=18446744073709551616\n", 5, "expected len=N"},
    {HDR "  send text chop=0\n", 5, "expected chop=SIZE greater than 0"},
    {HDR "  send texty\n", 5, "expected an opcode (text, binary, continuation, close, ping, pong or 0..15), found 'texty'"},
    {HDR "  send 16\n", 5, "expected an opcode"},
    {HDR "  send\n", 5, "expected an opcode (text, binary, continuation, close, ping, pong or 0..15), found end of line"},
    {HDR "  send text code=1000\n", 5, "expected an option of send (fin=, rsv=, mask=, len=, form=, chop=, fragment=, compress=, window=), found 'code=1000'"},
    {HDR "  send text bogus=1\n", 5, "expected an option of send"},
    /* compression */
    {HDR "  offer\n", 5, "expected an extension offer, found end of line"},
    {HDR "  offer \"a\\x01\"\n", 5, "expected an extension offer of printable characters"},
    {HDR "  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n  offer permessage-deflate\n", 21, "expected at most 16 offer lines per case, found more"},
    {HDR "  deflate maybe\n", 5, "expected 'required' after deflate, found 'maybe'"},
    {HDR "  deflate required now\n", 5, "expected end of line after deflate required"},
    {HDR "  deflate required\n  deflate required\n", 6, "expected one 'deflate' line per case, found a second (the first is at line 5)"},
    {HDR "  send text \"x\" window=15\n", 5, "expected window= only with compress, found it alone"},
    {HDR "  send text \"x\" compress window=7\n", 5, "expected window=8..15, found 'window=7'"},
    {HDR "  send text \"x\" compress=zip\n", 5, "expected compress or compress=sync|stored|final|tail, found 'compress=zip'"},
    {HDR "  send ping \"x\" compress\n", 5, "expected compress only on a whole message (text, binary or a data opcode, without fin= or len=), found it with 'ping'"},
    {HDR "  send text \"x\" compress fin=0\n", 5, "found it with fin="},
    {HDR "  bulk ping json count=1 size=1\n", 5, "expected text or binary after bulk, found 'ping'"},
    {HDR "  bulk text jsn count=1 size=1\n", 5, "expected a data set (json, bmp, prose, html, pdf), found 'jsn'"},
    {HDR "  bulk text json size=1\n", 5, "expected count=N and size=S in a bulk step, found count= missing"},
    {HDR "  bulk text json count=0 size=1\n", 5, "expected count=1.."},
    {HDR "  bulk text json count=1 size=1 size=2\n", 5, "expected size=SIZE greater than 0 once, found 'size=2'"},
    {HDR "  bulk text json count=1 size=300000\n", 5, "expected size= at most the 192684 characters of data set json, found 300000"},
    {HDR "  bulk text json count=1 size=1 fin=1\n", 5, "expected an option of bulk (chop=, fragment=, compress=, window=), found 'fin=1'"},
    {HDR "  bulk text json count=1 size=1 \"x\"\n", 5, "expected count=, size=, fragment=, compress, window= or chop= after the data set, found '\"x\"'"},
    {HDR "  send close code=65536\n", 5, "expected code=0..65535"},
    {HDR "  send close reason=\"x\"\n", 5, "expected code= with reason=, found reason= alone"},
    {HDR "  send close \"ab\" code=1000\n", 5, "expected either a payload or code=/reason= on a close, found both"},
    {HDR "  send ping \"a\" fragment=1\n", 5, "expected fragment= only with text, binary or a data opcode 0..7, found it with 'ping'"},
    {HDR "  send continuation \"a\" fragment=1\n", 5, "found it with 'continuation'"},
    {HDR "  send text \"a\" fragment=1 fin=0\n", 5, "expected fragment= without fin= or len="},
    {HDR "  send text \"a\" fragment=0\n", 5, "expected fragment=SIZE greater than 0"},
    {HDR "  send text \"a\" \"b\"\n", 5, "expected options (key=value) after the payload, found '\"b\"'"},
    {HDR "  send text \"a\" + \"b\"\n", 5, "expected options (key=value) after the payload, found '+'"},
    {HDR "  send text fin=1 fin=0\n", 5, "expected each option once, found a second 'fin=0'"},
    {HDR "  send-data \"a\"\n", 5, "expected a send-begin before send-data, found none in this case"},
    {HDR "  send-begin text\n", 5, "expected len=N (the declared payload length), found none"},
    {HDR "  send-begin text len=3 chop=1\n", 5, "expected an option of send-begin (fin=, rsv=, mask=, len=, form=), found 'chop=1'"},
    {HDR "  send-begin text len=3 \"abc\"\n", 5, "expected options of send-begin"},
    {HDR "  send-begin text len=200 form=7\n", 5, "at most 125 with form=7, found 200"},
    {HDR "  send-begin text len=3\n  send-data\n", 6, "expected a payload after send-data, found end of line"},
    {HDR "  send-raw\n", 5, "expected a payload after send-raw, found end of line"},
    {HDR "  send-raw \"a\" fin=1\n", 5, "expected an option of send-raw (chop=), found 'fin=1'"},
    {HDR "  send-raw \"a\" \"b\"\n", 5, "expected chop= after the payload"},
    /* write, wait, loop */
    {HDR "  write fast\n", 5, "expected whole, frames or chop SIZE after write, found 'fast'"},
    {HDR "  write chop 0\n", 5, "expected a chop size greater than 0, found '0'"},
    {HDR "  write chop\n", 5, "expected a chop size greater than 0, found end of line"},
    {HDR "  write whole now\n", 5, "expected end of line after write, found 'now'"},
    {HDR "  wait\n", 5, "expected a duration after wait, found end of line"},
    {HDR "  wait 5\n", 5, "expected a duration (whole milliseconds up to 86400s, e.g. 500ms, 1s, 0.5s), found '5'"},
    {HDR "  wait 0.5ms\n", 5, "expected a duration"},
    {HDR "  wait 1.0001s\n", 5, "expected a duration"},
    {HDR "  wait 86401s\n", 5, "expected a duration"},
    {HDR "  wait 1s bad/tag\n", 5, "expected a tag (letters, digits, '_', '-', '.') after the duration, found 'bad/tag'"},
    {HDR "  wait 1s A B\n", 5, "expected end of line after wait, found 'B'"},
    {HDR "  await 0s\n", 5, "expected a duration greater than 0, found '0s'"},
    {HDR "  loop x\n", 5, "expected a loop count 0..1000000, found 'x'"},
    {HDR "  loop 1000001\n", 5, "expected a loop count 0..1000000"},
    {HDR "  end-loop\n", 5, "expected a 'loop' before 'end-loop', found none open"},
    {HDR "  loop 2\n  send text\n", 5, "expected 'end-loop' for this loop, found the end of case 1"},
    {HDR "  loop 1\n  loop 1\n  end-loop\n", 5, "expected 'end-loop' for this loop"},
    /* expect */
    {HDR "  expect OK nothing\n", 5, "expected VERDICT: EVENTS (e.g. OK: message text echo), found 'OK nothing'"},
    {HDR "  expect FAIL: nothing\n", 5, "expected a verdict (OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED) before ':', found 'FAIL'"},
    {HDR "  expect FAILED: nothing\n", 5, "expected a verdict"},
    {HDR "  expect OK:\n", 5, "expected events or 'nothing' after ':', found end of line"},
    {HDR "  expect OK: message\n", 5, "expected text or binary after message, found end of line"},
    {HDR "  expect OK: message json\n", 5, "expected text or binary after message, found 'json'"},
    {HDR "  expect OK: ping echo\n", 5, "expected a payload or xN, found 'echo'"},
    {HDR "  expect OK: timeout A \"x\"\n", 5, "expected ',' or xN, found '\"x\"'"},
    {HDR "  expect OK: pong x0\n", 5, "expected ',' or a repeat count x1..x1000000 or xMIN-MAX, found 'x0'"},
    {HDR "  expect OK: pong x5-2\n", 5, "or xMIN-MAX, found 'x5-2'"},
    {HDR "  expect OK: pong x0-0\n", 5, "or xMIN-MAX, found 'x0-0'"},
    {HDR "  expect OK: pong x1-\n", 5, "or xMIN-MAX, found 'x1-'"},
    {HDR "  expect OK: pong echo x1000001\n", 5, "a repeat count"},
    {HDR "  expect OK: pong echo x2 x3\n", 5, "expected ',' after the repeat count, found 'x3'"},
    {HDR "  expect OK: pong echo 2\n", 5, "expected ',' or a repeat count"},
    {HDR "  expect OK: timeout\n", 5, "expected a tag after timeout, found end of line"},
    {HDR "  expect OK: http 99\n", 5, "expected an HTTP status or range (100..599, e.g. 400-499), found '99'"},
    {HDR "  expect OK: http 500-400\n", 5, "expected an HTTP status or range"},
    {HDR "  expect OK: http 600\n", 5, "expected an HTTP status or range"},
    {HDR "  expect OK: http 400 header Foo\n", 5, "expected a quoted \"NAME: VALUE\" or \"NAME\" after header, found 'Foo'"},
    {HDR "  expect OK: http 400 header \": x\"\n", 5, "expected a header name"},
    {HDR "  expect OK: nothing, pong\n", 5, "expected 'nothing' alone, found it in a list of events"},
    {HDR "  expect OK: pong,\n", 5, "found an empty item in the list"},
    {HDR "  expect OK: pong,, ping\n", 5, "found an empty item in the list"},
    {HDR "  expect OK: frob\n", 5, "expected an event (message, ping, pong, timeout, http), found 'frob'"},
    {HDR "  expect OK: message text \"a\n", 5, "expected '\"' to close the string"},
    /* close and timers */
    {HDR "  close them 1000\n", 5, "expected us, peer or none after close, found 'them'"},
    {HDR "  close us\n", 5, "expected close codes (e.g. 1000, 1002,1007, echo or -) after close us, found none"},
    {HDR "  close peer clean\n", 5, "after close peer, found none"},
    {HDR "  close us 1000 clean any\n", 5, "expected either clean or any, found both"},
    {HDR "  close us 1000 clean clean\n", 5, "expected each close flag once, found a second 'clean'"},
    {HDR "  close us 70000\n", 5, "expected a close code 0..65535, echo or -, found '70000'"},
    {HDR "  close us 1000,,1002\n", 5, "expected a close code 0..65535, echo or -, found an empty item"},
    {HDR "  close us echo,echo\n", 5, "expected echo once"},
    {HDR "  close us 1000 clean 1002\n", 5, "expected close flags (clean, any, fatal-closer, fatal-code) after the codes, found '1002'"},
    {HDR "  close us 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n", 5, "expected at most 16 close codes, found more"},
    {HDR "  close none 1000\n", 5, "expected no close codes with close none, found '1000'"},
    {HDR "  close us 1000\n  close us 1000\n", 6, "expected one 'close' line per case, found a second (the first is at line 5)"},
    {HDR "  kill 0s\n", 5, "expected a duration greater than 0"},
    {HDR "  kill 2\n", 5, "expected a duration"},
    {HDR "  kill 1s 2s\n", 5, "expected end of line after the duration, found '2s'"},
    {HDR "  kill 1s\n  kill 2s\n", 6, "expected one 'kill' line per case"},
    {HDR "  close-after 0ms\n", 5, "expected a duration greater than 0"},
    {HDR "  informational yes\n", 5, "expected end of line after informational, found 'yes'"},
    /* tolerate */
    {HDR "  tolerate kill \"x\"\n", 5, "expected VERDICT: SITUATION \"WHY\""},
    {HDR "  tolerate OK: kill \"x\"\n", 5, "expected NON-STRICT or INFORMATIONAL before ':' in tolerate, found 'OK'"},
    {HDR "  tolerate UNIMPLEMENTED: kill \"x\"\n", 5, "expected NON-STRICT or INFORMATIONAL before ':' in tolerate"},
    {HDR "  tolerate NON-STRICT: timer \"x\"\n", 5, "expected a situation (kill, code CODES, peer-close, peer-drop, refused) after tolerate NON-STRICT:, found 'timer'"},
    {HDR "  tolerate NON-STRICT: \n", 5, "expected a situation (kill, code CODES, peer-close, peer-drop, refused) after tolerate NON-STRICT:, found end of line"},
    {HDR "  close peer 1002\n  tolerate NON-STRICT: kill\n", 6, "expected a quoted reason (the RFC's grounds) after the situation, found end of line"},
    {HDR "  close peer 1002\n  tolerate NON-STRICT: kill because\n", 6, "expected a quoted reason (the RFC's grounds) after the situation, found 'because'"},
    {HDR "  close peer 1002\n  tolerate NON-STRICT: kill \"a\" \"b\"\n", 6, "expected end of line after the reason, found '\"b\"'"},
    {HDR "  close peer 1002\n  tolerate NON-STRICT: kill \"\"\n", 6, "expected a reason of 1 to 159 bytes, found 0"},
    {HDR "  close peer 1002\n  tolerate NON-STRICT: kill \"" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
         "012345678901234567890123456789012345678901234567890123456789\"\n", 6, "expected a reason of 1 to 159 bytes, found 160"},
    {HDR "  tolerate NON-STRICT: code \"x\"\n", 5, "expected close codes 0..65535 after tolerate ... code (e.g. 1002 or 1002,1011), found '\"x\"'"},
    {HDR "  tolerate NON-STRICT: code 65536 \"x\"\n", 5, "expected close codes 0..65535 after tolerate ... code"},
    {HDR "  tolerate NON-STRICT: code 1002, \"x\"\n", 5, "expected close codes 0..65535 after tolerate ... code (e.g. 1002 or 1002,1011), found an empty item"},
    {HDR "  tolerate NON-STRICT: code 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 \"x\"\n", 5, "expected at most 16 close codes, found more"},
    {HDR "  tolerate NON-STRICT: peer-drop \"x\"\n  tolerate INFORMATIONAL: peer-drop \"y\"\n", 6,
     "expected one tolerate line per situation, found a second 'peer-drop' (the first is at line 5)"},
    {HDR "  tolerate NON-STRICT: kill \"x\"\n", 5, "expected close peer with tolerate ... kill (the peer is to close), found close us"},
    {HDR "  close peer 1002\n  tolerate INFORMATIONAL: peer-close \"x\"\n", 6,
     "expected close us with tolerate ... peer-close (the suite is to close), found close peer"},
    {HDR "  tolerate NON-STRICT: peer-drop \"x\"\n  close peer 1002\n", 5,
     "expected close us with tolerate ... peer-drop (the suite is to close), found close peer"},
    {HDR "  close none\n  tolerate NON-STRICT: code 1002 \"x\"\n", 6, "expected close us or close peer with tolerate, found close none"},
    {HDR "  informational\n  tolerate NON-STRICT: code 1002 \"x\"\n", 6, "expected no tolerate line in an informational case, found tolerate ... code"},
    {HDR "  tolerance NON-STRICT: kill \"x\"\n", 5, "expect, close, tolerate, kill, close-after, informational), found 'tolerance'"},
    /* request */
    {HDR "  request body x\n", 5, "expected method, target, version, header, raw, trickle or eager after request, found 'body'"},
    {HDR "  request method\n", 5, "expected a value after request method, found end of line"},
    {HDR "  request method GET POST\n", 5, "expected end of line after the value, found 'POST'"},
    {HDR "  request method \"G\\0T\"\n", 5, "expected a value without NUL bytes"},
    {HDR "  request method GET\n  request method PUT\n", 6, "expected one 'request method' line per case"},
    {HDR "  request header add NoColon\n", 5, "expected NAME: VALUE after request header add, found 'NoColon'"},
    {HDR "  request header set : v\n", 5, "expected a header name before ':', found nothing"},
    {HDR "  request header add Bad Name: v\n", 5, "expected a header name before ':', found 'Bad Name'"},
    {HDR "  request header frob X\n", 5, "expected add, set or remove after request header, found 'frob'"},
    {HDR "  request header remove\n", 5, "expected a header name after request header remove, found end of line"},
    {HDR "  request raw \"\"\n", 5, "expected a non-empty payload after request raw, found an empty one"},
    {HDR "  request raw\n", 5, "expected a payload after request raw, found end of line"},
    {HDR "  request trickle 0\n", 5, "expected a piece size greater than 0 after request trickle, found '0'"},
    {HDR "  request trickle 1 fast\n", 5, "expected a duration"},
    {HDR "  request eager now\n", 5, "expected end of line after request eager, found 'now'"},
    /* payloads */
    {HDR "  send text \"\\q\"\n", 5, "expected an escape (\\\\ \\\" \\n \\r \\t \\0 \\xHH), found '\\q'"},
    {HDR "  send text \"\\xZZ\"\n", 5, "expected two hex digits after \\x, found '\\xZZ'"},
    {HDR "  send text \"\\x4\"\n", 5, "expected two hex digits after \\x"},
    {HDR "  send text hex:abc\n", 5, "expected an even number of hex digits, found 3 in 'hex:abc'"},
    {HDR "  send text hex:xyz\n", 5, "expected hex digits after hex:, found 'xyz'"},
    {HDR "  send text hex:0g\n", 5, "expected a hex digit, found 'g'"},
    {HDR "  send text hex:\n", 5, "expected hex digits after hex:"},
    {HDR "  send text repeat(\"a\" 5)\n", 5, "expected ',' and a size in repeat(), found '5)'"},
    {HDR "  send text repeat(\"a\", 5\n", 5, "expected ')' after the size in repeat(), found end of line"},
    {HDR "  send text repeat(\"a\", 5x)\n", 5, "expected a size (a number with an optional Ki, Mi, KiB or MiB) in repeat(), found '5x'"},
    {HDR "  send text repeat(\"a\", 5Gi)\n", 5, "expected a size"},
    {HDR "  send text repeat(\"a\", 99999999999999999999)\n", 5, "expected a size"},
    {HDR "  send text repeat(\"\", 5)\n", 5, "expected a non-empty pattern in repeat(), found an empty one"},
    {HDR "  send text repeat(\"a\", 65Mi)\n", 5, "expected a payload of at most 64 MiB, found 68157440 bytes"},
    {HDR "  send text \"a\"+repeat(\"b\", 64Mi)\n", 5, "expected a payload of at most 64 MiB, found 67108865 bytes"},
    {HDR "  send close code=1000 reason=repeat(\"b\", 64Mi)\n", 5, "expected a payload of at most 64 MiB, found 67108866 bytes"},
    {HDR "  send text foo\n", 5, "expected a payload (\"string\", hex:, repeat(), file: or empty), found 'foo'"},
    {HDR "  send text \"a\"+\n", 5, "expected a payload (\"string\", hex:, repeat(), file: or empty), found end of line"},
    {HDR "  send text \"a\"\"b\"\n", 5, "expected '+' between payload parts, found '\"b\"'"},
    {HDR "  send text \"a\")\n", 5, "expected '+' or the end of the payload, found ')'"},
    {HDR "  send text emptyx\n", 5, "expected a payload"},
    {HDR "  send text repeat(repeat(repeat(repeat(repeat(repeat(repeat(repeat(repeat(repeat(repeat("
         "repeat(repeat(repeat(repeat(repeat(repeat(\"a\",1),1),1),1),1),1),1),1),1),1),1),1),1),1),1),1),1)\n",
     5, "expected repeat() nested at most 16 deep"},
    /* families */
    {"family 1.{n}\n title t\n", 1, "expected a 'rows' line in the family at line 1, found the end of the file"},
    {"family 1.{n}\n title t\nrows n\n 1\n", 1, "expected 'end' after the rows of the family at line 1, found the end of the file"},
    {"family\n", 1, "expected an id template after family (e.g. 1.1.{n}), found end of line"},
    {"family 1.{n} x\n", 1, "expected end of line after the id template, found 'x'"},
    {"family 1.{n}\n title {m}\n rfc 1\n require r\nrows n\n 1\nend\n", 2,
     "expected {COLUMN} naming a column of the rows line (n), found '{m}'"},
    {"family 1.{n}\n title {n\n rfc 1\n require r\nrows n\n 1\nend\n", 2, "expected {COLUMN}"},
    {"family 1.{x}\n title t\n rfc 1\n require r\nrows n\n 1\nend\n", 1, "found '{x}'"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n len\n 1 2\n 2\nend\n", 7,
     "expected 2 values in the row (one per column), found fewer"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n\n 1 2\nend\n", 6, "expected 1 values in the row (one per column), found more"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n\nend\n", 5, "expected at least one row after rows, found none"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows\n 1\nend\n", 5, "expected column names after rows, found end of line"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n n\n 1 1\nend\n", 5, "expected distinct column names, found 'n' twice"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n 9x\n 1 1\nend\n", 5, "expected a column name (letters, digits, '_'), found '9x'"},
    {"family 1.{n}\n title t\n rfc 1\n require r\n send text rsv={r}\nrows n r\n 1 0\n 2 8\nend\n", 5,
     "expected rsv=0..7, found 'rsv=8' (in the row at line 8)"},
    {"family 1.{n}\n title t\n rfc 1\nrows n\n 1\nend\n", 1,
     "expected a 'require' line in case 1.1 (every case needs title, rfc and require), found none (in the row at line 5)"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n\n 1\n 1\nend\n", 1,
     "expected a unique case id, found 1.1 again (first defined at t.case:6) (in the row at line 7)"},
    {"family 1.{n}/x\n title t\n rfc 1\n require r\nrows n\n 1\nend\n", 1, "expected a case id"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n\n 1\nend now\n", 7, "expected end of line after end, found 'now'"},
    {"family 1.{n}\n title t\n rfc 1\n require r\nrows n\n 1\nend\n title x\n", 8,
     "expected case or family after the family's end, found 'title'"},
    {"family 1.{n}\n title t\ncase 2\nrows n\n 1\nend\n", 3, "expected 'rows' to end the body of the family at line 1, found 'case'"},
    {"family 1.{n}\n title t\nrows n\n 1\ncase 2\n", 5, "expected 'end' to close the rows of the family at line 1, found 'case'"},
    {"family 1.{n}\n title t\n end\nrows n\n 1\nend\n", 3, "expected 'rows' to end the body"},
    {"family 1.{n}\n title t\n rfc 1\n require r\n send text {v}\nrows n v\n 1 \"a\\q\"\nend\n", 5,
     "expected an escape (\\\\ \\\" \\n \\r \\t \\0 \\xHH), found '\\q' (in the row at line 7)"},
};

static void test_errors(void)
{
    size_t n = sizeof bad_inputs / sizeof bad_inputs[0];
    for (size_t i = 0; i < n; i++) {
        case_list l = {0};
        caselang_error e;
        int rc = parse(bad_inputs[i].text, &l, &e);
        bool good = rc == -1 && e.line == bad_inputs[i].line &&
                    strstr(e.message, bad_inputs[i].message) != NULL && l.count == 0 && l.cases == NULL;
        if (!ok(good, "bad input %zu: line %d: %s", i, bad_inputs[i].line, bad_inputs[i].message))
            tap_diag("got rc %d, line %d: %s", rc, e.line, e.message);
        case_list_free(&l);
    }

    /* The formatted message. */
    caselang_error e;
    case_list l = {0};
    parse(HDR "  send text rsv=9\n", &l, &e);
    char buf[600];
    ok(strcmp(caselang_format_error(&e, buf, sizeof buf), "t.case:5: expected rsv=0..7, found 'rsv=9'") == 0,
       "FILE:LINE: message");
    caselang_error noline = {.file = "x.case", .line = 0, .message = "m"};
    ok(strcmp(caselang_format_error(&noline, buf, sizeof buf), "x.case: m") == 0, "FILE: message without a line");
    ok(parse(HDR "send text rsv=9\n", &l, NULL) == -1, "a NULL error pointer is allowed");
}

/* Limits: long lines, many cases, many rows, deep loops. */
static void test_limits(void)
{
    case_list l = {0};
    caselang_error e;

    size_t hdr = strlen(HDR);
    char *text = malloc(hdr + CASELANG_LINE_MAX + 16);
    memcpy(text, HDR, hdr);
    memcpy(text + hdr, "note ", 5);
    memset(text + hdr + 5, 'a', CASELANG_LINE_MAX - 4);
    text[hdr + CASELANG_LINE_MAX + 1] = '\n';
    is_int(parse_n(text, hdr + CASELANG_LINE_MAX + 2, "t.case", true, &l, &e), -1,
           "a line one byte over the limit");
    ok(e.line == 5 && strstr(e.message, "expected a line of at most 65536 bytes, found 65537") != NULL,
       "line limit message");
    /* Exactly at the limit is fine. */
    memcpy(text + strlen(HDR), "note ", 5);
    memset(text + strlen(HDR) + 5, 'b', CASELANG_LINE_MAX - 5);
    is_int(parse_n(text, strlen(HDR) + CASELANG_LINE_MAX, "t.case", true, &l, &e), 0,
           "a line of exactly the limit, without a final newline");
    ok(l.count == 1 && strlen(l.cases[0].note) == CASELANG_LINE_MAX - 5, "its note is complete");
    case_list_free(&l);
    free(text);

    /* Loops nested at the limit and one more. */
    char loops[2048] = HDR;
    for (unsigned i = 0; i < CASELANG_LOOP_DEPTH_MAX; i++)
        strcat(loops, " loop 1\n");
    for (unsigned i = 0; i < CASELANG_LOOP_DEPTH_MAX; i++)
        strcat(loops, " end-loop\n");
    is_int(parse(loops, &l, &e), 0, "loops nested 16 deep");
    case_list_free(&l);
    char deeper[2048] = HDR;
    for (unsigned i = 0; i <= CASELANG_LOOP_DEPTH_MAX; i++)
        strcat(deeper, " loop 1\n");
    is_int(parse(deeper, &l, &e), -1, "loops nested 17 deep");
    ok(e.line == 21 && strstr(e.message, "expected loops nested at most 16 deep") != NULL, "nesting message");

    /* Rows over the limit. */
    size_t cap = 64 + (CASELANG_ROWS_MAX + 2) * 8;
    text = malloc(cap);
    size_t o = (size_t)snprintf(text, cap, "family R.{n}\n title t\n rfc 1\n require r\nrows n\n");
    for (unsigned i = 0; i <= CASELANG_ROWS_MAX; i++)
        o += (size_t)snprintf(text + o, cap - o, "%u\n", i);
    o += (size_t)snprintf(text + o, cap - o, "end\n");
    is_int(parse_n(text, o, "t.case", true, &l, &e), -1, "rows over the limit");
    ok(e.line == 6 + (int)CASELANG_ROWS_MAX && strstr(e.message, "expected at most 10000 rows") != NULL,
       "rows limit message, at the first row too many");
    free(text);

    /* Cases over the limit (10000 fit). */
    cap = (CASELANG_CASES_MAX + 1) * 48;
    text = malloc(cap);
    o = 0;
    for (unsigned i = 0; i <= CASELANG_CASES_MAX; i++)
        o += (size_t)snprintf(text + o, cap - o, "case C.%u\n title t\n rfc 1\n require r\n", i);
    is_int(parse_n(text, o, "t.case", true, &l, &e), -1, "cases over the limit");
    ok(e.line == 4 * (int)CASELANG_CASES_MAX + 1 && strstr(e.message, "expected at most 10000 cases") != NULL,
       "cases limit message");
    is_int(l.count, 0, "nothing added on error");
    o = 0;
    for (unsigned i = 0; i < CASELANG_CASES_MAX; i++)
        o += (size_t)snprintf(text + o, cap - o, "case C.%u\n title t\n rfc 1\n require r\n", i);
    is_int(parse_n(text, o, "t.case", true, &l, &e), 0, "10000 cases in one file");
    is_int(l.count, CASELANG_CASES_MAX, "all of them");
    case_list_free(&l);
    free(text);

    /* Family expansion budget: a large body times many rows. */
    cap = CASELANG_LINE_MAX + 2 * 8000 + 256;
    text = malloc(cap);
    o = (size_t)snprintf(text, cap, "family E.{n}\n title t\n rfc 1\n require r\n note ");
    memset(text + o, 'n', 60000);
    o += 60000;
    o += (size_t)snprintf(text + o, cap - o, "\nrows n\n");
    for (unsigned i = 0; i < 400; i++)
        o += (size_t)snprintf(text + o, cap - o, "%u\n", i);
    o += (size_t)snprintf(text + o, cap - o, "end\n");
    is_int(parse_n(text, o, "t.case", true, &l, &e), -1, "family expansion over the budget");
    ok(strstr(e.message, "expected families to expand to at most 16 MiB of text per file") != NULL,
       "expansion budget message");
    free(text);

    /* Memory budget: several large concatenations in one file. */
    char mem[1024] = HDR;
    for (int i = 0; i < 5; i++)
        strcat(mem, " send text \"a\"+repeat(\"b\", 60Mi)\n");
    is_int(parse(mem, &l, &e), -1, "materialised payloads over the per-file budget");
    ok(e.line == 9 && strstr(e.message, "expected at most 256 MiB of payload bytes") != NULL,
       "memory budget message");
}

/* The parser never reads past the end: inputs cut at every length. */
static void test_truncations(void)
{
    const char *text = "family 1.{n}\n title \"t\\x41\"\n rfc 1\n require r\n"
                       " send text repeat(hex:fe_ff, {n}) fin=0 mask=01020304\n"
                       " expect OK: message text \"a\" x2, http 400-499 header \"A: b\"\n"
                       " close us 1000,echo clean\nrows n\n 1\n 2\nend\n";
    size_t len = strlen(text);
    int parsed = 0, failed_with_line = 0;
    for (size_t cut = 0; cut <= len; cut++) {
        case_list l = {0};
        caselang_error e;
        int rc = parse_n(text, cut, "t.case", false, &l, &e);
        if (rc == 0)
            parsed++;
        else if (e.line >= 1 && e.message[0])
            failed_with_line++;
        case_list_free(&l);
    }
    is_int(parsed + failed_with_line, (int)len + 1, "every prefix parses or fails with a line and message");
    ok(parsed >= 2, "the complete text (and the empty prefix) parse");
}

/* A small deterministic mutation run: no crash, and every failure carries a
 * message and a line inside the input. */
static void test_mutations(void)
{
    static const char seed[] =
        "family 1.1.{n}\n title Send {len}\n rfc 5.6\n require r\n send text repeat(\"*\", {len})\n"
        " expect OK: message text echo\n kill {kill}\nrows n len kill\n 1 0 1s\n 2 125 1s\nend\n"
        "case 6.4.3\n title t\n rfc 8.1\n require r\n send-begin text len=21\n send-data hex:cebae1\n"
        " wait 1s A\n send-data hex:f4908080\n expect OK: timeout A\n expect NON-STRICT: timeout A, timeout B\n"
        " close peer 1007 fatal-closer\n loop 3\n send ping \"x\" chop=1\n end-loop\n request header set A: b\n"
        " send close code=1000 reason=\"r\"\n";
    static const char *const words[] = {"{", "}", "\"", "(", ")", ",", "+", "#", "\\", "\n", "x99",
                                        "repeat(", "hex:", "family", "rows", "end", "case", "{n}",
                                        "loop 9\n", "end-loop\n", "64Mi", "file:x", " "};
    uint64_t state = 0x9e3779b97f4a7c15u;
    char buf[sizeof seed + 256];
    int good = 0, runs = 2000;
    for (int i = 0; i < runs; i++) {
        size_t len = sizeof seed - 1;
        memcpy(buf, seed, len);
        int edits = 1 + (int)(state % 4);
        for (int k = 0; k < edits; k++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            size_t at = (size_t)(state % len);
            switch ((state >> 32) % 3) {
            case 0:
                buf[at] = (char)(state >> 40);
                break;
            case 1: {
                const char *w = words[(state >> 40) % (sizeof words / sizeof words[0])];
                size_t wl = strlen(w);
                if (len + wl < sizeof buf) {
                    memmove(buf + at + wl, buf + at, len - at);
                    memcpy(buf + at, w, wl);
                    len += wl;
                }
                break;
            }
            default: {
                size_t cut = 1 + (state >> 40) % 8;
                if (at + cut <= len) {
                    memmove(buf + at, buf + at + cut, len - at - cut);
                    len -= cut;
                }
            }
            }
        }
        int lines = 1;
        for (size_t j = 0; j < len; j++)
            lines += buf[j] == '\n';
        case_list l = {0};
        caselang_error e;
        int rc = parse_n(buf, len, "m.case", false, &l, &e);
        if (rc == 0 || (e.message[0] && e.line >= 1 && e.line <= lines))
            good++;
        else
            tap_diag("mutation %d: rc %d line %d: %s", i, rc, e.line, e.message);
        case_list_free(&l);
    }
    is_int(good, runs, "mutated inputs: each parses or fails with a message inside the input");
}

/* ---- several files, ids, selection ---------------------------------------- */

static void test_duplicates_across_files(void)
{
    case_list l = {0};
    caselang_error e;
    const char *a = "case 1.1\n title t\n rfc 1\n require r\ncase 1.2\n title t\n rfc 1\n require r\n";
    const char *b = "case 2.1\n title t\n rfc 1\n require r\n\ncase 1.2\n title t\n rfc 1\n require r\n";
    is_int(parse_n(a, strlen(a), "a.case", true, &l, &e), 0, "first file");
    is_int(parse_n(b, strlen(b), "b.case", true, &l, &e), -1, "an id defined in an earlier file");
    ok(strcmp(e.file, "b.case") == 0 && e.line == 6 &&
           strstr(e.message, "found 1.2 again (first defined at a.case:5)") != NULL,
       "the error names both places");
    is_int(l.count, 2, "the failing file adds nothing, not even its good cases");
    ok(str_is(l.cases[0].id, "1.1") && str_is(l.cases[1].id, "1.2"), "earlier cases intact");
    const char *c = "case 3\n title t\n rfc 1\n require r\n";
    is_int(parse_n(c, strlen(c), "c.case", true, &l, &e), 0, "a later file still loads");
    is_int(l.count, 3, "appended");
    case_list_free(&l);
}

static void test_ids_and_selection(void)
{
    static const char *const sorted[] = {"1", "1.1", "1.1.1", "1.2", "1.2.1", "1.10", "2.1", "9.1",
                                         "10", "10.1", "10.1.1", "H.1", "H.2.3", "H.10", "a", "b.1"};
    size_t n = sizeof sorted / sizeof sorted[0];
    int consistent = 0, pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = case_id_compare(sorted[i], sorted[j]);
            int want = i < j ? -1 : i > j ? 1 : 0;
            pairs++;
            consistent += c == want;
            if (c != want)
                tap_diag("compare(%s, %s) = %d, expected %d", sorted[i], sorted[j], c, want);
        }
    is_int(consistent, pairs, "natural order over every pair (1.2 < 1.10 < 2.1, numbers before words)");
    ok(case_id_compare("1.01", "1.1") != 0 && case_id_compare("1.01", "1.1") == -case_id_compare("1.1", "1.01"),
       "equal values with different spellings still order consistently");
    ok(case_id_compare("1.99999999999999999999999", "1.100000000000000000000000") < 0,
       "long numbers compare without overflow");

    ok(catalog_id_matches("1.*", "1.1.1"), "1.* matches 1.1.1");
    ok(!catalog_id_matches("1.*", "10.1"), "1.* does not match 10.1");
    ok(catalog_id_matches("10.*", "10.1"), "10.* matches 10.1");
    ok(!catalog_id_matches("10.*", "1.1"), "10.* does not match 1.1");
    ok(catalog_id_matches(" 2.1 , 3.*", "2.1") && catalog_id_matches(" 2.1 , 3.*", "3.4"), "a list with blanks");
    ok(!catalog_id_matches("2.1", "2.10"), "without a wildcard, an exact id");
    ok(catalog_id_matches("6.[45].?", "6.4.1") && !catalog_id_matches("6.[45].?", "6.6.1"), "bracket and ? globs");
    ok(!catalog_id_matches(NULL, "1") && !catalog_id_matches("", "1") && !catalog_id_matches(",,", "1"),
       "an empty list matches nothing");

    case_list l = {0};
    caselang_error e;
    const char *text = "case 10.1\n title t\n rfc 1\n require r\n"
                       "case 1.10\n title t\n rfc 1\n require r\n"
                       "case 1.2\n title t\n rfc 1\n require r\n"
                       "case 2.1\n title t\n rfc 1\n require r\n"
                       "case 1.1.1\n title t\n rfc 1\n require r\n";
    is_int(parse(text, &l, &e), 0, "cases to select from");
    const case_def **sel;
    size_t count;
    char err[256];
    is_int(catalog_select(&l, NULL, NULL, &sel, &count, err, sizeof err), 0, "select all");
    ok(count == 5 && str_is(sel[0]->id, "1.1.1") && str_is(sel[1]->id, "1.2") && str_is(sel[2]->id, "1.10") &&
           str_is(sel[3]->id, "2.1") && str_is(sel[4]->id, "10.1"), "all, in natural order");
    free(sel);
    catalog_select(&l, "1.*", NULL, &sel, &count, err, sizeof err);
    ok(count == 3 && str_is(sel[0]->id, "1.1.1") && str_is(sel[2]->id, "1.10"), "--cases 1.* selects section 1 only");
    free(sel);
    catalog_select(&l, "1.*", "1.1*", &sel, &count, err, sizeof err);
    ok(count == 1 && str_is(sel[0]->id, "1.2"), "--exclude wins over --cases");
    free(sel);
    catalog_select(&l, "10.*,2.1", NULL, &sel, &count, err, sizeof err);
    ok(count == 2 && str_is(sel[0]->id, "2.1") && str_is(sel[1]->id, "10.1"), "a list of globs");
    free(sel);
    catalog_select(&l, "", "*", &sel, &count, err, sizeof err);
    ok(count == 0 && sel == NULL, "everything excluded: empty, NULL array");
    case_list_free(&l);
}

/* ---- the catalog on disk and the subcommands -------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Runs fn with stdout and stderr captured into buffers. */
static int capture(int (*fn)(int, char **), int argc, char **argv, char *out, size_t out_cap, char *errb,
                   size_t err_cap)
{
    FILE *o = tmpfile(), *e = tmpfile();
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    int rc = fn(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    rewind(o);
    rewind(e);
    size_t n = fread(out, 1, out_cap - 1, o);
    out[n] = '\0';
    n = fread(errb, 1, err_cap - 1, e);
    errb[n] = '\0';
    fclose(o);
    fclose(e);
    return rc;
}

static void test_catalog_and_commands(void)
{
    char dir[] = "/tmp/caselang-cat-XXXXXX";
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    char sub[100], examples[100], hidden[100], path[1024];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(examples, sizeof examples, "%s/examples", dir);
    snprintf(hidden, sizeof hidden, "%s/.hidden", dir);
    mkdir(sub, 0700);
    mkdir(examples, 0700);
    mkdir(hidden, 0700);
    write_file(dir, "a.case", "case 10.1\n title Ten\n rfc 5.2\n require r\n"
                              "case 1.10\n title One-ten\n rfc 5.3\n require r\n"
                              "case 1.2\n title One-two\n rfc 5.4\n require r\n");
    write_file(sub, "b.case", "case 2.1\n title Two\n rfc 5.5\n require r\n"
                              "case 1.1.1\n title One-one-one\n rfc 5.6\n require r\n");
    write_file(examples, "x.case", "case 1.2\n title dup\n rfc 1\n require r\n");
    write_file(hidden, "y.case", "junk\n");
    write_file(dir, "notes.txt", "junk\n");

    case_list l = {0};
    char err[1024] = "";
    is_int(catalog_load_dir(dir, &l, err, sizeof err), 0, "a tree loads");
    if (err[0])
        tap_diag("%s", err);
    ok(l.count == 5 && str_is(l.cases[0].id, "10.1") && str_is(l.cases[2].id, "1.2") &&
           str_is(l.cases[3].id, "2.1") && str_is(l.cases[4].id, "1.1.1"),
       "files in path order, examples/ and hidden entries skipped, other names ignored");
    case_list_free(&l);

    is_int(catalog_load_dir(examples, &l, err, sizeof err), 0, "examples/ as the root loads");
    is_int(l.count, 1, "its case");
    case_list_free(&l);

    is_int(catalog_load_dir(hidden + 0, &l, err, sizeof err), -1, "a bad file in the tree stops the load");
    ok(strstr(err, "y.case:1: expected a block to start with case or family") != NULL, "with FILE:LINE");
    case_list_free(&l);

    is_int(catalog_load_dir("/nonexistent-dir-x", &l, err, sizeof err), -1, "a missing directory");
    ok(strstr(err, "/nonexistent-dir-x") != NULL, "names it");
    char empty[200];
    snprintf(empty, sizeof empty, "%s/sub2", dir);
    mkdir(empty, 0700);
    is_int(catalog_load_dir(empty, &l, err, sizeof err), -1, "a directory without case files");
    ok(strstr(err, "expected *.case files") != NULL, "says so");

    /* default directory */
    setenv("WSCONFORM_CASES", dir, 1);
    ok(strcmp(catalog_default_dir(), dir) == 0, "WSCONFORM_CASES wins");
    setenv("WSCONFORM_CASES", "", 1);
    ok(strcmp(catalog_default_dir(), WSCONFORM_CASES_DIR) == 0, "empty WSCONFORM_CASES: the compiled-in directory");
    unsetenv("WSCONFORM_CASES");
    ok(strcmp(catalog_default_dir(), WSCONFORM_CASES_DIR) == 0, "unset: the compiled-in directory");

    /* list */
    char out[4096], errb[4096];
    char *list1[] = {"list", "--cases-dir", dir, "--cases", "1.*", NULL};
    is_int(capture(cmd_list, 5, list1, out, sizeof out, errb, sizeof errb), 0, "list exits 0");
    ok(strcmp(out, "1.1.1\t5.6\tOne-one-one\n1.2\t5.4\tOne-two\n1.10\t5.3\tOne-ten\n") == 0,
       "list prints ID, RFC and TITLE in natural order");
    ok(strcmp(errb, "3 of 5 cases\n") == 0, "count on stderr");
    char *list2[] = {"list", "--exclude", "1.*", NULL};
    setenv("WSCONFORM_CASES", dir, 1);
    is_int(capture(cmd_list, 3, list2, out, sizeof out, errb, sizeof errb), 0, "list with the default directory");
    ok(strcmp(out, "2.1\t5.5\tTwo\n10.1\t5.2\tTen\n") == 0, "--exclude applies");
    unsetenv("WSCONFORM_CASES");
    char *list3[] = {"list", "--cases-dir", dir, NULL};
    capture(cmd_list, 3, list3, out, sizeof out, errb, sizeof errb);
    ok(strcmp(errb, "5 cases\n") == 0, "count of all");
    char *list4[] = {"list", "--bogus", NULL};
    is_int(capture(cmd_list, 2, list4, out, sizeof out, errb, sizeof errb), 2, "unknown option: 2");
    char *list5[] = {"list", "extra", NULL};
    is_int(capture(cmd_list, 2, list5, out, sizeof out, errb, sizeof errb), 2, "positional argument: 2");
    char *list6[] = {"list", "--cases-dir", hidden, NULL};
    is_int(capture(cmd_list, 3, list6, out, sizeof out, errb, sizeof errb), 2, "bad case file: 2");
    ok(strstr(errb, "y.case:1: ") != NULL, "error with FILE:LINE");
    char *list7[] = {"list", "--help", NULL};
    is_int(capture(cmd_list, 2, list7, out, sizeof out, errb, sizeof errb), 0, "--help: 0");
    ok(strstr(out, "usage: wsconform list") != NULL, "usage on stdout");

    /* check */
    char a[200], b[200], bad[200], dup[200];
    snprintf(a, sizeof a, "%s/a.case", dir);
    snprintf(b, sizeof b, "%s/sub/b.case", dir);
    snprintf(bad, sizeof bad, "%s/bad.case", sub);
    snprintf(dup, sizeof dup, "%s/x.case", examples);
    char *check1[] = {"check", a, b, NULL};
    is_int(capture(cmd_check, 3, check1, out, sizeof out, errb, sizeof errb), 0, "check: good files exit 0");
    snprintf(path, sizeof path, "%s: 3 cases OK\n%s: 2 cases OK\n", a, b);
    ok(strcmp(out, path) == 0, "check prints FILE: N cases OK");
    write_file(sub, "bad.case", "case 9\n title t\n rfc 1\n require r\n send text rsv=8\n");
    char *check2[] = {"check", bad, a, NULL};
    is_int(capture(cmd_check, 3, check2, out, sizeof out, errb, sizeof errb), 2, "check: a bad file exits 2");
    snprintf(path, sizeof path, "%s:5: expected rsv=0..7, found 'rsv=8'\n", bad);
    ok(strcmp(errb, path) == 0, "the error as FILE:LINE: message");
    snprintf(path, sizeof path, "%s: 3 cases OK\n", a);
    ok(strcmp(out, path) == 0, "later files are still checked");
    char *check3[] = {"check", a, dup, NULL};
    is_int(capture(cmd_check, 3, check3, out, sizeof out, errb, sizeof errb), 2, "check: duplicate ids across files");
    snprintf(path, sizeof path, "first defined at %s:9", a);
    ok(strstr(errb, path) != NULL, "names the first definition");
    char *check4[] = {"check", NULL};
    is_int(capture(cmd_check, 1, check4, out, sizeof out, errb, sizeof errb), 2, "check without files: 2");
    char *check5[] = {"check", "/nonexistent.case", NULL};
    is_int(capture(cmd_check, 2, check5, out, sizeof out, errb, sizeof errb), 2, "check a missing file: 2");
    unlink(bad);
    char *check6[] = {"check", dir, NULL};
    is_int(capture(cmd_check, 2, check6, out, sizeof out, errb, sizeof errb), 0, "check a directory");
    ok(strstr(out, "a.case: 3 cases OK") && strstr(out, "b.case: 2 cases OK"), "every file under it");

    snprintf(path, sizeof path, "%s/a.case", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    unlink(path);
    unlink(b);
    unlink(dup);
    snprintf(path, sizeof path, "%s/y.case", hidden);
    unlink(path);
    rmdir(sub);
    rmdir(examples);
    rmdir(hidden);
    rmdir(empty);
    rmdir(dir);
}

/* ---- the shipped case files ------------------------------------------------ */

static int check_tree(const char *dir, int *files, int *cases)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int failures = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            failures += check_tree(path, files, cases) != 0;
            continue;
        }
        size_t n = strlen(ent->d_name);
        if (n < 6 || strcmp(ent->d_name + n - 5, ".case") != 0)
            continue;
        case_list l = {0};
        char err[1024];
        if (catalog_load_file(path, &l, err, sizeof err) != 0) {
            tap_diag("%s", err);
            failures++;
        } else {
            (*cases) += (int)l.count;
        }
        (*files)++;
        case_list_free(&l);
    }
    closedir(d);
    return failures;
}

static void test_shipped_cases(void)
{
    int files = 0, cases = 0;
    int failures = check_tree("cases", &files, &cases);
    is_int(failures, 0, "every file under cases/ parses (%d files, %d cases)", files, cases);
    ok(files >= 3, "cases/ holds the example files");

    case_list l = {0};
    char err[1024];
    /* The tolerances the RFC's words call for (cases/README.md, "Tolerated closes"). */
    is_int(catalog_load_dir("cases", &l, err, sizeof err), 0, "cases/ loads as one tree");
    const case_def *l3 = NULL, *l4 = NULL, *l10 = NULL, *c11 = NULL, *c14 = NULL, *l1 = NULL;
    for (size_t i = 0; i < l.count; i++) {
        const case_def *d = &l.cases[i];
        if (str_is(d->id, "L.3")) l3 = d;
        if (str_is(d->id, "L.4")) l4 = d;
        if (str_is(d->id, "L.10")) l10 = d;
        if (str_is(d->id, "C.1.1")) c11 = d;
        if (str_is(d->id, "C.1.4")) c14 = d;
        if (str_is(d->id, "L.1")) l1 = d;
    }
    ok(l3 && l4 && l3->close.tolerate[SITUATION_KILL].verdict == VERDICT_NON_STRICT &&
           l4->close.tolerate[SITUATION_KILL].allowed && strstr(l4->close.tolerate[SITUATION_KILL].why, "10.4"),
       "L.3 and L.4 tolerate the kill timer as NON-STRICT (10.4)");
    ok(l1 && !l1->close.tolerate[SITUATION_KILL].allowed, "L.1 (a length outside 5.2's grammar) does not");
    ok(l10 && l10->close.tolerate[SITUATION_PEER_CLOSE].verdict == VERDICT_INFORMATIONAL &&
           l10->close.tolerate[SITUATION_PEER_DROP].verdict == VERDICT_NON_STRICT,
       "L.10: a Close under the flood INFORMATIONAL, a TCP drop NON-STRICT");
    ok(c11 && c11->close.tolerate[SITUATION_CODE].verdict == VERDICT_NON_STRICT &&
           c11->close.tolerated_code_count == 1 && c11->close.tolerated_codes[0] == 1002 &&
           strstr(c11->close.tolerate[SITUATION_CODE].why, "1012"),
       "C.1.1: 1002 for 1012 is NON-STRICT, the reason names the code");
    ok(c14 && !c14->close.tolerate[SITUATION_CODE].allowed, "C.1.4 (1015) tolerates nothing");
    case_list_free(&l);

    is_int(catalog_load_dir("cases/examples", &l, err, sizeof err), 0, "cases/examples loads as one tree");
    const case_def **sel;
    size_t count;
    catalog_select(&l, "1.1.*", NULL, &sel, &count, err, sizeof err);
    is_int(count, 8, "the 1.1.x family and 1.1.8");
    if (count == 8) {
        ok(str_is(sel[0]->id, "1.1.1") && str_is(sel[7]->id, "1.1.8"), "1.1.1 .. 1.1.8 in order");
        is_int(sel[5]->steps[0].data.length, 65535, "1.1.6 sends 65535 bytes");
        is_int(sel[5]->kill_ms, 10000, "1.1.6 kill 10 s");
        is_int(sel[7]->steps[0].chop, 997, "1.1.8 chops at 997");
    }
    free(sel);
    catalog_select(&l, "2.*", NULL, &sel, &count, err, sizeof err);
    is_int(count, 11, "2.1 .. 2.11");
    if (count == 11) {
        ok(str_is(sel[9]->id, "2.10") && sel[9]->step_count == 10 &&
               sel[9]->expectations[0].events[0].repeat == 10, "2.10: ten pings, pong echo x10");
        ok(sel[4]->close.by == CLOSER_PEER && sel[4]->steps[0].data.length == 126, "2.5: 126-byte ping, peer closes");
    }
    free(sel);
    case_list_free(&l);
}

/* Every complete example in cases/README.md (a fenced block starting with
 * `case` or `family`, without "..." elisions) parses. */
static void test_readme_examples(void)
{
    FILE *f = fopen("cases/README.md", "rb");
    if (!f) {
        ok(0, "cases/README.md readable");
        return;
    }
    static char doc[256 * 1024];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    int blocks = 0, parsed = 0;
    char *body = NULL; /* start of the open fence's contents, NULL outside fences */
    for (char *line = doc; *line;) {
        char *next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (strncmp(line, "```", 3) == 0) {
            if (!body) {
                body = next;
            } else {
                size_t len = (size_t)(line - body);
                char *text = malloc(len + 1);
                memcpy(text, body, len);
                text[len] = '\0';
                if ((strncmp(text, "case ", 5) == 0 || strncmp(text, "family ", 7) == 0) &&
                    !strstr(text, "...")) {
                    case_list l = {0};
                    caselang_error e;
                    blocks++;
                    if (parse_n(text, len, "README.md", true, &l, &e) == 0)
                        parsed++;
                    else
                        tap_diag("README example: line %d: %s", e.line, e.message);
                    case_list_free(&l);
                }
                free(text);
                body = NULL;
            }
        }
        line = next;
    }
    ok(blocks >= 4, "README has complete examples (%d)", blocks);
    is_int(parsed, blocks, "every complete README example parses");
}

static void test_verdict_names(void)
{
    ok(str_is(verdict_name(VERDICT_OK), "OK") && str_is(verdict_name(VERDICT_NON_STRICT), "NON-STRICT") &&
           str_is(verdict_name(VERDICT_INFORMATIONAL), "INFORMATIONAL") &&
           str_is(verdict_name(VERDICT_UNIMPLEMENTED), "UNIMPLEMENTED") &&
           str_is(verdict_name(VERDICT_FAILED), "FAILED"),
       "verdict names");
}

int main(void)
{
    test_metadata_and_defaults();
    test_request();
    test_send();
    test_stream_raw_write_wait_loop();
    test_expect();
    test_close_and_timers();
    test_payloads();
    test_file_payloads();
    test_families();
    test_errors();
    test_limits();
    test_truncations();
    test_mutations();
    test_duplicates_across_files();
    test_ids_and_selection();
    test_catalog_and_commands();
    test_shipped_cases();
    test_readme_examples();
    test_verdict_names();
    return done_testing();
}
