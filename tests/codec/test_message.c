/*
 * The message assembler (RFC 6455 §5.1-§5.5, §8.1). Every stream is played
 * whole, in every chunk size, and split in two at every byte; all ways must
 * give the same events, the same error and the same error offset.
 */
#include "counting_alloc.h"
#include "guard.h"
#include "tap.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"
#include "wscodec/message.h"

#define MAX_EVENTS 16

typedef struct recorded {
    int type;
    uint8_t opcode, rsv;
    uint32_t frames;
    size_t length;
    uint8_t data[256]; /* first bytes of the payload */
    bool has_code;
    uint16_t code;
} recorded;

typedef struct outcome {
    recorded events[MAX_EVENTS];
    int count;
    int error;
    uint64_t error_offset;
} outcome;

typedef struct stream {
    uint8_t bytes[8192];
    size_t len;
} stream;

static uint8_t key_seed = 1;

static void add_frame(stream *s, bool fin, uint8_t rsv, uint8_t opcode, bool masked,
                      const void *payload, size_t n)
{
    ws_frame_spec spec = {.fin = fin, .rsv = rsv, .opcode = opcode, .masked = masked,
                          .mask_key = {key_seed, (uint8_t)(key_seed * 3), 0x5a, 0xa5}};
    key_seed += 11;
    size_t written = 0;
    if (ws_frame_encode(&spec, payload, n, s->bytes + s->len, sizeof s->bytes - s->len,
                        &written) != WS_OK)
        abort();
    s->len += written;
}

static void add_raw(stream *s, const void *bytes, size_t n)
{
    memcpy(s->bytes + s->len, bytes, n);
    s->len += n;
}

/* Feeds one chunk, draining every event it completes. Returns 0 after an error. */
static int feed_chunk(ws_assembler *a, const uint8_t *chunk, size_t n, outcome *out)
{
    guarded g = guard_copy(chunk, n);
    const uint8_t *p = g.data;
    size_t left = n;
    for (;;) {
        ws_event ev;
        ptrdiff_t r = ws_assembler_feed(a, p, left, &ev);
        if (r < 0) {
            out->error = (int)r;
            out->error_offset = ws_assembler_error_offset(a);
            guard_free(&g);
            return 0;
        }
        p += r;
        left -= (size_t)r;
        if (ev.type == WS_EVENT_NONE) {
            if (left != 0)
                out->error = 12345; /* contract: NONE means all consumed */
            break;
        }
        if (out->count < MAX_EVENTS) {
            recorded *e = &out->events[out->count];
            e->type = ev.type;
            e->opcode = ev.opcode;
            e->rsv = ev.rsv;
            e->frames = ev.frames;
            e->length = ev.length;
            memcpy(e->data, ev.data, ev.length < sizeof e->data ? ev.length : sizeof e->data);
            e->has_code = ev.close.has_code;
            e->code = ev.close.code;
        }
        out->count++;
    }
    guard_free(&g);
    return 1;
}

/* Plays bytes in chunks of `chunk` bytes after a first piece of `first` bytes. */
static void play(const ws_assembler_config *cfg, const uint8_t *bytes, size_t len, size_t first,
                 size_t chunk, outcome *out)
{
    memset(out, 0, sizeof *out);
    ws_assembler a;
    if (ws_assembler_init(&a, cfg) != WS_OK)
        abort();
    size_t pos = 0;
    if (first > len)
        first = len;
    if (first && !feed_chunk(&a, bytes, first, out))
        goto done;
    pos = first;
    while (pos < len) {
        size_t n = len - pos < chunk ? len - pos : chunk;
        if (!feed_chunk(&a, bytes + pos, n, out))
            goto done;
        pos += n;
    }
done:
    ws_assembler_free(&a);
}

