/*
 * The session engine (harness/run/engine.h) without sockets: each test plays
 * the peer from a script of bytes, in the client role and the server role,
 * and every stream from the peer is also fed split at every byte (two reads)
 * and one byte at a time, which must change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/caselang.h"
#include "run/engine.h"
#include "tap.h"
#include "verdict/judge.h"
#include "wscodec.h"

#define T0 1000000u /* the scripts' clock starts here (µs) */
#define BUF_MAX (1u << 20)

typedef struct bytes {
    uint8_t data[BUF_MAX];
    size_t n;
} bytes;

static bytes out_buf, peer_buf;

static bool events_ok(const case_def *def, const case_result *r)
{
    verdict v;
    return judge_match(def, r, &v) >= 0 && v == VERDICT_OK;
}

static const engine_hooks judge_hooks = {events_ok, judge_still_possible};

static const case_def *load(case_list *list, const char *text)
{
    caselang_error err;
    case_list_free(list);
    if (caselang_parse(text, strlen(text), "engine.case", false, list, &err) != 0) {
        tap_diag("case does not parse: line %d: %s", err.line, err.message);
        exit(1);
    }
    return &list->cases[0];
}

static engine *start(const case_def *def, engine_role role, const target_url *url)
{
    engine_config cfg = {.role = role, .url = url, .timeout_scale = 1.0,
                         .user_agent = "engine-test", .hooks = judge_hooks};
    engine *e = engine_new(def, &cfg, T0);
    engine_connected(e, T0);
    return e;
}

/* Everything the engine has to write now, appended to out. */
static void drain(engine *e, uint64_t now, bytes *out)
{
    uint8_t buf[4096];
    bool alone;
    size_t n;
    while ((n = engine_output(e, buf, sizeof buf, now, &alone)) > 0) {
        if (out->n + n > BUF_MAX)
            abort();
        memcpy(out->data + out->n, buf, n);
        out->n += n;
        engine_output_written(e, buf, n, now);
    }
}

/* Feeds a stream in pieces: two at `split` (0: whole), or one byte at a time. */
static void feed(engine *e, const uint8_t *p, size_t n, size_t split, bool bytewise, uint64_t now)
{
    if (bytewise) {
        for (size_t i = 0; i < n; i++)
            engine_input(e, p + i, 1, now);
    } else {
        engine_input(e, p, split, now);
        engine_input(e, p + split, n - split, now);
    }
    engine_tick(e, now);
}

static void add(bytes *b, const void *p, size_t n)
{
    memcpy(b->data + b->n, p, n);
    b->n += n;
}

static void add_frame(bytes *b, uint8_t opcode, bool masked, const void *body, size_t n)
{
    ws_frame_spec spec = {.fin = true, .opcode = opcode, .masked = masked,
                          .mask_key = {0x11, 0x22, 0x33, 0x44}};
    size_t written = 0;
    ws_frame_encode(&spec, body, n, b->data + b->n, BUF_MAX - b->n, &written);
    b->n += written;
}

