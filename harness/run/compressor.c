/* Compressed messages the suite sends (compressor.h). */
#include "run/compressor.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lang/payload.h"

/* Fast: the suite's own compression is never what a case measures. */
#define SUITE_LEVEL 1
#define CHUNK (64u << 10)

typedef struct growing {
    uint8_t *bytes;
    size_t length, capacity;
    bool too_big;
} growing;

/* Room for at least `more` bytes after the end; false past the bound. */
static bool reserve(growing *g, size_t more)
{
    if (g->length + more <= g->capacity)
        return true;
    if (g->length + more > COMPRESSED_MESSAGE_MAX) {
        g->too_big = true;
        return false;
    }
    size_t cap = g->capacity ? g->capacity * 2 : 4096;
    while (cap < g->length + more)
        cap *= 2;
    if (cap > COMPRESSED_MESSAGE_MAX)
        cap = COMPRESSED_MESSAGE_MAX;
    uint8_t *bigger = realloc(g->bytes, cap);
    if (!bigger)
        abort();
    g->bytes = bigger;
    g->capacity = cap;
    return true;
}

static uint8_t *finish(growing *g, size_t *length)
{
    if (g->too_big) {
        free(g->bytes);
        *length = 0;
        return NULL;
    }
    *length = g->length;
    return g->bytes ? g->bytes : malloc(1);
}

void compressor_init(compressor *c, const ws_pmd_params *agreed, ws_role role)
{
    memset(c, 0, sizeof *c);
    c->config.level = SUITE_LEVEL;
    c->config.window_bits = 15;
    if (agreed)
        ws_pmd_configure(agreed, role, &c->config, NULL);
}

static void session_restart(compressor *c)
{
    if (c->ready)
        ws_deflater_free(&c->session);
    c->ready = ws_deflater_init(&c->session, &c->config) == WS_OK;
    if (!c->ready)
        abort(); /* only out of memory: the case's bound admitted it */
}

/* Feeds one piece to the codec's deflater, fin on the message's last. */
static void codec_feed(ws_deflater *d, const uint8_t *in, size_t n, bool fin, growing *out)
{
    size_t used_total = 0;
    int rc;
    do {
        if (!reserve(out, CHUNK))
            return;
        size_t used, made;
        rc = ws_deflater_feed(d, in ? in + used_total : NULL, n - used_total, fin,
                              out->bytes + out->length,
                              out->capacity - out->length, &used, &made);
        used_total += used;
        out->length += made;
    } while (rc == WS_PMD_OUTPUT_FULL);
}

/* Through the codec's deflater: §7.2.1 exactly, the tail removed. */
static void run_codec(ws_deflater *d, const sent_slice *slices, size_t n, growing *out)
{
    uint8_t chunk[CHUNK];
    for (size_t i = 0; i < n && !out->too_big; i++)
        for (uint64_t done = 0; done < slices[i].length && !out->too_big;) {
            uint64_t left = slices[i].length - done;
            size_t take = left < CHUNK ? (size_t)left : CHUNK;
            payload_copy(slices[i].source, slices[i].offset + done, chunk, take);
            done += take;
            codec_feed(d, chunk, take, false, out);
        }
    if (!out->too_big)
        codec_feed(d, NULL, 0, true, out);
}

/* Through zlib directly, for the forms the codec never writes. */
static void run_zlib(const sent_slice *slices, size_t n, int level, int window, bool final,
                     growing *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    int bits = window < 9 ? 9 : window;
    if (deflateInit2(&z, level, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    uint8_t chunk[CHUNK];
    for (size_t i = 0; i <= n; i++) {
        uint64_t length = i < n ? slices[i].length : 0;
        for (uint64_t done = 0; done < length || i == n;) {
            size_t take = length - done < CHUNK ? (size_t)(length - done) : CHUNK;
            if (take)
                payload_copy(slices[i].source, slices[i].offset + done, chunk, take);
            z.next_in = chunk;
            z.avail_in = (uInt)take;
            int flush = i < n ? Z_NO_FLUSH : final ? Z_FINISH : Z_SYNC_FLUSH;
            int rc;
            do {
                if (!reserve(out, CHUNK)) {
                    deflateEnd(&z);
                    return;
                }
                z.next_out = out->bytes + out->length;
                z.avail_out = (uInt)(out->capacity - out->length);
                rc = deflate(&z, flush);
                out->length = out->capacity - z.avail_out;
            } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
            done += take;
            if (i == n)
                break;
        }
    }
    deflateEnd(&z);
}

uint8_t *compressor_run(compressor *c, const sent_slice *slices, size_t n, compress_form form,
                        uint8_t window, size_t *length)
{
    growing out = {0};
    if (form == COMPRESS_SYNC && !window) {
        if (!c->ready)
            session_restart(c);
        run_codec(&c->session, slices, n, &out);
        return finish(&out, length);
    }
    int bits = window ? window : c->config.window_bits ? c->config.window_bits : 15;
    /* zlib cannot compress within 256 bytes: at 8, stored blocks (as the codec does). */
    int level = form == COMPRESS_STORED || bits == 8 ? 0 : SUITE_LEVEL;
    run_zlib(slices, n, level, bits, form == COMPRESS_FINAL, &out);
    if (form != COMPRESS_FINAL && form != COMPRESS_TAIL && out.length >= 4 &&
        memcmp(out.bytes + out.length - 4, WS_PMD_TAIL, 4) == 0)
        out.length -= 4; /* §7.2.1 */
    session_restart(c);
    return finish(&out, length);
}

void compressor_free(compressor *c)
{
    if (c->ready)
        ws_deflater_free(&c->session);
    c->ready = false;
}