static int same_outcome(const outcome *x, const outcome *y)
{
    if (x->count != y->count || x->error != y->error || x->error_offset != y->error_offset)
        return 0;
    for (int i = 0; i < x->count && i < MAX_EVENTS; i++) {
        const recorded *a = &x->events[i], *b = &y->events[i];
        size_t n = a->length < sizeof a->data ? a->length : sizeof a->data;
        if (a->type != b->type || a->opcode != b->opcode || a->rsv != b->rsv ||
            a->frames != b->frames || a->length != b->length || a->has_code != b->has_code ||
            a->code != b->code || memcmp(a->data, b->data, n) != 0)
            return 0;
    }
    return 1;
}

/* Plays the stream every way and returns the whole-stream outcome. */
static outcome play_all_ways(const char *name, const ws_assembler_config *cfg, const stream *s)
{
    outcome whole, other;
    play(cfg, s->bytes, s->len, s->len, 1, &whole);
    int diverged = 0;
    for (size_t chunk = 1; chunk <= s->len; chunk++) {
        play(cfg, s->bytes, s->len, 0, chunk, &other);
        diverged += !same_outcome(&whole, &other);
    }
    for (size_t cut = 1; cut < s->len; cut++) {
        play(cfg, s->bytes, s->len, cut, s->len, &other);
        diverged += !same_outcome(&whole, &other);
    }
    is_int(diverged, 0, "%s: same outcome in every chunking of %zu bytes", name, s->len);
    return whole;
}

static const ws_assembler_config server = {.role = WS_ROLE_SERVER};
static const ws_assembler_config client = {.role = WS_ROLE_CLIENT};

static void expect_error(const char *name, const ws_assembler_config *cfg, const stream *s,
                         int events, int error, uint64_t offset)
{
    outcome o = play_all_ways(name, cfg, s);
    is_int(o.count, events, "%s: %d event(s) before the error", name, events);
    is_int(o.error, error, "%s: %s", name, ws_strerror(error));
    is_int(o.error_offset, offset, "%s: error at stream offset %llu", name,
           (unsigned long long)offset);
}

static void messages(void)
{
    stream s = {0};
    add_frame(&s, true, 0, WS_OP_TEXT, true, "Hello", 5);
    outcome o = play_all_ways("single text", &server, &s);
    ok(o.count == 1 && o.error == 0 && o.events[0].type == WS_EVENT_MESSAGE &&
           o.events[0].opcode == WS_OP_TEXT && o.events[0].frames == 1,
       "single text: one text message");
    is_mem(o.events[0].data, o.events[0].length, "Hello", 5, "single text: payload unmasked");

    s.len = 0;
    add_frame(&s, false, 0, WS_OP_TEXT, true, "Hel", 3);
    add_frame(&s, true, 0, WS_OP_PING, true, "ping!", 5);
    add_frame(&s, false, 0, WS_OP_CONTINUATION, true, "", 0);
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, "lo", 2);
    o = play_all_ways("fragmented with ping", &server, &s);
    is_int(o.count, 2, "fragmented with ping: ping then message");
    ok(o.events[0].type == WS_EVENT_PING && o.events[0].length == 5 &&
           memcmp(o.events[0].data, "ping!", 5) == 0,
       "fragmented with ping: ping payload delivered in the middle (5.4)");
    ok(o.events[1].type == WS_EVENT_MESSAGE && o.events[1].frames == 3,
       "fragmented with ping: message of 3 frames");
    is_mem(o.events[1].data, o.events[1].length, "Hello", 5, "fragmented with ping: reassembled");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_BINARY, true, "", 0);
    add_frame(&s, true, 0, WS_OP_TEXT, true, "", 0);
    add_frame(&s, true, 0, WS_OP_PONG, true, "", 0);
    add_frame(&s, true, 0, WS_OP_BINARY, true, "\x00\xff", 2);
    o = play_all_ways("empty frames", &server, &s);
    ok(o.count == 4 && o.events[0].opcode == WS_OP_BINARY && o.events[0].length == 0 &&
           o.events[1].opcode == WS_OP_TEXT && o.events[2].type == WS_EVENT_PONG &&
           o.events[3].length == 2,
       "empty frames: empty binary, empty text, empty pong, then binary");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, false, "to client", 9);
    o = play_all_ways("client receives unmasked", &client, &s);
    ok(o.count == 1 && o.error == 0, "client role accepts unmasked frames");

    s.len = 0;
    add_frame(&s, false, 0, WS_OP_TEXT, true, "\xce", 1);
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, "\xba\xe1\xbd\xb9", 4);
    o = play_all_ways("UTF-8 split across fragments", &server, &s);
    ok(o.count == 1 && o.error == 0, "a code point split between fragments is valid");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "", 0);
    o = play_all_ways("empty close", &server, &s);
    ok(o.count == 1 && o.events[0].type == WS_EVENT_CLOSE && !o.events[0].has_code,
       "empty close: close event without a code");
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "\x0f\xa0" "bye", 5);
    o = play_all_ways("close 4000", &server, &s);
    ok(o.count == 1 && o.events[0].has_code && o.events[0].code == 4000,
       "close 4000: code reported");
}