static void add_close(bytes *b, bool masked, uint16_t code)
{
    uint8_t body[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    add_frame(b, WS_OP_CLOSE, masked, body, 2);
}

/* One frame decoded from out at *pos (payload unmasked into payload). */
typedef struct frame {
    ws_frame_header h;
    uint8_t payload[256];
    bool ok;
} frame;

static frame next_frame(const bytes *b, size_t *pos)
{
    frame f = {.ok = false};
    int hl = ws_frame_decode_header(b->data + *pos, b->n - *pos, &f.h);
    if (hl <= 0 || f.h.payload_length > sizeof f.payload ||
        *pos + (size_t)hl + f.h.payload_length > b->n)
        return f;
    memcpy(f.payload, b->data + *pos + hl, (size_t)f.h.payload_length);
    if (f.h.masked)
        ws_mask(f.payload, (size_t)f.h.payload_length, f.h.mask_key, 0);
    *pos += (size_t)hl + (size_t)f.h.payload_length;
    f.ok = true;
    return f;
}

/* Where the HTTP head in b ends (after the empty line), 0 if it does not. */
static size_t head_end(const bytes *b)
{
    for (size_t i = 0; i + 4 <= b->n; i++)
        if (memcmp(b->data + i, "\r\n\r\n", 4) == 0)
            return i + 4;
    return 0;
}

/* ---- client role ------------------------------------------------------------- */

static const char *const echo_case =
    "case E.1\n  title echo\n  rfc 5.6\n  require r\n"
    "  send text \"Hello\"\n  expect OK: message text echo\n";

/* The request the engine wrote is valid (§4.1); its key answered (§4.2.2). */
static void client_response(const bytes *request, bytes *response)
{
    ws_http_header headers[32];
    ws_http_request req = {.headers = headers, .max_headers = 32};
    ws_handshake_request_info info = {0};
    int used = ws_http_parse_request((const char *)request->data, request->n, BUF_MAX, &req);
    if (used <= 0 || ws_handshake_check_request(&req, &info) != WS_OK) {
        response->n = 0;
        return;
    }
    ws_handshake_response_spec spec = {.key = info.key, .key_len = info.key_len};
    int n = ws_handshake_build_response(&spec, (char *)response->data, BUF_MAX);
    response->n = n > 0 ? (size_t)n : 0;
}

/* The whole conversation of echo_case with the peer's bytes cut as given;
 * true when every observation is as it must be. */
static bool client_echo_run(const case_def *def, const target_url *url, size_t split,
                            bool bytewise)
{
    engine *e = start(def, ROLE_CLIENT, url);
    out_buf.n = 0;
    drain(e, T0, &out_buf);
    peer_buf.n = 0;
    client_response(&out_buf, &peer_buf);
    bool good = peer_buf.n > 0;
    size_t sent_before = out_buf.n;
    add_frame(&peer_buf, WS_OP_TEXT, false, "Hello", 5);
    size_t stream = peer_buf.n;
    feed(e, peer_buf.data, stream, split < stream ? split : stream, bytewise, T0 + 10);
    drain(e, T0 + 10, &out_buf);
    engine_tick(e, T0 + 20); /* auto-close once the message is written */
    drain(e, T0 + 20, &out_buf);
    size_t pos = sent_before;
    frame text = next_frame(&out_buf, &pos), close = next_frame(&out_buf, &pos);
    good = good && text.ok && text.h.masked && text.h.opcode == WS_OP_TEXT &&
           memcmp(text.payload, "Hello", 5) == 0 && close.ok && close.h.masked &&
           close.h.opcode == WS_OP_CLOSE && close.payload[0] == 0x03 && close.payload[1] == 0xE8;
    peer_buf.n = 0;
    add_close(&peer_buf, false, 1000);
    feed(e, peer_buf.data, peer_buf.n, 1, bytewise, T0 + 30);
    engine_peer_gone(e, NULL, T0 + 40);
    good = good && engine_done(e);
    case_result *r = engine_finish(e, T0 + 50);
    judge_case(r);
    good = good && r->event_count == 1 && r->peer_close_code == 1000 &&
           r->outcome == VERDICT_OK && r->close_outcome == CLOSE_OK;
    if (!good)
        tap_diag("split %zu%s: outcome %s, close %s, reason: %s", split,
                 bytewise ? " bytewise" : "", verdict_name(r->outcome),
                 close_verdict_name(r->close_outcome), r->reason);
    result_free(r);
    return good;
}

static void test_client_echo(const target_url *url)
{
    case_list list = {0};
    const case_def *def = load(&list, echo_case);
    ok(client_echo_run(def, url, 0, false), "client: request, 101, echo, auto-close, clean close");
    ok(client_echo_run(def, url, 0, true), "client: the same, the peer's bytes one at a time");
    bool all = true;
    for (size_t split = 1; split < 260 && all; split++)
        all = client_echo_run(def, url, split, false);
    ok(all, "client: the same with the 101 and the echo split at every byte");
    case_list_free(&list);
}

static void test_client_rejects_masked_frames(const target_url *url)
{
    case_list list = {0};
    const case_def *def = load(&list, echo_case);
    engine *e = start(def, ROLE_CLIENT, url);
    out_buf.n = 0;
    drain(e, T0, &out_buf);
    peer_buf.n = 0;
    client_response(&out_buf, &peer_buf);
    add_frame(&peer_buf, WS_OP_TEXT, true, "Hello", 5);
    size_t before = out_buf.n;
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0 + 10);
    drain(e, T0 + 10, &out_buf);
    const case_result *r = engine_result(e);
    ok(r->violation[0] != '\0', "client: a masked frame from a server is a violation (%s)",
       r->violation);
    ok(r->event_count == 0, "client: and is not taken as a message");
    size_t pos = before;
    frame f = next_frame(&out_buf, &pos);
    while (f.ok && f.h.opcode != WS_OP_CLOSE)
        f = next_frame(&out_buf, &pos);
    ok(f.ok && f.h.masked && f.payload[0] == 0x03 && f.payload[1] == 0xEA,
       "client: it fails the connection with a masked Close 1002");
    result_free(engine_finish(e, T0 + 20));
    case_list_free(&list);
}

