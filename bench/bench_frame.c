/*
 * Frame decoding as a server receives it: a few MiB of masked client frames
 * in memory, walked frame by frame with every payload unmasked.
 *
 * codec: ws_frame_decode_header() + ws_frame_check() (server rules) +
 *        ws_mask_copy() of the payload into a scratch buffer.
 * wslay: its frame layer (wslay_frame_recv), whose recv callback serves the
 *        same bytes; it copies them into its own buffer and unmasks there.
 *
 * Both paths are first run once with a full payload checksum and must agree
 * with the generator on frame count, payload bytes and checksum.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wslay/wslay.h>

#include "bench.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"
#include "wscodec/mask.h"

#define STREAM_BYTES ((size_t)4 << 20)
#define FRAME_MIN_SECONDS 0.15

typedef struct frame_stream {
    uint8_t *bytes;
    size_t len;
    size_t payload_size;   /* every frame carries this many bytes */
    uint8_t *scratch;      /* payload_size bytes: where the codec unmasks */
    /* What the generator put in, to check the decoders against. */
    size_t frames;
    uint64_t payload_bytes;
    uint64_t hash;
} frame_stream;

typedef struct frame_tally {
    size_t frames;
    uint64_t payload_bytes;
    uint64_t hash; /* FNV-1a of all payloads when verifying, else a cheap touch */
} frame_tally;

#define FNV_OFFSET 0xcbf29ce484222325u
#define FNV_PRIME 0x100000001b3u

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

/* Accounts for one piece of unmasked payload. The timed runs only read one
 * byte of it: hashing every byte would cost more than decoding. */
static inline void tally_chunk(frame_tally *t, const uint8_t *p, size_t n, bool verify)
{
    t->payload_bytes += n;
    if (verify)
        t->hash = fnv1a(t->hash, p, n);
    else if (n)
        t->hash += p[0];
}

static _Noreturn void die(const char *what, long detail)
{
    fprintf(stderr, "bench_frame: %s (%ld)\n", what, detail);
    abort();
}

/* Masked binary frames of payload_size random bytes, each with its own key,
 * until the stream would exceed STREAM_BYTES. */
static void stream_build(frame_stream *s, size_t payload_size)
{
    uint8_t *payload = malloc(payload_size);
    s->bytes = malloc(STREAM_BYTES);
    s->scratch = malloc(payload_size);
    if (!payload || !s->bytes || !s->scratch)
        die("out of memory", 0);
    s->payload_size = payload_size;
    s->len = 0;
    s->frames = 0;
    s->payload_bytes = 0;
    s->hash = FNV_OFFSET;

    uint64_t seed = 0x2545f4914f6cdd1du ^ payload_size;
    for (;;) {
        for (size_t i = 0; i < payload_size; i++)
            payload[i] = (uint8_t)bench_xorshift64(&seed);
        uint64_t k = bench_xorshift64(&seed);
        ws_frame_spec spec = {.fin = true, .opcode = WS_OP_BINARY, .masked = true,
                              .mask_key = {(uint8_t)k, (uint8_t)(k >> 8), (uint8_t)(k >> 16),
                                           (uint8_t)(k >> 24)}};
        size_t written;
        int rc = ws_frame_encode(&spec, payload, payload_size, s->bytes + s->len,
                                 STREAM_BYTES - s->len, &written);
        if (rc == WS_E_BUFFER_TOO_SMALL)
            break;
        if (rc != WS_OK)
            die("ws_frame_encode failed", rc);
        s->len += written;
        s->frames++;
        s->payload_bytes += payload_size;
        s->hash = fnv1a(s->hash, payload, payload_size);
    }
    free(payload);
}

static void stream_free(frame_stream *s)
{
    free(s->scratch);
    free(s->bytes);
}

/* ---- codec ---- */

static inline frame_tally codec_decode(const frame_stream *s, bool verify)
{
    static const ws_frame_rules rules = {.role = WS_ROLE_SERVER};
    frame_tally t = {0, 0, verify ? FNV_OFFSET : 0};
    const uint8_t *p = s->bytes, *end = s->bytes + s->len;
    while (p < end) {
        ws_frame_header h;
        int n = ws_frame_decode_header(p, (size_t)(end - p), &h);
        if (n < 0)
            die("codec: ws_frame_decode_header failed", n);
        int rc = ws_frame_check(&h, &rules);
        if (rc != WS_OK)
            die("codec: ws_frame_check rejected a frame", rc);
        p += n;
        if (h.payload_length > (uint64_t)(end - p) || h.payload_length > s->payload_size)
            die("codec: payload runs past the stream", (long)h.payload_length);
        size_t len = (size_t)h.payload_length;
        ws_mask_copy(s->scratch, p, len, h.mask_key, 0);
        tally_chunk(&t, s->scratch, len, verify);
        p += len;
        t.frames++;
    }
    return t;
}