static void protocol_errors(void)
{
    stream s = {0};
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, "x", 1);
    expect_error("continuation first", &server, &s, 0, WS_E_CONTINUATION_WITHOUT_START, 0);

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, true, "ok", 2);
    size_t second = s.len;
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, "x", 1);
    expect_error("continuation after a complete message", &server, &s, 1,
                 WS_E_CONTINUATION_WITHOUT_START, second);

    s.len = 0;
    add_frame(&s, false, 0, WS_OP_TEXT, true, "a", 1);
    second = s.len;
    add_frame(&s, true, 0, WS_OP_BINARY, true, "b", 1);
    expect_error("new message inside a fragmented one", &server, &s, 0,
                 WS_E_DATA_FRAME_INSIDE_MESSAGE, second);

    s.len = 0;
    add_frame(&s, false, 0, WS_OP_PING, true, "p", 1);
    expect_error("fragmented ping", &server, &s, 0, WS_E_CONTROL_FRAGMENTED, 0);

    uint8_t big[200];
    memset(big, 'x', sizeof big);
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_PONG, true, big, 126);
    expect_error("pong of 126 bytes", &server, &s, 0, WS_E_CONTROL_TOO_LONG, 0);

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, false, "x", 1);
    expect_error("unmasked client frame", &server, &s, 0, WS_E_FRAME_NOT_MASKED, 0);
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, true, "x", 1);
    expect_error("masked server frame", &client, &s, 0, WS_E_FRAME_MASKED, 0);

    for (uint8_t rsv = 1; rsv < 8; rsv <<= 1) {
        s.len = 0;
        add_frame(&s, true, 0, WS_OP_PING, true, "", 0);
        second = s.len;
        add_frame(&s, true, rsv, WS_OP_TEXT, true, "x", 1);
        char name[64];
        snprintf(name, sizeof name, "RSV bits %u", rsv);
        expect_error(name, &server, &s, 1, WS_E_RSV_NOT_NEGOTIATED, second);
    }

    for (uint8_t op = 3; op < 16; op++) {
        if (op >= 8 && op <= 10)
            continue;
        s.len = 0;
        add_frame(&s, true, 0, op, true, "", 0);
        char name[64];
        snprintf(name, sizeof name, "reserved opcode %u", op);
        expect_error(name, &server, &s, 0, WS_E_OPCODE_RESERVED, 0);
    }

    s.len = 0;
    add_raw(&s, "\x82\xff\x80\0\0\0\0\0\0\0\1\2\3\4", 14);
    expect_error("64-bit length with MSB set", &server, &s, 0, WS_E_LENGTH_MSB_SET, 2);

    s.len = 0;
    add_raw(&s, "\x82\xfe\x00\x01\1\2\3\4\x55", 9);
    expect_error("16-bit form of length 1", &server, &s, 0, WS_E_LENGTH_NOT_MINIMAL, 0);
    ws_assembler_config lenient = server;
    lenient.allow_non_minimal_length = true;
    outcome o = play_all_ways("16-bit form of length 1, tolerated", &lenient, &s);
    ok(o.count == 1 && o.events[0].length == 1, "non-minimal length accepted when configured");
}