static void test_client_timers(const target_url *url)
{
    case_list list = {0};
    const case_def *def = load(&list, echo_case);
    engine_config cfg = {.role = ROLE_CLIENT, .url = url, .timeout_scale = 1.0,
                         .user_agent = "engine-test", .hooks = judge_hooks};
    engine *e = engine_new(def, &cfg, T0);
    is_int(engine_deadline(e), T0 + 5000000u, "client: the handshake deadline is 5 s away");
    engine_tick(e, T0 + 4999999u);
    ok(!engine_done(e), "client: nothing ends before it");
    engine_tick(e, T0 + 5000000u);
    const case_result *r = engine_result(e);
    ok(engine_done(e) && strstr(r->failure, "no TCP connection within 5000 ms"),
       "client: then the case ends: %s", r->failure);
    result_free(engine_finish(e, T0 + 5000001u));

    e = start(def, ROLE_CLIENT, url);
    out_buf.n = 0;
    drain(e, T0, &out_buf);
    peer_buf.n = 0;
    client_response(&out_buf, &peer_buf);
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0);
    drain(e, T0, &out_buf);
    size_t before = out_buf.n;
    is_int(engine_deadline(e), T0 + 2000000u, "client: open, the kill timer is next (2 s)");
    engine_tick(e, T0 + 2000000u);
    drain(e, T0 + 2000000u, &out_buf);
    size_t pos = before;
    frame f = next_frame(&out_buf, &pos);
    ok(engine_result(e)->killed && f.ok && f.h.opcode == WS_OP_CLOSE && f.payload[1] == 0xE9,
       "client: when it fires the engine fails the connection with 1001");
    result_free(engine_finish(e, T0 + 2000001u));
    case_list_free(&list);
}


/* A client engine for `text`, its handshake done; out_buf holds what it
 * wrote after the request, *after_request where that began. */
static engine *open_client(case_list *list, const char *text, const target_url *url)
{
    engine *e = start(load(list, text), ROLE_CLIENT, url);
    out_buf.n = 0;
    drain(e, T0, &out_buf);
    peer_buf.n = 0;
    client_response(&out_buf, &peer_buf);
    out_buf.n = 0;
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0);
    return e;
}

#define CASE_HEAD "case C.1\n  title steps\n  rfc 5.4\n  require r\n"

static void test_client_steps(const target_url *url)
{
    case_list list = {0};
    engine *e = open_client(&list, CASE_HEAD "  send text \"Hello\" fragment=2\n"
                                   "  send-begin binary len=4\n  send-data \"ab\"\n"
                                   "  send-data \"cd\"\n  loop 3\n  send ping \"p\"\n  end-loop\n"
                                   "  expect OK: message text echo, message binary echo, pong x3\n",
                            url);
    drain(e, T0, &out_buf);
    size_t pos = 0;
    frame f1 = next_frame(&out_buf, &pos), f2 = next_frame(&out_buf, &pos),
          f3 = next_frame(&out_buf, &pos);
    ok(f1.ok && f1.h.opcode == WS_OP_TEXT && !f1.h.fin && f1.h.masked &&
       memcmp(f1.payload, "He", 2) == 0 && f2.ok && f2.h.opcode == WS_OP_CONTINUATION &&
       !f2.h.fin && memcmp(f2.payload, "ll", 2) == 0 && f3.ok && f3.h.fin &&
       f3.h.payload_length == 1 && f3.payload[0] == 'o',
       "client: fragment=2 cuts a message into masked frames of 2 bytes, FIN on the last");
    frame streamed = next_frame(&out_buf, &pos);
    ok(streamed.ok && streamed.h.opcode == WS_OP_BINARY && streamed.h.payload_length == 4 &&
       memcmp(streamed.payload, "abcd", 4) == 0,
       "client: send-begin and send-data make one frame, masked from the right offset");
    int pings = 0;
    for (frame f = next_frame(&out_buf, &pos); f.ok; f = next_frame(&out_buf, &pos))
        pings += f.h.opcode == WS_OP_PING && f.payload[0] == 'p';
    is_int(pings, 3, "client: loop 3 sends three pings");
    const case_result *r = engine_result(e);
    ok(r->sent_message_count == 5 && r->sent_messages[0].length == 5 &&
       r->sent_messages[1].length == 4,
       "client: what was sent is noted for echo matching (a message however fragmented)");
    result_free(engine_finish(e, T0 + 10));
    case_list_free(&list);
}