static void run_codec(void *arg)
{
    frame_tally t = codec_decode(arg, false);
    bench_consume(t.frames + t.hash);
}

/* ---- wslay ---- */

typedef struct wslay_source {
    const uint8_t *bytes;
    size_t len;
    size_t pos;
} wslay_source;

/* Serves the in-memory stream; 0 at its end makes wslay report WANT_READ. */
static ssize_t source_recv(uint8_t *buf, size_t len, int flags, void *user_data)
{
    (void)flags;
    wslay_source *src = user_data;
    size_t n = src->len - src->pos;
    if (n > len)
        n = len;
    memcpy(buf, src->bytes + src->pos, n);
    src->pos += n;
    return (ssize_t)n;
}

static inline frame_tally wslay_decode(const frame_stream *s, bool verify)
{
    wslay_source src = {s->bytes, s->len, 0};
    struct wslay_frame_callbacks callbacks = {NULL, source_recv, NULL};
    wslay_frame_context_ptr ctx;
    if (wslay_frame_context_init(&ctx, &callbacks, &src) != 0)
        die("wslay_frame_context_init failed", 0);

    frame_tally t = {0, 0, verify ? FNV_OFFSET : 0};
    uint64_t in_frame = 0; /* payload bytes of the current frame seen so far */
    for (;;) {
        struct wslay_frame_iocb iocb;
        ssize_t r = wslay_frame_recv(ctx, &iocb);
        if (r == WSLAY_ERR_WANT_READ && src.pos == src.len && in_frame == 0)
            break;
        if (r < 0)
            die("wslay_frame_recv failed", (long)r);
        /* The frame layer leaves RSV, reserved opcodes and the masking rule to
         * wslay_event; check them here as ws_frame_check() does. */
        if (in_frame == 0 &&
            (iocb.rsv != 0 || ws_opcode_is_reserved(iocb.opcode) || !iocb.mask))
            die("wslay: frame breaks the server rules", iocb.opcode);
        tally_chunk(&t, iocb.data, iocb.data_length, verify);
        in_frame += iocb.data_length;
        if (in_frame == iocb.payload_length) {
            t.frames++;
            in_frame = 0;
        }
    }
    wslay_frame_context_free(ctx);
    return t;
}

static void run_wslay(void *arg)
{
    frame_tally t = wslay_decode(arg, false);
    bench_consume(t.frames + t.hash);
}

/* ---- driver ---- */

static void verify(const char *path, const frame_stream *s, frame_tally t)
{
    if (t.frames != s->frames || t.payload_bytes != s->payload_bytes || t.hash != s->hash) {
        fprintf(stderr,
                "bench_frame: %s decoded %zu frames, %llu payload bytes, checksum %016llx; "
                "the stream has %zu, %llu, %016llx\n",
                path, t.frames, (unsigned long long)t.payload_bytes, (unsigned long long)t.hash,
                s->frames, (unsigned long long)s->payload_bytes, (unsigned long long)s->hash);
        abort();
    }
}

static void bench_stream(size_t payload_size, const char *suffix)
{
    frame_stream s;
    stream_build(&s, payload_size);
    verify("codec", &s, codec_decode(&s, true));
    verify("wslay", &s, wslay_decode(&s, true));

    double t_wslay = bench_time(run_wslay, &s, FRAME_MIN_SECONDS);
    double t_codec = bench_time(run_codec, &s, FRAME_MIN_SECONDS);

    /* Frames per second, and wire bytes (headers included) per second. */
    double f_wslay = (double)s.frames / t_wslay / 1e6;
    double f_codec = (double)s.frames / t_codec / 1e6;
    double b_wslay = (double)s.len / t_wslay / 1e9;
    double b_codec = (double)s.len / t_codec / 1e9;

    char name[64], base[64];
    snprintf(base, sizeof base, "wslay_frame_%s", suffix);
    bench_report(base, f_wslay, "Mframes/s", NULL, 0);
    snprintf(name, sizeof name, "frame_decode_%s", suffix);
    bench_report(name, f_codec, "Mframes/s", base, f_codec / f_wslay);
    snprintf(base, sizeof base, "wslay_frame_%s_bytes", suffix);
    bench_report(base, b_wslay, "GB/s", NULL, 0);
    snprintf(name, sizeof name, "frame_decode_%s_bytes", suffix);
    bench_report(name, b_codec, "GB/s", base, b_codec / b_wslay);

    stream_free(&s);
}

void bench_frame(void)
{
    bench_stream(16, "16");
    bench_stream(1024, "1k");
}