static void close_rules(void)
{
    stream s = {0};
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "\x03", 1);
    expect_error("close with one byte", &server, &s, 0, WS_E_CLOSE_PAYLOAD_ONE_BYTE, s.len - 1);
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "\x03\xe7", 2);
    expect_error("close code 999", &server, &s, 0, WS_E_CLOSE_CODE_INVALID, s.len - 1);
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "\x03\xe8\xc0\xaf", 4);
    expect_error("close reason with overlong", &server, &s, 0, WS_E_CLOSE_REASON_NOT_UTF8,
                 s.len - 1);
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "\x03\xe8", 2);
    size_t after = s.len;
    add_frame(&s, true, 0, WS_OP_PING, true, "", 0);
    expect_error("ping after close", &server, &s, 1, WS_E_FRAME_AFTER_CLOSE, after);
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "\x03\xe8", 2);
    add_raw(&s, "G", 1);
    expect_error("a stray byte after close", &server, &s, 1, WS_E_FRAME_AFTER_CLOSE, s.len - 1);
}

static void utf8_rules(void)
{
    /* Fail fast: the error is seen at the surrogate's second byte, in the middle of
     * the frame, before the frame (or the message) is complete (Autobahn 6.4.x). */
    stream s = {0};
    add_frame(&s, false, 0, WS_OP_TEXT, true, "abc\xed\xa0\x80" "def", 9);
    expect_error("surrogate mid-frame", &server, &s, 0, WS_E_UTF8_INVALID, 6 + 4);
    outcome o;
    play(&server, s.bytes, 6 + 5, 11, 1, &o);
    is_int(o.error, WS_E_UTF8_INVALID, "surrogate mid-frame: detected with the frame unfinished");

    s.len = 0;
    add_frame(&s, false, 0, WS_OP_TEXT, true, "\xce\xba", 2);
    size_t second = s.len;
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, "\xf4\x90\x80\x80", 4);
    expect_error("code point above U+10FFFF in a continuation", &server, &s, 0,
                 WS_E_UTF8_INVALID, second + 6 + 1);

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, true, "ab\xce", 3);
    expect_error("text ends inside a sequence", &server, &s, 0, WS_E_UTF8_TRUNCATED, s.len - 1);

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_BINARY, true, "\xff\xfe", 2);
    o = play_all_ways("binary is not UTF-8 checked", &server, &s);
    ok(o.count == 1 && o.error == 0, "binary with invalid UTF-8 is delivered");

    ws_assembler_config skip = server;
    skip.lenient = WS_LENIENT_UTF8;
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, true, "\xff", 1);
    o = play_all_ways("text unchecked when asked", &skip, &s);
    ok(o.count == 1 && o.error == 0, "WS_LENIENT_UTF8 delivers invalid text");

    ws_assembler_config deflate = server;
    deflate.rsv_allowed = WS_RSV1;
    s.len = 0;
    add_frame(&s, false, WS_RSV1, WS_OP_TEXT, true, "\xff\x00", 2);
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, "\x01", 1);
    o = play_all_ways("compressed text", &deflate, &s);
    ok(o.count == 1 && o.events[0].rsv == WS_RSV1 && o.events[0].length == 3,
       "compressed text is delivered with RSV1 and left for the inflater to check");
    s.len = 0;
    add_frame(&s, false, WS_RSV1, WS_OP_TEXT, true, "a", 1);
    second = s.len;
    add_frame(&s, true, WS_RSV1, WS_OP_CONTINUATION, true, "b", 1);
    expect_error("RSV1 on a continuation", &deflate, &s, 0, WS_E_RSV1_ON_CONTINUATION, second);
    ws_assembler_config rsv1_anywhere = deflate;
    rsv1_anywhere.lenient = WS_LENIENT_RSV1_CONTINUATION;
    o = play_all_ways("RSV1 on a continuation, waived", &rsv1_anywhere, &s);
    ok(o.count == 1 && o.error == 0 && o.events[0].rsv == WS_RSV1 && o.events[0].length == 2,
       "WS_LENIENT_RSV1_CONTINUATION delivers the message");
}