static void test_client_write_modes(const target_url *url)
{
    case_list list = {0};
    engine *e = open_client(&list, CASE_HEAD "  write chop 3\n  send text \"Hello\"\n"
                                   "  expect OK: message text echo\n", url);
    uint8_t buf[64];
    bool alone;
    size_t sizes[8], writes = 0, n;
    while (writes < 8 && (n = engine_output(e, buf, sizeof buf, T0, &alone)) > 0) {
        sizes[writes++] = n;
        engine_output_written(e, buf, n, T0);
        if (!alone)
            break;
    }
    ok(writes == 4 && sizes[0] == 3 && sizes[1] == 3 && sizes[2] == 3 && sizes[3] == 2,
       "client: write chop 3 hands the 11-byte frame over in writes of 3, 3, 3 and 2 bytes");
    result_free(engine_finish(e, T0 + 10));

    e = open_client(&list, CASE_HEAD "  send text \"a\"\n  wait 1s A\n  send text \"b\"\n"
                           "  expect OK: timeout A\n  close peer 1002\n", url);
    drain(e, T0, &out_buf);
    is_int(engine_deadline(e), T0 + 1000000u, "client: a wait is the next deadline");
    engine_tick(e, T0 + 999999u);
    is_int(engine_result(e)->event_count, 0, "client: nothing happens before it ends");
    engine_tick(e, T0 + 1000000u);
    const case_result *r = engine_result(e);
    ok(r->event_count == 1 && r->events[0].kind == EVENT_TIMEOUT &&
       strcmp(r->events[0].tag, "A") == 0 && (r->timers & TIMER_WAIT_TAG),
       "client: a tagged wait ending with the connection open records timeout A");
    result_free(engine_finish(e, T0 + 1000001u));
    case_list_free(&list);
}

static void test_client_answers_the_peer(const target_url *url)
{
    case_list list = {0};
    engine *e = open_client(&list, CASE_HEAD "  wait 1s\n  expect OK: ping x2\n", url);
    peer_buf.n = 0;
    add_frame(&peer_buf, WS_OP_PING, false, "one", 3);
    add_frame(&peer_buf, WS_OP_PING, false, "two", 3);
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0 + 10);
    drain(e, T0 + 10, &out_buf);
    size_t pos = 0;
    frame pong = next_frame(&out_buf, &pos), more = next_frame(&out_buf, &pos);
    ok(pong.ok && pong.h.opcode == WS_OP_PONG && pong.h.masked &&
       memcmp(pong.payload, "two", 3) == 0 && !more.ok,
       "client: two pings before a pong is written get one pong, for the latest (5.5.3)");
    is_int(engine_result(e)->pongs_coalesced, 1, "client: and the coalesced pong is counted");
    result_free(engine_finish(e, T0 + 20));

    e = open_client(&list, CASE_HEAD "  send text \"Hello\"\n  expect OK: message text echo\n",
                    url);
    drain(e, T0, &out_buf);
    out_buf.n = 0;
    peer_buf.n = 0;
    add_frame(&peer_buf, WS_OP_TEXT, false, "Bye", 3);
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0 + 10);
    drain(e, T0 + 10, &out_buf);
    pos = 0;
    frame close = next_frame(&out_buf, &pos);
    ok(engine_result(e)->decided_early && close.ok && close.h.opcode == WS_OP_CLOSE,
       "client: an event no expectation can follow closes the case at once");
    result_free(engine_finish(e, T0 + 20));

    e = open_client(&list, CASE_HEAD "  send text \"x\" rsv=4\n  close peer 1002\n", url);
    drain(e, T0, &out_buf);
    out_buf.n = 0;
    peer_buf.n = 0;
    add_close(&peer_buf, false, 1002);
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0 + 10);
    drain(e, T0 + 10, &out_buf);
    pos = 0;
    close = next_frame(&out_buf, &pos);
    const case_result *r = engine_result(e);
    ok(r->closer == BY_PEER && r->peer_close_code == 1002 && close.ok &&
       close.h.opcode == WS_OP_CLOSE && close.payload[0] == 0x03 && close.payload[1] == 0xE8,
       "client: the peer's Close 1002 is recorded and answered with 1000");
    is_int(engine_deadline(e), T0 + 10 + 1000000u,
           "client: then the server has 1 s to drop TCP");
    engine_tick(e, T0 + 10 + 1000000u);
    ok(engine_done(e) && engine_result(e)->dropped_after_close_wait,
       "client: a server that does not is dropped, and that is noted");
    result_free(engine_finish(e, T0 + 2000000u));
    case_list_free(&list);
}

/* ---- permessage-deflate, client role ------------------------------------------ */

/* A 101 for the request in out_buf answering `extensions` (NULL: none), fed
 * to the engine; out_buf is emptied. */
