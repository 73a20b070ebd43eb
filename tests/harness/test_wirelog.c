/* The wire log: decoded frames across any split, both ends of a long stream kept. */
#include "tap.h"
#include "run/wirelog.h"
#include "wscodec.h"

/* Appends a frame to buf; returns its length. */
static size_t put_frame(uint8_t *buf, uint8_t opcode, bool fin, uint8_t rsv, bool masked,
                        const uint8_t key[4], const uint8_t *payload, size_t n)
{
    ws_frame_spec spec = {.fin = fin, .rsv = rsv, .opcode = opcode, .masked = masked};
    if (masked)
        memcpy(spec.mask_key, key, 4);
    size_t written = 0;
    ws_frame_encode(&spec, payload, n, buf, WS_FRAME_HEADER_MAX + n, &written);
    return written;
}

typedef struct frames_seen {
    wire_frame f[8];
    size_t n;
    uint64_t omitted;
} frames_seen;

static void keep_frame(void *ctx, const wire_frame *f, uint64_t omitted_before)
{
    frames_seen *s = ctx;
    if (s->n < 8)
        s->f[s->n++] = *f;
    s->omitted += omitted_before;
}

/* The same stream, fed in pieces of every size from 1 to 9: the same frames. */
static void test_frames_any_split(void)
{
    static const char head[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
    uint8_t stream[1024], big[300];
    memset(big, 'b', sizeof big);
    size_t n = strlen(head);
    memcpy(stream, head, n);
    n += put_frame(stream + n, WS_OP_TEXT, false, 0, true, key, (const uint8_t *)"Hello", 5);
    n += put_frame(stream + n, WS_OP_CONTINUATION, true, 4, true, key, big, sizeof big);
    n += put_frame(stream + n, WS_OP_CLOSE, true, 0, false, key, (const uint8_t *)"\x03\xe8ok", 4);
    n += put_frame(stream + n, WS_OP_PING, true, 0, true, key, NULL, 0);

    for (size_t piece = 1; piece <= 9; piece++) {
        wire_log log = {0};
        wire_log_frames_after(&log, WIRE_OUT, strlen(head));
        for (size_t at = 0; at < n; at += piece)
            wire_log_add(&log, WIRE_OUT, stream + at, at + piece < n ? piece : n - at, at);
        frames_seen seen = {0};
        wire_log_frames(&log, WIRE_OUT, keep_frame, &seen);
        bool right = seen.n == 4 && seen.f[0].opcode == WS_OP_TEXT && !seen.f[0].fin &&
                     seen.f[0].masked && seen.f[0].length == 5 &&
                     seen.f[0].preview_length == 5 && memcmp(seen.f[0].preview, "Hello", 5) == 0 &&
                     seen.f[1].opcode == WS_OP_CONTINUATION && seen.f[1].fin &&
                     seen.f[1].rsv == 4 && seen.f[1].length == 300 &&
                     seen.f[1].preview_length == WIRE_PREVIEW && seen.f[1].preview[31] == 'b' &&
                     seen.f[2].opcode == WS_OP_CLOSE && !seen.f[2].masked &&
                     memcmp(seen.f[2].preview, "\x03\xe8ok", 4) == 0 &&
                     seen.f[3].opcode == WS_OP_PING && seen.f[3].length == 0;
        ok(right, "pieces of %zu bytes: the 4 frames after the HTTP head, unmasked previews", piece);
        is_int(log.dir[WIRE_OUT].bytes, n, "every byte counted");
        wire_log_free(&log);
    }
}

typedef struct chunks_seen {
    size_t n, with_bytes;
    uint64_t first_offset, last_offset, last_kept_from;
    size_t last_kept;
    bool bytes_right;
} chunks_seen;

static void keep_chunk(void *ctx, const wire_chunk *c, const uint8_t *kept, uint64_t kept_from,
                       size_t kept_length)
{
    chunks_seen *s = ctx;
    if (s->n == 0)
        s->first_offset = c->offset;
    s->n++;
    s->last_offset = c->offset;
    s->last_kept_from = kept_from;
    s->last_kept = kept_length;
    if (kept_length)
        s->with_bytes++;
    /* Byte i of the stream is (i * 7) & 0xff. */
    for (size_t i = 0; i < kept_length; i++)
        if (kept[i] != (uint8_t)((kept_from + i) * 7))
            s->bytes_right = false;
}

/* A long stream in one direction: the first and last chunks and bytes stay,
 * the middle is counted, memory does not grow. */
static void test_long_stream_keeps_both_ends(void)
{
    wire_log log = {0};
    uint8_t chunk[1000];
    uint64_t offset = 0;
    size_t chunks = 5000;
    for (size_t c = 0; c < chunks; c++) {
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = (uint8_t)((offset + i) * 7);
        wire_log_add(&log, WIRE_IN, chunk, sizeof chunk, c);
        offset += sizeof chunk;
    }
    chunks_seen seen = {.bytes_right = true};
    wire_log_chunks(&log, WIRE_IN, keep_chunk, &seen);
    is_int(seen.n, 2 * WIRE_CHUNKS, "the first and last %d chunks are kept", WIRE_CHUNKS);
    is_int(wire_log_chunks_omitted(&log, WIRE_IN), chunks - 2 * WIRE_CHUNKS,
           "the chunks between are counted as omitted");
    is_int(seen.first_offset, 0, "the first chunk is the stream's beginning");
    is_int(seen.last_offset, offset - sizeof chunk, "the last chunk is the stream's end");
    is_int(seen.last_kept, sizeof chunk, "the last chunk's bytes are all kept");
    ok(seen.bytes_right, "every kept byte is the stream's byte at that offset");
    size_t per_end = (WIRE_HEAD_BYTES + sizeof chunk - 1) / sizeof chunk; /* rounded up */
    is_int(seen.with_bytes, 2 * per_end,
           "chunks with bytes: those within the first %u and last %u bytes", WIRE_HEAD_BYTES,
           WIRE_TAIL_BYTES);
    chunks_seen none = {.bytes_right = true};
    wire_log_chunks(&log, WIRE_OUT, keep_chunk, &none);
    is_int(none.n, 0, "the other direction has nothing");
    wire_log_free(&log);
}

/* More frames than kept: the first and last WIRE_FRAMES, the rest counted. */
static void test_many_frames(void)
{
    wire_log log = {0};
    wire_log_frames_start(&log, WIRE_IN, NULL, 0, 0);
    uint8_t frame[16];
    size_t count = 3000;
    for (size_t i = 0; i < count; i++) {
        uint8_t p = (uint8_t)i;
        size_t n = put_frame(frame, WS_OP_PONG, true, 0, false, NULL, &p, 1);
        wire_log_add(&log, WIRE_IN, frame, n, i);
    }
    frames_seen seen = {0};
    wire_log_frames(&log, WIRE_IN, keep_frame, &seen);
    is_int(wire_log_frames_total(&log, WIRE_IN), count, "every frame is counted");
    is_int(wire_log_frames_omitted(&log, WIRE_IN), count - 2 * WIRE_FRAMES,
           "the frames between the first and last %d are omitted", WIRE_FRAMES);
    is_int(seen.omitted, count - 2 * WIRE_FRAMES, "the visit says where they were left out");
    wire_log_free(&log);
}

int main(void)
{
    test_frames_any_split();
    test_long_stream_keeps_both_ends();
    test_many_frames();
    return done_testing();
}