static void limits(void)
{
    alloc_stats st = {0};
    ws_assembler_config capped = {.role = WS_ROLE_SERVER, .max_message_size = 100,
                                  .realloc_fn = counting_realloc, .alloc_ctx = &st};
    uint8_t payload[200];
    memset(payload, 'm', sizeof payload);
    stream s = {0};
    add_frame(&s, true, 0, WS_OP_BINARY, true, payload, 100);
    outcome o = play_all_ways("message at the cap", &capped, &s);
    ok(o.count == 1 && o.error == 0 && o.events[0].length == 100, "100 bytes under a 100-byte cap");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_BINARY, true, payload, 101);
    expect_error("one byte over the cap", &capped, &s, 0, WS_E_MESSAGE_TOO_BIG, 0);
    play(&capped, s.bytes, 6, 6, 1, &o);
    is_int(o.error, WS_E_MESSAGE_TOO_BIG, "over the cap: known from the header alone");

    s.len = 0;
    add_frame(&s, false, 0, WS_OP_BINARY, true, payload, 60);
    size_t second = s.len;
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, payload, 60);
    expect_error("fragments adding up over the cap", &capped, &s, 0, WS_E_MESSAGE_TOO_BIG, second);
    ok(st.peak <= 100, "memory never exceeded the 100-byte cap (peak %zu)", st.peak);
    is_int(st.current, 0, "all message memory returned");

    /* A header announcing 1 GiB with 10 bytes behind it allocates for 10 bytes. */
    alloc_stats lie = {0};
    ws_assembler_config trusting = {.role = WS_ROLE_SERVER, .max_message_size = 2ull << 30,
                                    .realloc_fn = counting_realloc, .alloc_ctx = &lie};
    s.len = 0;
    add_raw(&s, "\x82\xff\0\0\0\0\x40\0\0\0\0\0\0\0" "0123456789", 24);
    play(&trusting, s.bytes, s.len, s.len, 1, &o);
    ok(o.error == 0 && o.count == 0, "a 1 GiB frame in progress is no event yet");
    ok(lie.peak <= 4096, "memory follows received bytes, not the announced length (peak %zu)",
       lie.peak);

    alloc_stats failing = {.fail_all = true};
    ws_assembler_config broken = {.role = WS_ROLE_SERVER, .realloc_fn = counting_realloc,
                                  .alloc_ctx = &failing};
    ws_assembler a;
    ws_assembler_init(&a, &broken);
    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, true, "abc", 3);
    ws_event ev;
    is_int(ws_assembler_feed(&a, s.bytes, s.len, &ev), WS_E_NO_MEMORY, "allocator failure reported");
    is_int(ws_assembler_feed(&a, s.bytes, s.len, &ev), WS_E_NO_MEMORY, "and sticky");
    ws_assembler_free(&a);

    ws_assembler_config bad = {.role = 7};
    is_int(ws_assembler_init(&a, &bad), WS_E_INVALID_ARGUMENT, "unknown role refused");
    bad.role = WS_ROLE_SERVER;
    bad.rsv_allowed = 8;
    is_int(ws_assembler_init(&a, &bad), WS_E_INVALID_ARGUMENT, "rsv_allowed over 7 refused");
}