static void answer_with(engine *e, const char *extensions)
{
    ws_http_header headers[32];
    ws_http_request req = {.headers = headers, .max_headers = 32};
    ws_handshake_request_info info = {0};
    ws_http_parse_request((const char *)out_buf.data, out_buf.n, BUF_MAX, &req);
    ws_handshake_check_request(&req, &info);
    ws_handshake_response_spec spec = {.key = info.key, .key_len = info.key_len,
                                       .extensions = extensions,
                                       .extensions_len = extensions ? strlen(extensions) : 0};
    int n = ws_handshake_build_response(&spec, (char *)peer_buf.data, BUF_MAX);
    peer_buf.n = n > 0 ? (size_t)n : 0;
    out_buf.n = 0;
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0);
}

static engine *open_compressed(case_list *list, const char *text, const target_url *url,
                               const char *answer)
{
    engine *e = start(load(list, text), ROLE_CLIENT, url);
    out_buf.n = 0;
    drain(e, T0, &out_buf);
    answer_with(e, answer);
    return e;
}

/* Inflates one message payload as a peer with a fresh window would. */
static size_t inflate_payload(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    ws_inflater inf;
    ws_inflater_config cfg = {0};
    size_t used = 0, made = 0;
    ws_inflater_init(&inf, &cfg);
    int rc = ws_inflater_feed(&inf, in, n, true, out, cap, &used, &made);
    ws_inflater_free(&inf);
    return rc == WS_OK ? made : (size_t)-1;
}

#define PMD_HEAD "case Z.1\n  title pmd\n  rfc RFC 7692 7.2.1\n  require r\n"
#define TEXT17 "Hello Hello Hello"

/* The compressed payload of TEXT17 as the suite's compressor makes it. */
static size_t text17_compressed_length(void)
{
    ws_deflater d;
    ws_deflater_config cfg = {.level = 1};
    uint8_t out[64];
    size_t used, made;
    ws_deflater_init(&d, &cfg);
    ws_deflater_feed(&d, (const uint8_t *)TEXT17, 17, true, out, sizeof out, &used, &made);
    ws_deflater_free(&d);
    return made;
}

static void test_client_compresses(const target_url *url)
{
    size_t z = text17_compressed_length();
    char text[512];
    snprintf(text, sizeof text, PMD_HEAD
             "  offer permessage-deflate; client_no_context_takeover\n  deflate required\n"
             "  send text \"" TEXT17 "\" compress fragment=%zu\n"
             "  send text \"" TEXT17 "\" compress fragment=4\n"
             "  send binary \"abc\" compress=stored\n"
             "  expect OK: message text echo, message text echo, message binary echo\n", z);
    case_list list = {0};
    engine *e = open_compressed(&list, text, url, "permessage-deflate; client_no_context_takeover");
    drain(e, T0, &out_buf);
    ok(engine_result(e)->compressed, "pmd: the agreement is noted");
    size_t pos = 0;
    frame whole = next_frame(&out_buf, &pos), empty_end = next_frame(&out_buf, &pos);
    uint8_t plain[64];
    ok(whole.ok && whole.h.opcode == WS_OP_TEXT && whole.h.rsv == WS_RSV1 && !whole.h.fin &&
       whole.h.masked && whole.h.payload_length == z && empty_end.ok &&
       empty_end.h.opcode == WS_OP_CONTINUATION && empty_end.h.fin && !empty_end.h.rsv &&
       empty_end.h.payload_length == 0 &&
       inflate_payload(whole.payload, z, plain, sizeof plain) == 17 &&
       memcmp(plain, TEXT17, 17) == 0,
       "pmd: a compressed payload filling its frame exactly ends with an empty FIN continuation");
    uint8_t joined[64];
    size_t joined_n = 0, frames = 0;
    bool rsv_first_only = true;
    for (frame f = next_frame(&out_buf, &pos); f.ok; f = next_frame(&out_buf, &pos)) {
        rsv_first_only = rsv_first_only && (frames == 0 ? f.h.rsv == WS_RSV1 : f.h.rsv == 0) &&
                         f.h.payload_length <= 4;
        memcpy(joined + joined_n, f.payload, (size_t)f.h.payload_length);
        joined_n += (size_t)f.h.payload_length;
        frames++;
        if (f.h.fin)
            break;
    }
    ok(rsv_first_only && frames >= 2 && inflate_payload(joined, joined_n, plain, sizeof plain) == 17 &&
       memcmp(plain, TEXT17, 17) == 0,
       "pmd: fragment=4 cuts the compressed payload into %zu frames, RSV1 on the first only",
       frames);
    frame stored = next_frame(&out_buf, &pos);
    ok(stored.ok && stored.h.opcode == WS_OP_BINARY && stored.h.rsv == WS_RSV1 &&
       stored.h.payload_length == 9 && memcmp(stored.payload, "\x00\x03\x00\xfc\xff" "abc\x00", 9) == 0,
       "pmd: compress=stored sends a stored block as in 7.2.3.3 (00 03 00 fc ff abc 00)");
    const case_result *r = engine_result(e);
    ok(r->sent_message_count == 3 && r->sent_messages[0].length == 17 &&
       r->message_bytes_out == 37,
       "pmd: echo matching and the ratio count the messages before compression");
    result_free(engine_finish(e, T0 + 10));
    case_list_free(&list);
}

static void test_client_declined(const target_url *url)
{
    case_list list = {0};
    engine *e = open_compressed(&list, PMD_HEAD "  offer permessage-deflate\n  deflate required\n"
                                               "  send text \"x\" compress\n"
                                               "  expect OK: message text echo\n", url, NULL);
    drain(e, T0, &out_buf);
    size_t pos = 0;
    frame f = next_frame(&out_buf, &pos);
    ok(f.ok && f.h.opcode == WS_OP_CLOSE && f.payload[0] == 0x03 && f.payload[1] == 0xE8 &&
       !next_frame(&out_buf, &pos).ok,
       "pmd declined: no step is played, the suite closes with 1000 at once");
    peer_buf.n = 0;
    add_close(&peer_buf, false, 1000);
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0 + 5);
    engine_peer_gone(e, NULL, T0 + 6);
    case_result *r = engine_finish(e, T0 + 7);
    judge_case(r);
    ok(r->outcome == VERDICT_UNIMPLEMENTED && r->close_outcome == CLOSE_OK &&
       strstr(r->reason, "declined permessage-deflate") != NULL,
       "pmd declined: UNIMPLEMENTED, close OK (%s / %s: %s)", verdict_name(r->outcome),
       close_verdict_name(r->close_outcome), r->reason);
    result_free(r);
    case_list_free(&list);
}

static void test_client_invalid_offer_accepted(const target_url *url)
{
    case_list list = {0};
    engine *e = open_compressed(&list, PMD_HEAD "  offer permessage-deflate; x_unknown\n"
                                               "  send text \"x\"\n  expect OK: message text echo\n",
                                url, "permessage-deflate");
    case_result *r = engine_finish(e, T0 + 1);
    judge_case(r);
    ok(r->outcome == VERDICT_FAILED && strstr(r->reason, "MUST decline") &&
       strstr(r->reason, "x_unknown") && strstr(r->reason, "RFC 7692 7"),
       "pmd: accepting an offer a server must decline fails, naming it (%s)", r->reason);
    result_free(r);
    static const struct {
        const char *answer, *why;
    } garbage[] = {
        {"permessage-deflate; server_max_window_bits=99", "RFC 7692 7.1.2.1"},
        {"permessage-deflate; client_max_window_bits=10", "RFC 7692 7.1.2.2"},
        {"permessage-deflate, permessage-deflate", "RFC 7692 5"},
        {"x-garbage;;;=", "handshake"},
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        e = open_compressed(&list, PMD_HEAD "  offer permessage-deflate\n  send text \"x\"\n"
                                            "  expect OK: message text echo\n",
                            url, garbage[i].answer);
        r = engine_finish(e, T0 + 1);
        judge_case(r);
        ok(r->outcome == VERDICT_FAILED && r->close_outcome == CLOSE_FAILED &&
           strstr(r->reason, "bad handshake response") && strstr(r->reason, garbage[i].why),
           "pmd: an answer \"%s\" fails the case, not the runner (%s)", garbage[i].answer,
           r->reason);
        result_free(r);
    }
    case_list_free(&list);
}

/* A 4xx refusal where an offer had to be declined: tolerated as NON-STRICT;
 * a 5xx is not. */
static void test_client_refused(const target_url *url)
{
    static const struct {
        const char *head;
        verdict outcome;
        close_verdict close;
    } answers[] = {
        {"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", VERDICT_NON_STRICT, CLOSE_OK},
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", VERDICT_FAILED,
         CLOSE_FAILED},
    };
    for (size_t i = 0; i < 2; i++) {
        case_list list = {0};
        engine *e = start(load(&list, PMD_HEAD "  offer permessage-deflate; x_unknown\n"
                                               "  send text \"x\"\n"
                                               "  expect OK: message text echo\n"
                                               "  expect NON-STRICT: http 400-499\n"
                                               "  tolerate NON-STRICT: refused \"why\"\n"),
                          ROLE_CLIENT, url);
        out_buf.n = 0;
        drain(e, T0, &out_buf);
        feed(e, (const uint8_t *)answers[i].head, strlen(answers[i].head), 0, false, T0 + 1);
        engine_peer_gone(e, NULL, T0 + 2);
        case_result *r = engine_finish(e, T0 + 3);
        judge_case(r);
        ok(r->outcome == answers[i].outcome && r->close_outcome == answers[i].close,
           "refused with %.12s: %s / %s (%s)", answers[i].head + 9, verdict_name(r->outcome),
           close_verdict_name(r->close_outcome), r->reason);
        result_free(r);
        case_list_free(&list);
    }
}