/* A 1 MiB binary message in 16 KiB masked fragments arrives intact. */
static void large_message(void)
{
    size_t total = 1u << 20, frag = 16384;
    size_t cap = total + (total / frag) * 14;
    uint8_t *wire = malloc(cap), *payload = malloc(total);
    for (size_t i = 0; i < total; i++)
        payload[i] = (uint8_t)(i * 2654435761u >> 24);
    size_t len = 0;
    for (size_t off = 0; off < total; off += frag) {
        ws_frame_spec spec = {.fin = off + frag >= total,
                              .opcode = off ? WS_OP_CONTINUATION : WS_OP_BINARY,
                              .masked = true,
                              .mask_key = {(uint8_t)off, 0x11, 0x22, (uint8_t)(off >> 8)}};
        size_t w;
        ws_frame_encode(&spec, payload + off, frag, wire + len, cap - len, &w);
        len += w;
    }
    static const size_t chunks[] = {1, 7, 4096, 65537};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        ws_assembler a;
        ws_assembler_init(&a, &server);
        int events = 0, intact = 0;
        for (size_t pos = 0; pos < len;) {
            size_t n = len - pos < chunks[c] ? len - pos : chunks[c];
            ws_event ev;
            ptrdiff_t r = ws_assembler_feed(&a, wire + pos, n, &ev);
            if (r < 0)
                break;
            pos += (size_t)r;
            if (ev.type == WS_EVENT_MESSAGE) {
                events++;
                intact = ev.length == total && ev.frames == total / frag &&
                         memcmp(ev.data, payload, total) == 0;
            }
        }
        ws_assembler_free(&a);
        ok(events == 1 && intact, "1 MiB in 64 fragments, fed in %zu-byte chunks, arrives intact",
           chunks[c]);
    }
    free(wire);
    free(payload);
}

/* Each lenient bit waives its rule and no other. */
static void lenient_rules(void)
{
    stream s = {0};
    ws_assembler_config cfg = server;

    add_frame(&s, true, WS_RSV2, WS_OP_TEXT, true, "r", 1);
    cfg.lenient = WS_LENIENT_RSV;
    outcome o = play_all_ways("lenient RSV", &cfg, &s);
    ok(o.error == 0 && o.count == 1 && o.events[0].rsv == WS_RSV2, "RSV2 accepted and reported");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_TEXT, false, "u", 1);
    cfg.lenient = WS_LENIENT_MASKING;
    o = play_all_ways("lenient masking", &cfg, &s);
    ok(o.error == 0 && o.count == 1 && o.events[0].data[0] == 'u', "unmasked client frame accepted");
    cfg.lenient = WS_LENIENT_RSV;
    o = play_all_ways("masking still enforced", &cfg, &s);
    is_int(o.error, WS_E_FRAME_NOT_MASKED, "other bits leave masking enforced");

    s.len = 0;
    add_frame(&s, true, 0, 0x5, true, "skipped", 7);
    add_frame(&s, true, 0, 0xC, true, "skipped too", 11);
    add_frame(&s, true, 0, WS_OP_TEXT, true, "kept", 4);
    cfg.lenient = WS_LENIENT_OPCODE;
    o = play_all_ways("lenient opcode", &cfg, &s);
    ok(o.error == 0 && o.count == 1 && o.events[0].length == 4, "reserved opcodes skipped");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CONTINUATION, true, "orphan", 6);
    add_frame(&s, false, 0, WS_OP_TEXT, true, "lost", 4);
    add_frame(&s, true, 0, WS_OP_TEXT, true, "new", 3);
    cfg.lenient = WS_LENIENT_FRAGMENTATION;
    o = play_all_ways("lenient fragmentation", &cfg, &s);
    ok(o.error == 0 && o.count == 2 && o.events[0].opcode == WS_OP_BINARY &&
           o.events[0].length == 6 && o.events[1].length == 3,
       "orphan continuation delivered as binary; interrupted message dropped");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "\x03\xed\xff", 3);
    cfg.lenient = WS_LENIENT_CLOSE;
    o = play_all_ways("lenient close", &cfg, &s);
    ok(o.error == 0 && o.count == 1 && o.events[0].code == 1005, "close 1005 with bad reason delivered");

    s.len = 0;
    add_frame(&s, true, 0, WS_OP_CLOSE, true, "", 0);
    add_frame(&s, true, 0, WS_OP_PING, true, "late", 4);
    cfg.lenient = WS_LENIENT_AFTER_CLOSE;
    o = play_all_ways("lenient after close", &cfg, &s);
    ok(o.error == 0 && o.count == 2 && o.events[1].type == WS_EVENT_PING, "ping after close delivered");
}

int main(void)
{
    messages();
    lenient_rules();
    protocol_errors();
    close_rules();
    utf8_rules();
    limits();
    large_message();
    return done_testing();
}