/* The bulk step: each message after the previous echo; echoes are checked
 * as they come and not kept; a wrong echo is kept and fails. */
static void bulk_run(const target_url *url, bool corrupt_second)
{
    case_list list = {0};
    engine *e = open_compressed(&list, PMD_HEAD "  bulk binary bmp count=3 size=100000\n"
                                               "  expect OK: message binary echo x3\n", url, NULL);
    static uint8_t message[200000];
    size_t sent_total = 0;
    bool one_at_a_time = true;
    for (int k = 0; k < 3; k++) {
        out_buf.n = 0;
        drain(e, T0 + (uint64_t)k, &out_buf);
        /* one frame whose masked payload comes in several units */
        ws_frame_header h;
        int hl = ws_frame_decode_header(out_buf.data, out_buf.n, &h);
        one_at_a_time = one_at_a_time && hl > 0 && out_buf.n == (size_t)hl + h.payload_length;
        if (hl <= 0)
            break;
        memcpy(message, out_buf.data + hl, (size_t)h.payload_length);
        ws_mask(message, (size_t)h.payload_length, h.mask_key, 0);
        sent_total += (size_t)h.payload_length;
        if (corrupt_second && k == 1)
            message[500] ^= 1;
        peer_buf.n = 0;
        add_frame(&peer_buf, WS_OP_BINARY, false, message, (size_t)h.payload_length);
        feed(e, peer_buf.data, peer_buf.n, 0, false, T0 + (uint64_t)k);
        if (corrupt_second && k == 1)
            break;
    }
    case_result *r = engine_finish(e, T0 + 10);
    judge_case(r);
    if (!corrupt_second) {
        ok(one_at_a_time && sent_total == 300000 && r->event_count == 3 && !r->events[0].data &&
           r->events[2].echo_of == 3 && r->events[2].length == 100000 &&
           r->outcome == VERDICT_OK,
           "bulk: three 100000-byte slices of bmp, one per echo, echoes checked and not kept");
        ok(r->sent_messages[2].slice_count == 2,
           "bulk: the cursor wraps around the end of the data set (263222 bytes)");
    } else {
        ok(r->event_count == 2 && r->events[1].echo_of == 0 && r->events[1].data &&
           r->outcome == VERDICT_FAILED,
           "bulk: an echo that differs is kept and fails the case (%s)", r->reason);
    }
    result_free(r);
    case_list_free(&list);
}

/* ---- server role ------------------------------------------------------------- */

static const char *const server_case =
    "case S.1\n  title server echo\n  rfc 5.1\n  require r\n"
    "  send text \"Hi\"\n  expect OK: message text echo\n";

static const char *const client_request =
    "GET /chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

static bool valid_101(const bytes *b)
{
    ws_http_header headers[32];
    ws_http_response res = {.headers = headers, .max_headers = 32};
    if (ws_http_parse_response((const char *)b->data, b->n, BUF_MAX, &res) <= 0)
        return false;
    ws_handshake_request_spec spec = {.host = "example.test", .key = "dGhlIHNhbXBsZSBub25jZQ=="};
    return ws_handshake_check_response(&res, &spec, NULL) == WS_OK;
}

static bool server_echo_run(const case_def *def, size_t split, bool bytewise)
{
    engine *e = start(def, ROLE_SERVER, NULL);
    peer_buf.n = 0;
    add(&peer_buf, client_request, strlen(client_request));
    add_frame(&peer_buf, WS_OP_TEXT, true, "Hi", 2);
    out_buf.n = 0;
    feed(e, peer_buf.data, peer_buf.n, split < peer_buf.n ? split : peer_buf.n, bytewise, T0);
    drain(e, T0, &out_buf);
    engine_tick(e, T0 + 10);
    drain(e, T0 + 10, &out_buf);
    size_t pos = head_end(&out_buf);
    bool good = pos > 0 && valid_101(&out_buf);
    frame text = next_frame(&out_buf, &pos), close = next_frame(&out_buf, &pos);
    good = good && text.ok && !text.h.masked && text.h.opcode == WS_OP_TEXT &&
           memcmp(text.payload, "Hi", 2) == 0 && close.ok && !close.h.masked &&
           close.h.opcode == WS_OP_CLOSE;
    peer_buf.n = 0;
    add_close(&peer_buf, true, 1000);
    feed(e, peer_buf.data, peer_buf.n, 1, bytewise, T0 + 20);
    good = good && engine_done(e); /* the server drops TCP itself (§7.1.1) */
    case_result *r = engine_finish(e, T0 + 30);
    good = good && r->event_count == 1 && r->peer_close_code == 1000 && r->tcp_closed_by == BY_US &&
           r->violation[0] == '\0';
    if (!good)
        tap_diag("server split %zu%s: %zu events, violation '%s'", split,
                 bytewise ? " bytewise" : "", r->event_count, r->violation);
    result_free(r);
    return good;
}

static void test_server_echo(void)
{
    case_list list = {0};
    const case_def *def = load(&list, server_case);
    ok(server_echo_run(def, 0, false),
       "server: answers the handshake 101, sends unmasked frames, drops TCP after the close");
    ok(server_echo_run(def, 0, true), "server: the same, the client's bytes one at a time");
    bool all = true;
    size_t stream = strlen(client_request) + 8;
    for (size_t split = 1; split < stream && all; split++)
        all = server_echo_run(def, split, false);
    ok(all, "server: the same with the request and the frame split at every byte");
    case_list_free(&list);
}

static void test_server_rejects_unmasked_frames(void)
{
    case_list list = {0};
    const case_def *def = load(&list, server_case);
    engine *e = start(def, ROLE_SERVER, NULL);
    peer_buf.n = 0;
    add(&peer_buf, client_request, strlen(client_request));
    add_frame(&peer_buf, WS_OP_TEXT, false, "Hi", 2);
    out_buf.n = 0;
    feed(e, peer_buf.data, peer_buf.n, 0, false, T0);
    drain(e, T0, &out_buf);
    const case_result *r = engine_result(e);
    ok(r->violation[0] != '\0', "server: an unmasked frame from a client is a violation (%s)",
       r->violation);
    ok(r->event_count == 0, "server: and is not taken as a message");
    size_t pos = head_end(&out_buf);
    frame f = next_frame(&out_buf, &pos);
    while (f.ok && f.h.opcode != WS_OP_CLOSE)
        f = next_frame(&out_buf, &pos);
    ok(f.ok && !f.h.masked && f.payload[0] == 0x03 && f.payload[1] == 0xEA,
       "server: it fails the connection with an unmasked Close 1002");
    result_free(engine_finish(e, T0 + 10));
    case_list_free(&list);
}

static void test_server_refuses_bad_request(void)
{
    case_list list = {0};
    const case_def *def = load(&list, server_case);
    static const char *const no_upgrade =
        "GET / HTTP/1.1\r\nHost: example.test\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n";
    engine *e = start(def, ROLE_SERVER, NULL);
    engine_input(e, (const uint8_t *)no_upgrade, strlen(no_upgrade), T0);
    out_buf.n = 0;
    drain(e, T0, &out_buf);
    ok(out_buf.n > 12 && memcmp(out_buf.data, "HTTP/1.1 ", 9) == 0 &&
       memcmp(out_buf.data + 9, "101", 3) != 0,
       "server: a request without Upgrade is refused with an HTTP error");
    ok(engine_done(e), "server: and the connection ends once the refusal is written");
    ok(strstr(engine_result(e)->violation, "bad handshake request") != NULL,
       "server: the violation says so: %s", engine_result(e)->violation);
    result_free(engine_finish(e, T0 + 10));

    e = start(def, ROLE_SERVER, NULL);
    engine_tick(e, T0 + 5000000u);
    ok(engine_done(e) && strstr(engine_result(e)->failure, "no complete opening handshake request"),
       "server: a client that sends no request ends at the handshake timer: %s",
       engine_result(e)->failure);
    result_free(engine_finish(e, T0 + 5000001u));
    case_list_free(&list);
}

int main(void)
{
    target_url url;
    char err[128];
    if (target_url_parse("ws://127.0.0.1:9/", &url, err, sizeof err) != 0)
        return 1;
    test_client_echo(&url);
    test_client_rejects_masked_frames(&url);
    test_client_timers(&url);
    test_client_steps(&url);
    test_client_write_modes(&url);
    test_client_answers_the_peer(&url);
    test_client_compresses(&url);
    test_client_declined(&url);
    test_client_invalid_offer_accepted(&url);
    test_client_refused(&url);
    bulk_run(&url, false);
    bulk_run(&url, true);
    test_server_echo();
    test_server_rejects_unmasked_frames();
    test_server_refuses_bad_request();
    return done_testing();
}
