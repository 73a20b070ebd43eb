/*
 * permessage-deflate (RFC 7692): negotiation, the inflater and the deflater.
 * The examples of §7.2.3 are inflated from guarded copies, whole, byte by
 * byte and in other chunk sizes, into buffers down to one byte; random and
 * compressible messages make round trips at every window size with and
 * without context takeover; a decompression bomb meets the size limit while
 * an allocator counts every byte zlib holds. The assembler, given an
 * inflater, is played every stream in several chunk sizes. Every error of the
 * -800 and -900 ranges must be produced at least once.
 */
#include "counting_alloc.h"
#include "guard.h"
#include "tap.h"

#include <stdbool.h>

#include "wscodec/deflate.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"
#include "wscodec/handshake.h"
#include "wscodec/message.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1
#define HELLO "Hello"

/* ---- which errors the cases produced --------------------------------------- */

static bool seen[200];

static int note(int rc)
{
    if (rc <= -800 && rc > -1000)
        seen[-rc - 800] = true;
    return rc;
}

/* ---- deterministic data ------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* Text from a small vocabulary: compresses well, with matches at all distances. */
static void fill_text(uint8_t *p, size_t n)
{
    static const char *const words[] = {"frame ", "mask ", "opcode ", "deflate ", "window ",
                                        "continuation ", "close ", "ping ", "payload ", "rsv1 "};
    size_t i = 0;
    while (i < n) {
        const char *w = words[rnd() % 10];
        for (; *w && i < n; w++)
            p[i++] = (uint8_t)*w;
    }
}

/* ---- feeding helpers ------------------------------------------------------- */

typedef int (*feed_fn)(void *obj, const uint8_t *in, size_t in_len, bool fin, uint8_t *out,
                       size_t cap, size_t *consumed, size_t *produced);

static int inflater_feed(void *obj, const uint8_t *in, size_t in_len, bool fin, uint8_t *out,
                         size_t cap, size_t *consumed, size_t *produced)
{
    return ws_inflater_feed(obj, in, in_len, fin, out, cap, consumed, produced);
}

static int deflater_feed(void *obj, const uint8_t *in, size_t in_len, bool fin, uint8_t *out,
                         size_t cap, size_t *consumed, size_t *produced)
{
    return ws_deflater_feed(obj, in, in_len, fin, out, cap, consumed, produced);
}

/* How one message is played: input pieces, output space per call, where fin goes. */
typedef struct play {
    size_t chunk;      /* input bytes per call; 0: all at once */
    size_t cap;        /* output bytes per call; 0: all that is left */
    bool separate_fin; /* fin in a call of its own with no input */
    bool guarded;      /* every piece from a copy that ends at an unreadable page */
} play;

#define CONTRACT_BROKEN 12345

/* Feeds one piece until it is consumed; returns WS_OK or the error. */
static int feed_piece(feed_fn fn, void *obj, const uint8_t *in, size_t n, bool fin,
                      const play *how, uint8_t *out, size_t room, size_t *total)
{
    guarded g = {0};
    if (how->guarded) {
        g = guard_copy(in, n);
        in = g.data;
    }
    int rc = WS_OK;
    for (;;) {
        size_t left = room - *total;
        size_t cap = how->cap && how->cap < left ? how->cap : left;
        size_t used = 0, made = 0;
        rc = fn(obj, in, n, fin, out + *total, cap, &used, &made);
        if (used > n || made > cap) {
            rc = CONTRACT_BROKEN;
            break;
        }
        if (used) /* in may be NULL */
            in += used;
        n -= used;
        *total += made;
        if (rc < 0)
            break;
        if (rc == WS_OK) {
            if (n)
                rc = CONTRACT_BROKEN; /* WS_OK means all input consumed */
            break;
        }
        if (rc != WS_PMD_OUTPUT_FULL || (cap == 0 && left == 0)) {
            rc = CONTRACT_BROKEN; /* or the test's buffer is too small */
            break;
        }
    }
    if (how->guarded)
        guard_free(&g);
    return note(rc);
}

/* Plays one whole message through fn; *out_len is what it produced. */
static int run_message(feed_fn fn, void *obj, const uint8_t *in, size_t len, const play *how,
                       uint8_t *out, size_t room, size_t *out_len)
{
    size_t chunk = how->chunk ? how->chunk : len;
    *out_len = 0;
    size_t pos = 0;
    for (;;) {
        size_t n = len - pos < chunk ? len - pos : chunk;
        bool last = pos + n == len;
        int rc = feed_piece(fn, obj, in + pos, n, last && !how->separate_fin, how, out, room,
                            out_len);
        if (rc != WS_OK)
            return rc;
        pos += n;
        if (last)
            break;
    }
    if (how->separate_fin)
        return feed_piece(fn, obj, NULL, 0, true, how, out, room, out_len);
    return WS_OK;
}

static int inflate_message(ws_inflater *inf, const uint8_t *in, size_t len, const play *how,
                           uint8_t *out, size_t room, size_t *out_len)
{
    return run_message(inflater_feed, inf, in, len, how, out, room, out_len);
}

static int deflate_message(ws_deflater *d, const uint8_t *in, size_t len, const play *how,
                           uint8_t *out, size_t room, size_t *out_len)
{
    return run_message(deflater_feed, d, in, len, how, out, room, out_len);
}

/* The ways every short example is played. */
static const play short_plays[] = {
    {0, 0, false, true},  {0, 0, true, true},  {1, 0, false, true}, {1, 1, false, true},
    {1, 1, true, true},   {2, 3, false, true}, {3, 2, true, true},  {0, 1, false, true},
    {5, 1, true, true},   {4, 64, false, true},
};
#define NUM_SHORT_PLAYS (sizeof short_plays / sizeof short_plays[0])

static bool quiet; /* a failure is what the case expects: no diagnostics */

/* Inflates each message of a sequence on one fresh inflater, every way;
 * true if every way gives want[i] for message i. */
static bool inflates_to(const ws_inflater_config *cfg, const uint8_t *const *msgs,
                        const size_t *lens, const char *const *want, size_t count)
{
    for (size_t p = 0; p < NUM_SHORT_PLAYS; p++) {
        ws_inflater inf;
        if (ws_inflater_init(&inf, cfg) != WS_OK)
            return false;
        bool good = true;
        for (size_t i = 0; i < count && good; i++) {
            uint8_t out[64];
            size_t n;
            int rc = inflate_message(&inf, msgs[i], lens[i], &short_plays[p], out, sizeof out, &n);
            good = rc == WS_OK && n == strlen(want[i]) && memcmp(out, want[i], n) == 0;
            if (!good && !quiet)
                tap_diag("    play %zu, message %zu: rc %d, %zu bytes", p, i, rc, n);
        }
        ws_inflater_free(&inf);
        if (!good)
            return false;
    }
    return true;
}

/* The error every way of playing a single message gives on a fresh inflater. */
static int inflate_error(const ws_inflater_config *cfg, const uint8_t *msg, size_t len)
{
    int first = 0;
    for (size_t p = 0; p < NUM_SHORT_PLAYS; p++) {
        ws_inflater inf;
        if (ws_inflater_init(&inf, cfg) != WS_OK)
            return CONTRACT_BROKEN;
        uint8_t out[64];
        size_t n;
        int rc = inflate_message(&inf, msg, len, &short_plays[p], out, sizeof out, &n);
        ws_inflater_free(&inf);
        if (p == 0)
            first = rc;
        else if (rc != first)
            return CONTRACT_BROKEN;
    }
    return first;
}

/* ---- RFC 7692 §7.2.3 ------------------------------------------------------------ */

static const uint8_t ex_one_block[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
static const uint8_t ex_shared_window[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
static const uint8_t ex_stored[] = {0x00, 0x05, 0x00, 0xfa, 0xff, 0x48,
                                    0x65, 0x6c, 0x6c, 0x6f, 0x00};
static const uint8_t ex_bfinal[] = {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00};
static const uint8_t ex_two_blocks[] = {0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff,
                                        0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00};

static void rfc_examples(void)
{
    ws_inflater_config cfg = {0};
    const char *hello[] = {HELLO, HELLO, HELLO};

    const uint8_t *m1[] = {ex_one_block};
    size_t l1[] = {sizeof ex_one_block};
    ok(inflates_to(&cfg, m1, l1, hello, 1), "7.2.3.1: one compressed block inflates to Hello");

    const uint8_t *m2[] = {ex_one_block, ex_shared_window};
    size_t l2[] = {sizeof ex_one_block, sizeof ex_shared_window};
    ok(inflates_to(&cfg, m2, l2, hello, 2),
       "7.2.3.2: the second message refers back into the first");
    ws_inflater_config reset = {.no_context_takeover = true};
    quiet = true;
    bool refused = !inflates_to(&reset, m2, l2, hello, 2);
    quiet = false;
    ok(refused,
       "7.2.3.2 fails when the sender promised no context takeover");
    is_int(inflate_error(&cfg, S("\xf2\x00\x11\x00\x00")), WS_E_PMD_DATA_CORRUPT,
           "7.2.3.2's second message alone refers to nothing: corrupt");

    const uint8_t *m3[] = {ex_stored};
    size_t l3[] = {sizeof ex_stored};
    ok(inflates_to(&cfg, m3, l3, hello, 1), "7.2.3.3: a stored block inflates to Hello");

    const uint8_t *m4[] = {ex_bfinal, ex_shared_window};
    size_t l4[] = {sizeof ex_bfinal, sizeof ex_shared_window};
    ok(inflates_to(&cfg, m4, l4, hello, 2),
       "7.2.3.4: a BFINAL block, then the window still serves the next message");
    size_t l4short[] = {sizeof ex_bfinal - 1, sizeof ex_shared_window};
    ok(inflates_to(&cfg, m4, l4short, hello, 2),
       "7.2.3.4 without its last octet: the payload ends with the BFINAL block, accepted");
    static const uint8_t bfinal_twice[] = {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00,
                                           0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00};
    const uint8_t *m4b[] = {bfinal_twice};
    size_t l4b[] = {sizeof bfinal_twice};
    const char *hello2[] = {HELLO HELLO};
    ok(inflates_to(&cfg, m4b, l4b, hello2, 1), "two BFINAL blocks in one message");

    const uint8_t *m5[] = {ex_two_blocks};
    size_t l5[] = {sizeof ex_two_blocks};
    ok(inflates_to(&cfg, m5, l5, hello, 1), "7.2.3.5: two blocks in one message");

    /* 7.2.1 applied to an empty message leaves one octet. */
    const uint8_t *m6[] = {(const uint8_t *)"\x00", ex_one_block};
    size_t l6[] = {1, sizeof ex_one_block};
    const char *empty_then_hello[] = {"", HELLO};
    ok(inflates_to(&cfg, m6, l6, empty_then_hello, 2), "0x00 is an empty message");

    /* The deflater writes the RFC's bytes, whatever the chunking. */
    static const play deflate_plays[] = {{0, 0, false, false}, {1, 1, false, true},
                                         {1, 1, true, true},   {2, 3, true, true}};
    for (size_t p = 0; p < sizeof deflate_plays / sizeof deflate_plays[0]; p++) {
        for (int takeover = 1; takeover >= 0; takeover--) {
            ws_deflater_config dc = {.no_context_takeover = !takeover};
            ws_deflater d;
            uint8_t out[3][32];
            size_t n[3];
            int rc[3];
            if (ws_deflater_init(&d, &dc) != WS_OK)
                abort();
            rc[0] = deflate_message(&d, S(HELLO), &deflate_plays[p], out[0], 32, &n[0]);
            rc[1] = deflate_message(&d, S(HELLO), &deflate_plays[p], out[1], 32, &n[1]);
            rc[2] = deflate_message(&d, S(""), &deflate_plays[p], out[2], 32, &n[2]);
            ws_deflater_free(&d);
            const uint8_t *second = takeover ? ex_shared_window : ex_one_block;
            size_t second_len = takeover ? sizeof ex_shared_window : sizeof ex_one_block;
            ok(rc[0] == WS_OK && rc[1] == WS_OK && rc[2] == WS_OK &&
                   n[0] == sizeof ex_one_block && memcmp(out[0], ex_one_block, n[0]) == 0 &&
                   n[1] == second_len && memcmp(out[1], second, n[1]) == 0 && n[2] == 1 &&
                   out[2][0] == 0x00,
               "deflater, play %zu, %s: Hello as in 7.2.3.1, again as in %s, empty as 0x00", p,
               takeover ? "context takeover" : "no context takeover",
               takeover ? "7.2.3.2" : "7.2.3.1");
        }
    }
}

/* ---- references beyond the agreed window ------------------------------------- */

/* Inflates one whole message into a buffer of `cap` bytes, draining it. */
static int inflate_into(const ws_inflater_config *cfg, const uint8_t *msg, size_t len, size_t cap,
                        size_t *total)
{
    ws_inflater inf;
    if (ws_inflater_init(&inf, cfg) != WS_OK)
        return CONTRACT_BROKEN;
    static uint8_t out[1 << 16];
    size_t off = 0, used, made;
    int rc;
    *total = 0;
    do {
        rc = ws_inflater_feed(&inf, msg + off, len - off, true, out, cap, &used, &made);
        off += used;
        *total += made;
    } while (rc == WS_PMD_OUTPUT_FULL);
    ws_inflater_free(&inf);
    return rc;
}

static void window_overreach(void)
{
    /* 8 KiB of noise twice: the second half is one reference 8192 back. */
    static uint8_t data[16384], payload[20000];
    uint32_t x = 12345;
    for (size_t i = 0; i < 8192; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = data[i + 8192] = (uint8_t)(x >> 16);
    }
    ws_deflater d;
    ws_deflater_config dc = {.window_bits = 15};
    size_t used, made;
    ws_deflater_init(&d, &dc);
    int rc = ws_deflater_feed(&d, data, sizeof data, true, payload, sizeof payload, &used, &made);
    ws_deflater_free(&d);
    ok(rc == WS_OK && made < 9000, "a window-15 stream refers 8192 back (%zu bytes)", made);
    size_t caps[] = {1, 100, 512, 4096, sizeof data, 1 << 16}, total;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        ws_inflater_config wide = {.window_bits = 15}, narrow = {.window_bits = 9};
        is_int(inflate_into(&wide, payload, made, caps[i], &total), WS_OK,
               "window 15 inflates it, output %zu at a time", caps[i]);
        is_int(inflate_into(&narrow, payload, made, caps[i], &total), WS_E_PMD_DATA_CORRUPT,
               "agreed window 9: the reference 8192 back is corrupt, output %zu at a time",
               caps[i]);
    }
}

/* ---- corrupt and truncated data ----------------------------------------------- */

static void corrupt_data(void)
{
    ws_inflater_config cfg = {0};
    is_int(inflate_error(&cfg, S("\xff")), WS_E_PMD_DATA_CORRUPT, "reserved block type 11");
    is_int(inflate_error(&cfg, S("\x00\x05\x00\x00\x00" HELLO)), WS_E_PMD_DATA_CORRUPT,
           "stored block whose NLEN is not the complement of LEN");
    is_int(inflate_error(&cfg, S("\xf3\x48\xcd\xc9\xc9\x07\x00\xff")), WS_E_PMD_DATA_CORRUPT,
           "after a BFINAL block, bytes that are not DEFLATE");
    is_int(inflate_error(&cfg, S("\xf2\x48")), WS_E_PMD_DATA_TRUNCATED,
           "message ending inside a block");
    is_int(inflate_error(&cfg, S("\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f")),
           WS_E_PMD_DATA_TRUNCATED, "stored block without the header bits of the flush (7.2.1)");
    is_int(inflate_error(&cfg, S("")), WS_E_PMD_DATA_TRUNCATED,
           "empty payload: the tail alone is not a complete block");

    /* Without fin, a partial block is only a prefix. */
    ws_inflater inf;
    uint8_t out[16];
    size_t used, made;
    ws_inflater_init(&inf, &cfg);
    is_int(ws_inflater_feed(&inf, S("\xf2\x48"), false, out, sizeof out, &used, &made), WS_OK,
           "a partial block without fin is fine");
    is_int(ws_inflater_feed(&inf, S("\xcd\xc9\xc9\x07\x00"), true, out + made, sizeof out - made,
                            &used, &made),
           WS_OK, "and completes with the rest");
    is_int(note(ws_inflater_feed(&inf, S("\xff"), true, out, sizeof out, &used, &made)),
           WS_E_PMD_DATA_CORRUPT, "then a corrupt message");
    used = made = 99;
    is_int(ws_inflater_feed(&inf, ex_one_block, sizeof ex_one_block, true, out, sizeof out,
                            &used, &made),
           WS_E_PMD_DATA_CORRUPT, "the error is sticky");
    ok(used == 0 && made == 0, "nothing consumed after the error");
    ws_inflater_free(&inf);
}

/* ---- round trips --------------------------------------------------------------- */

#define BIG 70000

static void round_trips(void)
{
    static uint8_t msg[6][BIG], packed[6][BIG + 1024], back[BIG + 16];
    size_t lens[6] = {3000, 20000, 0, 1, BIG, 100};
    fill_random(msg[0], lens[0]);
    fill_text(msg[1], lens[1]);
    msg[3][0] = 'x';
    fill_text(msg[4], lens[4]);
    fill_random(msg[5], lens[5]);

    /* Whole; byte by byte into one-byte buffers; odd sizes; fin apart. */
    static const play plays[] = {
        {0, 0, false, false}, {1, 1, false, false}, {7, 13, true, false}, {1000, 5, false, false}};
    for (uint8_t w = 8; w <= 15; w++) {
        for (int takeover = 1; takeover >= 0; takeover--) {
            for (size_t p = 0; p < sizeof plays / sizeof plays[0]; p++) {
                ws_deflater_config dc = {.window_bits = w, .no_context_takeover = !takeover};
                ws_inflater_config ic = {.window_bits = w, .no_context_takeover = !takeover};
                ws_deflater d;
                ws_inflater inf, strict;
                if (ws_deflater_init(&d, &dc) != WS_OK || ws_inflater_init(&inf, &ic) != WS_OK ||
                    ws_inflater_init(&strict, &ic) != WS_OK)
                    abort();
                /* Inflating one byte per call keeps zlib's distance check at
                 * the window itself: a deflater reaching past it would fail. */
                play one = {0, 1, false, false};
                bool good = true, shrank = true, stored = true;
                size_t packed_len[6];
                for (size_t i = 0; i < 6 && good; i++) {
                    size_t n, m;
                    int rc = deflate_message(&d, msg[i], lens[i], &plays[p], packed[i],
                                             sizeof packed[i], &packed_len[i]);
                    int rc2 = inflate_message(&inf, packed[i], packed_len[i], &plays[3 - p], back,
                                              sizeof back, &n);
                    good = rc == WS_OK && rc2 == WS_OK && n == lens[i] &&
                           memcmp(back, msg[i], n) == 0;
                    int rc3 = inflate_message(&strict, packed[i], packed_len[i], &one, back,
                                              sizeof back, &m);
                    good = good && rc3 == WS_OK && m == lens[i] && memcmp(back, msg[i], m) == 0;
                    if (!good)
                        tap_diag("    message %zu: deflate %d, inflate %d (%zu bytes), "
                                 "one byte at a time %d",
                                 i, rc, rc2, n, rc3);
                    if (i == 1 || i == 4)
                        shrank = shrank && packed_len[i] < lens[i] / 2;
                    stored = stored && packed_len[i] >= lens[i];
                }
                ok(good, "window %u, %s, play %zu: six messages round trip", w,
                   takeover ? "context takeover" : "no context takeover", p);
                if (w == 8)
                    ok(stored, "window 8, %s, play %zu: stored blocks only, never smaller",
                       takeover ? "takeover" : "no takeover", p);
                else if (p == 0)
                    ok(shrank, "window %u, %s: text compresses to under half", w,
                       takeover ? "takeover" : "no takeover");
                ws_deflater_free(&d);
                ws_inflater_free(&inf);
                ws_inflater_free(&strict);
            }
        }
    }
}

/* The last inflated bytes and the end of the last block can come out of the
 * same zlib call, with a small output buffer: still a complete message (a
 * message found by fuzz/deflate_roundtrip). */
static void output_ending_with_the_tail(void)
{
    static uint8_t msg[3000], packed[256], back[3000];
    msg[141] = msg[2515] = '@';
    msg[2883] = 1;
    msg[2886] = 5;
    ws_deflater_config dc = {.window_bits = 15};
    ws_inflater_config ic = {.window_bits = 15};
    ws_deflater d;
    if (ws_deflater_init(&d, &dc) != WS_OK)
        abort();
    play whole = {0, 0, false, false};
    size_t packed_len = 0;
    int rc = deflate_message(&d, msg, sizeof msg, &whole, packed, sizeof packed, &packed_len);
    ws_deflater_free(&d);
    ok(rc == WS_OK && packed_len < 100, "3000 mostly zero bytes compress to %zu", packed_len);
    for (size_t cap = 1; cap <= 16; cap++) {
        ws_inflater inf;
        if (ws_inflater_init(&inf, &ic) != WS_OK)
            abort();
        play small = {0, cap, false, false};
        size_t n = 0;
        rc = inflate_message(&inf, packed, packed_len, &small, back, sizeof back, &n);
        ok(rc == WS_OK && n == sizeof msg && memcmp(back, msg, n) == 0,
           "inflated %zu bytes at a time: complete (%d)", cap, rc);
        ws_inflater_free(&inf);
    }
}

/* ---- limits and memory ----------------------------------------------------------- */

static void bomb(void)
{
    const size_t mib = 1u << 20, bomb_size = 10 * mib;
    uint8_t *zeros = calloc(bomb_size + 1, 1);
    uint8_t *packed = malloc(64 * 1024);
    uint8_t *sink = malloc(64 * 1024);
    if (!zeros || !packed || !sink)
        abort();

    ws_deflater_config dc = {.level = 9};
    ws_deflater d;
    ws_deflater_init(&d, &dc);
    size_t packed_len = 0;
    play whole = {0, 0, false, false};
    int rc = deflate_message(&d, zeros, bomb_size, &whole, packed, 64 * 1024, &packed_len);
    ws_deflater_free(&d);
    ok(rc == WS_OK && packed_len < 16 * 1024, "10 MiB of zeros deflate to %zu bytes", packed_len);

    alloc_stats st = {0};
    ws_inflater_config ic = {.max_message_size = mib, .realloc_fn = counting_realloc,
                             .alloc_ctx = &st};
    ws_inflater inf;
    is_int(ws_inflater_init(&inf, &ic), WS_OK, "inflater with a 1 MiB limit");
    /* The output is thrown away 64 KiB at a time: nothing keeps the message. */
    size_t pos = 0, total = 0;
    rc = WS_OK;
    while (rc >= 0) {
        size_t used, made;
        rc = note(ws_inflater_feed(&inf, packed + pos, packed_len - pos, true, sink, 64 * 1024,
                                   &used, &made));
        pos += used;
        total += made;
        if (rc == WS_OK)
            break;
    }
    is_int(rc, WS_E_MESSAGE_TOO_BIG, "the bomb hits the message limit");
    is_int(ws_error_lookup(rc)->close_code, 1009, "which means close code 1009");
    ok(total >= mib && total <= mib + 1, "inflation stopped at most one byte past the limit (%zu)",
       total);
    ok(pos < packed_len, "having read only part of the input (%zu of %zu)", pos, packed_len);
    ok(st.peak <= (1u << 15) + 8 * 1024, "zlib held %zu bytes at most: window and state",
       st.peak);
    ws_inflater_free(&inf);
    is_int(st.current, 0, "everything freed");

    /* A buffer far larger than the limit still receives one byte past it. */
    ws_inflater_config tiny = {.max_message_size = 1000};
    ws_inflater_init(&inf, &tiny);
    size_t used, made;
    is_int(note(ws_inflater_feed(&inf, packed, packed_len, true, sink, 64 * 1024, &used, &made)),
           WS_E_MESSAGE_TOO_BIG, "limit of 1000 bytes, 64 KiB of room");
    is_int(made, 1001, "the 1001st byte is the last one written");
    ws_inflater_free(&inf);

    /* Exactly at the limit is fine; one more byte is not. */
    for (size_t extra = 0; extra < 2; extra++) {
        ws_deflater_init(&d, &dc);
        deflate_message(&d, zeros, mib + extra, &whole, packed, 64 * 1024, &packed_len);
        ws_deflater_free(&d);
        ws_inflater_init(&inf, &ic);
        static const play pieces = {100, 4096, false, false};
        static uint8_t whole_out[(1u << 20) + 2];
        size_t n;
        rc = inflate_message(&inf, packed, packed_len, &pieces, whole_out, sizeof whole_out, &n);
        ws_inflater_free(&inf);
        is_int(rc, extra ? WS_E_MESSAGE_TOO_BIG : WS_OK, "a message of 1 MiB%s under a 1 MiB limit",
               extra ? " and a byte" : "");
    }

    /* What a connection costs at each window: the figures of deflate.h. */
    for (uint8_t w = 8; w <= 15; w++) {
        alloc_stats in_st = {0}, out_st = {0};
        ws_inflater_config icw = {.window_bits = w, .realloc_fn = counting_realloc,
                                  .alloc_ctx = &in_st};
        ws_deflater_config dcw = {.window_bits = w, .realloc_fn = counting_realloc,
                                  .alloc_ctx = &out_st};
        ws_inflater_init(&inf, &icw);
        ws_deflater_init(&d, &dcw);
        uint8_t *text = malloc(100000), *pk = malloc(110000), *back = malloc(100000);
        fill_text(text, 100000);
        size_t n, m;
        int r1 = deflate_message(&d, text, 100000, &whole, pk, 110000, &n);
        int r2 = inflate_message(&inf, pk, n, &whole, back, 100000, &m);
        ws_inflater_free(&inf);
        ws_deflater_free(&d);
        size_t deflate_bound = ((size_t)1 << ((w == 8 ? 9 : w) + 2)) + (1u << 17) + 8 * 1024;
        ok(r1 == WS_OK && r2 == WS_OK && in_st.peak <= ((size_t)1 << w) + 8 * 1024 &&
               out_st.peak <= deflate_bound && in_st.current == 0 && out_st.current == 0,
           "window %u: inflater holds %zu bytes, deflater %zu", w, in_st.peak, out_st.peak);
        free(text);
        free(pk);
        free(back);
    }
    alloc_stats small_st = {0};
    ws_deflater_config small = {.window_bits = 9, .mem_level = 4, .realloc_fn = counting_realloc,
                                .alloc_ctx = &small_st};
    ws_deflater_init(&d, &small);
    ws_deflater_free(&d);
    ok(small_st.peak <= 16 * 1024, "window 9, memLevel 4: the deflater holds %zu bytes",
       small_st.peak);
    free(zeros);
    free(packed);
    free(sink);
}

static void allocation_failures(void)
{
    /* Each allocation in turn fails; everything before it is given back. */
    for (long at = 0; at < 3; at++) {
        alloc_stats st = {.fail_at = at + 1};
        ws_inflater_config ic = {.realloc_fn = counting_realloc, .alloc_ctx = &st};
        ws_inflater inf;
        int rc = ws_inflater_init(&inf, &ic);
        if (rc == WS_OK) {
            uint8_t out[16];
            size_t used, made;
            rc = ws_inflater_feed(&inf, ex_one_block, sizeof ex_one_block, true, out, sizeof out,
                                  &used, &made);
            ws_inflater_free(&inf);
        } else {
            ws_inflater_free(&inf); /* a no-op after a failed init */
        }
        is_int(rc, WS_E_NO_MEMORY, "inflater: allocation %ld fails", at);
        is_int(st.current, 0, "inflater: allocation %ld fails, nothing leaks", at);
    }
    for (long at = 0; at < 6; at++) {
        alloc_stats st = {.fail_at = at + 1};
        ws_deflater_config dc = {.realloc_fn = counting_realloc, .alloc_ctx = &st};
        ws_deflater d;
        int rc = ws_deflater_init(&d, &dc);
        ws_deflater_free(&d);
        is_int(rc, WS_E_NO_MEMORY, "deflater: allocation %ld fails", at);
        is_int(st.current, 0, "deflater: allocation %ld fails, nothing leaks", at);
    }
}

static void arguments(void)
{
    ws_inflater inf;
    ws_deflater d;
    uint8_t out[8];
    size_t used, made;
    ws_inflater_config bad_in = {.window_bits = 7};
    ws_deflater_config bad_out = {.window_bits = 16};
    is_int(ws_inflater_init(&inf, &bad_in), WS_E_INVALID_ARGUMENT, "inflater window 7");
    ws_inflater_free(&inf);
    bad_in.window_bits = 16;
    is_int(ws_inflater_init(&inf, &bad_in), WS_E_INVALID_ARGUMENT, "inflater window 16");
    is_int(ws_inflater_init(&inf, NULL), WS_E_INVALID_ARGUMENT, "inflater without config");
    is_int(ws_deflater_init(&d, &bad_out), WS_E_INVALID_ARGUMENT, "deflater window 16");
    ws_deflater_free(&d);
    ws_deflater_config bad_level = {.level = 10};
    is_int(ws_deflater_init(&d, &bad_level), WS_E_INVALID_ARGUMENT, "deflater level 10");
    ws_deflater_config bad_mem = {.mem_level = 10};
    is_int(ws_deflater_init(&d, &bad_mem), WS_E_INVALID_ARGUMENT, "deflater memLevel 10");

    ws_inflater_config ic = {0};
    ws_inflater_init(&inf, &ic);
    is_int(ws_inflater_feed(&inf, NULL, 1, false, out, 8, &used, &made), WS_E_INVALID_ARGUMENT,
           "inflate NULL input with a length");
    is_int(ws_inflater_feed(&inf, ex_one_block, 1, false, NULL, 8, &used, &made),
           WS_E_INVALID_ARGUMENT, "inflate into NULL with a capacity");
    is_int(ws_inflater_feed(&inf, NULL, 0, false, out, 8, NULL, &made), WS_E_INVALID_ARGUMENT,
           "inflate without consumed");
    is_int(ws_inflater_feed(&inf, ex_one_block, sizeof ex_one_block, true, out, 0, &used, &made),
           WS_PMD_OUTPUT_FULL, "no output space: output full");
    ok(made == 0 && used < sizeof ex_one_block, "no output space: nothing written (%zu taken)",
       used);
    size_t used2;
    is_int(ws_inflater_feed(&inf, ex_one_block + used, sizeof ex_one_block - used, true, out, 8,
                            &used2, &made),
           WS_OK, "not failed by the bad calls");
    is_mem(out, made, HELLO, 5, "and inflates");
    ws_inflater_free(&inf);
    ws_inflater_free(&inf);
    ws_inflater_free(NULL);

    ws_deflater_config dc = {0};
    ws_deflater_init(&d, &dc);
    is_int(ws_deflater_feed(&d, NULL, 1, false, out, 8, &used, &made), WS_E_INVALID_ARGUMENT,
           "deflate NULL input with a length");
    is_int(ws_deflater_feed(&d, S(HELLO), false, out, 8, &used, NULL), WS_E_INVALID_ARGUMENT,
           "deflate without produced");
    is_int(ws_deflater_feed(NULL, S(HELLO), false, out, 8, &used, &made), WS_E_INVALID_ARGUMENT,
           "deflate without deflater");
    ws_deflater_free(&d);
    ws_deflater_free(NULL);
}

/* ---- negotiation ----------------------------------------------------------------- */

#define MAXE 8

/* Parses a Sec-WebSocket-Extensions value into e; aborts if it does not parse. */
static size_t extensions(const char *value, ws_extension *e)
{
    size_t n = 0;
    if (ws_handshake_parse_extensions(value, strlen(value), e, MAXE, &n) != WS_OK)
        abort();
    return n;
}

static bool same_params(const ws_pmd_params *a, const ws_pmd_params *b)
{
    return a->server_no_context_takeover == b->server_no_context_takeover &&
           a->client_no_context_takeover == b->client_no_context_takeover &&
           a->server_max_window_bits == b->server_max_window_bits &&
           a->client_max_window_bits == b->client_max_window_bits;
}

/* One element parsed as kind: expected rc, and params on success. */
static void parse_case(const char *value, ws_pmd_kind kind, int want_rc, ws_pmd_params want)
{
    ws_extension e[MAXE];
    extensions(value, e);
    ws_pmd_params got = {.server_max_window_bits = 99};
    int rc = note(ws_pmd_parse(&e[0], kind, &got));
    const char *as = kind == WS_PMD_OFFER ? "offer" : "response";
    if (want_rc != WS_OK) {
        is_int(rc, want_rc, "%s \"%s\": %s", as, value, ws_strerror(want_rc));
        ok(got.server_max_window_bits == 99, "%s \"%s\": output untouched", as, value);
    } else {
        ok(rc == WS_OK && same_params(&got, &want), "%s \"%s\" parses (rc %d)", as, value, rc);
    }
}

#define PMD "permessage-deflate"
#define NOVAL WS_PMD_WINDOW_BITS_NO_VALUE

static void parsing(void)
{
    ws_pmd_params none = {0};
    parse_case(PMD, WS_PMD_OFFER, WS_OK, none);
    parse_case(PMD, WS_PMD_RESPONSE, WS_OK, none);
    parse_case(PMD "; server_no_context_takeover", WS_PMD_OFFER, WS_OK,
               (ws_pmd_params){.server_no_context_takeover = true});
    parse_case(PMD "; client_no_context_takeover", WS_PMD_RESPONSE, WS_OK,
               (ws_pmd_params){.client_no_context_takeover = true});
    parse_case(PMD "; client_max_window_bits", WS_PMD_OFFER, WS_OK,
               (ws_pmd_params){.client_max_window_bits = NOVAL});
    parse_case(PMD "; client_max_window_bits", WS_PMD_RESPONSE,
               WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NO_VALUE, none);
    parse_case(PMD "; server_no_context_takeover; client_no_context_takeover; "
                   "server_max_window_bits=10; client_max_window_bits=11",
               WS_PMD_OFFER, WS_OK,
               (ws_pmd_params){true, true, 10, 11});
    parse_case(PMD ";client_max_window_bits=\"9\";server_max_window_bits=\"1\\5\"", WS_PMD_OFFER,
               WS_OK, (ws_pmd_params){.server_max_window_bits = 15, .client_max_window_bits = 9});

    for (int bits = 8; bits <= 15; bits++) {
        char value[96];
        snprintf(value, sizeof value, PMD "; server_max_window_bits=%d; client_max_window_bits=%d",
                 bits, 23 - bits);
        parse_case(value, WS_PMD_RESPONSE, WS_OK,
                   (ws_pmd_params){.server_max_window_bits = (uint8_t)bits,
                                   .client_max_window_bits = (uint8_t)(23 - bits)});
    }
    static const char *const bad_bits[] = {"7", "16", "08", "0", "+9", "9a", "-9", "100",
                                           "\"\"", "\"16\"", "\"0\\8\"", "1O"};
    for (size_t i = 0; i < sizeof bad_bits / sizeof bad_bits[0]; i++) {
        char value[96];
        snprintf(value, sizeof value, PMD "; server_max_window_bits=%s", bad_bits[i]);
        ws_extension e[MAXE];
        size_t n = 0;
        if (ws_handshake_parse_extensions(value, strlen(value), e, MAXE, &n) != WS_OK)
            continue; /* not even a token: the header syntax already refuses it */
        parse_case(value, WS_PMD_OFFER, WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID, none);
        snprintf(value, sizeof value, PMD "; client_max_window_bits=%s", bad_bits[i]);
        parse_case(value, WS_PMD_OFFER, WS_E_PMD_CLIENT_MAX_WINDOW_BITS_INVALID, none);
        parse_case(value, WS_PMD_RESPONSE, WS_E_PMD_CLIENT_MAX_WINDOW_BITS_INVALID, none);
    }
    parse_case(PMD "; server_max_window_bits", WS_PMD_OFFER,
               WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID, none);
    parse_case(PMD "; server_max_window_bits", WS_PMD_RESPONSE,
               WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID, none);
    parse_case(PMD "; server_no_context_takeover=1", WS_PMD_OFFER,
               WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_VALUE, none);
    parse_case(PMD "; server_no_context_takeover=\"1\"", WS_PMD_RESPONSE,
               WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_VALUE, none);
    parse_case(PMD "; client_no_context_takeover=true", WS_PMD_RESPONSE,
               WS_E_PMD_CLIENT_NO_CONTEXT_TAKEOVER_VALUE, none);

    static const char *const names[] = {"server_no_context_takeover", "client_no_context_takeover",
                                        "server_max_window_bits=10", "client_max_window_bits=10"};
    for (size_t i = 0; i < 4; i++) {
        char value[128];
        snprintf(value, sizeof value, PMD "; %s; %s", names[i], names[i]);
        parse_case(value, WS_PMD_OFFER, WS_E_PMD_PARAM_DUPLICATE, none);
    }
    parse_case(PMD "; client_max_window_bits; client_max_window_bits=10", WS_PMD_OFFER,
               WS_E_PMD_PARAM_DUPLICATE, none);
    parse_case(PMD "; server_max_window_bits=10; server_max_window_bits=11", WS_PMD_RESPONSE,
               WS_E_PMD_PARAM_DUPLICATE, none);
    parse_case(PMD "; x=1", WS_PMD_OFFER, WS_E_PMD_PARAM_UNKNOWN, none);
    parse_case(PMD "; Server_No_Context_Takeover", WS_PMD_OFFER, WS_E_PMD_PARAM_UNKNOWN, none);
    parse_case(PMD "; server_max_window_bit=10", WS_PMD_RESPONSE, WS_E_PMD_PARAM_UNKNOWN, none);
    parse_case(PMD "; client_max_window_bits=10; foo", WS_PMD_OFFER, WS_E_PMD_PARAM_UNKNOWN,
               none);

    ws_extension e[MAXE];
    ws_pmd_params p;
    extensions("x-webkit-deflate-frame", e);
    is_int(ws_pmd_parse(&e[0], WS_PMD_OFFER, &p), WS_E_INVALID_ARGUMENT, "another extension");
    extensions("Permessage-Deflate", e);
    is_int(ws_pmd_parse(&e[0], WS_PMD_OFFER, &p), WS_E_INVALID_ARGUMENT,
           "the name is compared exactly");
    extensions(PMD, e);
    is_int(ws_pmd_parse(&e[0], (ws_pmd_kind)7, &p), WS_E_INVALID_ARGUMENT, "unknown kind");
    is_int(ws_pmd_parse(NULL, WS_PMD_OFFER, &p), WS_E_INVALID_ARGUMENT, "NULL extension");
    is_int(ws_pmd_parse(&e[0], WS_PMD_OFFER, NULL), WS_E_INVALID_ARGUMENT, "NULL output");
}

/* The server's choice among offers: expected index (or -1 for a decline) and response. */
static void choose_case(const char *offers, const ws_pmd_server_config *cfg, long want_index,
                        const char *want_response)
{
    ws_extension e[MAXE];
    size_t n = offers[0] ? extensions(offers, e) : 0;
    ws_pmd_params r;
    size_t chosen = 99;
    int rc = ws_pmd_server_choose(e, n, cfg, &r, &chosen);
    if (want_index < 0) {
        ok(rc == 0 && chosen == 99, "server declines \"%s\" (rc %d)", offers, rc);
        return;
    }
    char text[WS_PMD_FORMAT_MAX];
    int len = rc == 1 ? ws_pmd_format(&r, text, sizeof text) : -1;
    ok(rc == 1 && (long)chosen == want_index && len > 0 && strcmp(text, want_response) == 0,
       "server picks offer %ld of \"%s\" and answers \"%s\" (rc %d, offer %zu, \"%s\")",
       want_index, offers, want_response, rc, chosen, len > 0 ? text : "");
}

static void server_choice(void)
{
    ws_pmd_server_config plain = {0};
    choose_case(PMD, &plain, 0, PMD);
    choose_case(PMD, NULL, 0, PMD);
    choose_case("x-foo, " PMD "; bogus=1, " PMD "; client_max_window_bits=7, " PMD
                "; server_max_window_bits=10; client_max_window_bits, " PMD,
                &plain, 3, PMD "; server_max_window_bits=10");
    choose_case(PMD "; server_max_window_bits=8", &plain, 0, PMD "; server_max_window_bits=8");
    choose_case(PMD "; client_max_window_bits=12; client_no_context_takeover", &plain, 0,
                PMD "; client_no_context_takeover; client_max_window_bits=12");
    choose_case(PMD "; server_no_context_takeover", &plain, 0, PMD "; server_no_context_takeover");
    choose_case("", &plain, -1, NULL);
    choose_case("x-foo, x-bar", &plain, -1, NULL);
    choose_case(PMD "; server_max_window_bits, " PMD "; a, " PMD "; server_no_context_takeover=1",
                &plain, -1, NULL);

    ws_pmd_server_config small_client = {.client_max_window_bits = 10};
    choose_case(PMD ", " PMD "; client_max_window_bits", &small_client, 1,
                PMD "; client_max_window_bits=10");
    choose_case(PMD "; client_max_window_bits=12", &small_client, 0,
                PMD "; client_max_window_bits=10");
    choose_case(PMD "; client_max_window_bits=9", &small_client, 0,
                PMD "; client_max_window_bits=9");
    choose_case(PMD, &small_client, -1, NULL);

    ws_pmd_server_config small_server = {.server_max_window_bits = 12};
    choose_case(PMD, &small_server, 0, PMD "; server_max_window_bits=12");
    choose_case(PMD "; server_max_window_bits=10", &small_server, 0,
                PMD "; server_max_window_bits=10");
    choose_case(PMD "; server_max_window_bits=14", &small_server, 0,
                PMD "; server_max_window_bits=12");

    ws_pmd_server_config resets = {.server_no_context_takeover = true,
                                   .client_no_context_takeover = true};
    choose_case(PMD, &resets, 0, PMD "; server_no_context_takeover; client_no_context_takeover");

    ws_extension e[MAXE];
    size_t n = extensions(PMD, e), chosen;
    ws_pmd_params r;
    ws_pmd_server_config bad = {.server_max_window_bits = 7};
    is_int(ws_pmd_server_choose(e, n, &bad, &r, &chosen), WS_E_INVALID_ARGUMENT,
           "server window 7 configured");
    bad = (ws_pmd_server_config){.client_max_window_bits = 16};
    is_int(ws_pmd_server_choose(e, n, &bad, &r, &chosen), WS_E_INVALID_ARGUMENT,
           "client window 16 configured");
    is_int(ws_pmd_server_choose(NULL, 1, NULL, &r, &chosen), WS_E_INVALID_ARGUMENT,
           "NULL offers with a count");
    is_int(ws_pmd_server_choose(e, n, NULL, NULL, &chosen), WS_E_INVALID_ARGUMENT,
           "NULL response");
}

/* The client's reading of a response to its offers. */
static void accept_case(const char *offers, const char *response, int want_rc,
                        ws_pmd_params want)
{
    ws_extension o[MAXE], r[MAXE];
    size_t no = offers[0] ? extensions(offers, o) : 0;
    size_t nr = response[0] ? extensions(response, r) : 0;
    ws_pmd_params agreed = {.server_max_window_bits = 99};
    int rc = note(ws_pmd_client_accept(o, no, r, nr, &agreed));
    if (want_rc != 1) {
        ok(rc == want_rc && agreed.server_max_window_bits == 99,
           "offer \"%s\", response \"%s\": %s (rc %d)", offers, response,
           want_rc ? ws_strerror(want_rc) : "not in use", rc);
    } else {
        ok(rc == 1 && same_params(&agreed, &want),
           "offer \"%s\", response \"%s\": accepted (rc %d; %d %d %u %u)", offers, response, rc,
           agreed.server_no_context_takeover, agreed.client_no_context_takeover,
           agreed.server_max_window_bits, agreed.client_max_window_bits);
    }
}

static void client_check(void)
{
    ws_pmd_params none = {0};
    accept_case(PMD, PMD, 1, none);
    accept_case(PMD "; client_max_window_bits", PMD "; client_max_window_bits=10", 1,
                (ws_pmd_params){.client_max_window_bits = 10});
    accept_case(PMD "; client_max_window_bits", PMD, 1, none);
    accept_case(PMD, PMD "; client_max_window_bits=10", WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NOT_OFFERED,
                none);
    accept_case(PMD "; client_max_window_bits=10", PMD "; client_max_window_bits=11",
                WS_E_PMD_CLIENT_MAX_WINDOW_BITS_TOO_LARGE, none);
    accept_case(PMD "; client_max_window_bits=10", PMD "; client_max_window_bits=9", 1,
                (ws_pmd_params){.client_max_window_bits = 9});
    accept_case(PMD "; client_max_window_bits=10", PMD, 1,
                (ws_pmd_params){.client_max_window_bits = 10});
    accept_case(PMD "; client_no_context_takeover", PMD, 1,
                (ws_pmd_params){.client_no_context_takeover = true});
    accept_case(PMD "; server_max_window_bits=10", PMD, WS_E_PMD_SERVER_MAX_WINDOW_BITS_MISSING,
                none);
    accept_case(PMD "; server_max_window_bits=10", PMD "; server_max_window_bits=11",
                WS_E_PMD_SERVER_MAX_WINDOW_BITS_TOO_LARGE, none);
    accept_case(PMD "; server_max_window_bits=10", PMD "; server_max_window_bits=9", 1,
                (ws_pmd_params){.server_max_window_bits = 9});
    accept_case(PMD "; server_no_context_takeover", PMD,
                WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_MISSING, none);
    accept_case(PMD "; server_no_context_takeover", PMD "; server_no_context_takeover", 1,
                (ws_pmd_params){.server_no_context_takeover = true});
    accept_case(PMD, PMD "; server_no_context_takeover; client_no_context_takeover; "
                     "server_max_window_bits=9",
                1, (ws_pmd_params){true, true, 9, 0});
    accept_case(PMD "; client_max_window_bits", PMD "; client_max_window_bits",
                WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NO_VALUE, none);
    accept_case(PMD, PMD "; foo", WS_E_PMD_PARAM_UNKNOWN, none);
    accept_case(PMD, PMD ", " PMD, WS_E_PMD_ACCEPTED_TWICE, none);
    accept_case(PMD, "x-other", 0, none);
    accept_case(PMD, "", 0, none);
    accept_case("x-other", PMD, WS_E_HS_EXTENSION_NOT_OFFERED, none);
    accept_case(PMD "; server_max_window_bits=10, " PMD, PMD, 1, none);
    accept_case(PMD "; server_max_window_bits=10, " PMD "; server_no_context_takeover",
                PMD "; server_max_window_bits=12", WS_E_PMD_SERVER_MAX_WINDOW_BITS_TOO_LARGE, none);
    accept_case(PMD "; bogus", PMD, WS_E_INVALID_ARGUMENT, none);

    ws_pmd_params p;
    is_int(ws_pmd_client_accept(NULL, 0, NULL, 0, NULL), WS_E_INVALID_ARGUMENT, "NULL agreed");
    is_int(ws_pmd_client_accept(NULL, 1, NULL, 0, &p), WS_E_INVALID_ARGUMENT,
           "NULL offers with a count");
}

static void formatting(void)
{
    char out[WS_PMD_FORMAT_MAX];
    ws_pmd_params all = {true, true, 15, 15};
    int n = ws_pmd_format(&all, out, sizeof out);
    is_int(n, (int)WS_PMD_FORMAT_MAX - 1, "WS_PMD_FORMAT_MAX is the longest value");
    ws_pmd_params nv = {.client_max_window_bits = NOVAL, .server_max_window_bits = 9};
    n = ws_pmd_format(&nv, out, sizeof out);
    ok(n > 0 && strcmp(out, PMD "; server_max_window_bits=9; client_max_window_bits") == 0,
       "bare client_max_window_bits (\"%s\")", n > 0 ? out : "");

    ws_pmd_params ten = {.client_max_window_bits = 10};
    static const char want[] = PMD "; client_max_window_bits=10";
    char small[sizeof want];
    is_int(ws_pmd_format(&ten, small, sizeof small), (int)sizeof want - 1, "exact fit with NUL");
    ok(strcmp(small, want) == 0, "written and NUL-terminated");
    memset(small, 'x', sizeof small);
    is_int(ws_pmd_format(&ten, small, sizeof small - 1), WS_E_BUFFER_TOO_SMALL,
           "no room for the NUL");
    ok(small[0] == '\0', "out is left empty");
    is_int(ws_pmd_format(&ten, small, 0), WS_E_BUFFER_TOO_SMALL, "cap 0");
    ok(small[0] == '\0', "cap 0 writes nothing");
    is_int(ws_pmd_format(&ten, NULL, 10), WS_E_INVALID_ARGUMENT, "NULL out");
    ws_pmd_params bad = {.server_max_window_bits = 7};
    is_int(ws_pmd_format(&bad, out, sizeof out), WS_E_INVALID_ARGUMENT, "server window 7");
    bad = (ws_pmd_params){.server_max_window_bits = NOVAL};
    is_int(ws_pmd_format(&bad, out, sizeof out), WS_E_INVALID_ARGUMENT,
           "server window without value");
    bad = (ws_pmd_params){.client_max_window_bits = 16};
    is_int(ws_pmd_format(&bad, out, sizeof out), WS_E_INVALID_ARGUMENT, "client window 16");

    /* Every combination reads back as what was written. */
    bool all_back = true;
    static const uint8_t servers[] = {0, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t clients[] = {0, NOVAL, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int b = 0; b < 4; b++)
        for (size_t s = 0; s < sizeof servers; s++)
            for (size_t c = 0; c < sizeof clients; c++) {
                ws_pmd_params p = {b & 1, (b & 2) != 0, servers[s], clients[c]}, q;
                ws_extension e[MAXE];
                if (ws_pmd_format(&p, out, sizeof out) < 0 ||
                    ws_pmd_parse(&e[extensions(out, e) - 1], WS_PMD_OFFER, &q) != WS_OK ||
                    !same_params(&p, &q)) {
                    all_back = false;
                    tap_diag("    \"%s\" does not read back", out);
                }
            }
    ok(all_back, "every combination of parameters formats and parses back");
}

static void configuring(void)
{
    ws_pmd_params agreed = {.server_no_context_takeover = true,
                            .server_max_window_bits = 10,
                            .client_max_window_bits = 12};
    ws_deflater_config ours = {.level = 3};
    ws_inflater_config theirs = {.max_message_size = 77};
    ws_pmd_configure(&agreed, WS_ROLE_SERVER, &ours, &theirs);
    ok(ours.window_bits == 10 && ours.no_context_takeover && ours.level == 3,
       "server sends with the server's window and reset");
    ok(theirs.window_bits == 12 && !theirs.no_context_takeover && theirs.max_message_size == 77,
       "server receives with the client's window");
    ws_pmd_configure(&agreed, WS_ROLE_CLIENT, &ours, &theirs);
    ok(ours.window_bits == 12 && !ours.no_context_takeover, "client sends with its own window");
    ok(theirs.window_bits == 10 && theirs.no_context_takeover,
       "client receives with the server's window and reset");
    ws_pmd_params bare = {.client_max_window_bits = NOVAL};
    ws_pmd_configure(&bare, WS_ROLE_CLIENT, &ours, NULL);
    ws_pmd_configure(&bare, WS_ROLE_CLIENT, NULL, &theirs);
    ok(ours.window_bits == 15 && theirs.window_bits == 15, "absent windows are 15");
}

/* Offer, choice, response, acceptance, then messages both ways. */
static void end_to_end(void)
{
    ws_pmd_params offer = {.client_max_window_bits = NOVAL, .server_max_window_bits = 11};
    char offer_text[WS_PMD_FORMAT_MAX], response_text[WS_PMD_FORMAT_MAX];
    ws_pmd_format(&offer, offer_text, sizeof offer_text);

    ws_extension offered[MAXE], answered[MAXE];
    size_t no = extensions(offer_text, offered), chosen;
    ws_pmd_server_config server_cfg = {.client_max_window_bits = 9,
                                       .client_no_context_takeover = true};
    ws_pmd_params response;
    is_int(ws_pmd_server_choose(offered, no, &server_cfg, &response, &chosen), 1,
           "server accepts \"%s\"", offer_text);
    ws_pmd_format(&response, response_text, sizeof response_text);
    ok(strcmp(response_text, PMD "; client_no_context_takeover; server_max_window_bits=11; "
                                 "client_max_window_bits=9") == 0,
       "server answers \"%s\"", response_text);
    ws_pmd_params agreed;
    size_t nr = extensions(response_text, answered);
    is_int(ws_pmd_client_accept(offered, no, answered, nr, &agreed), 1, "client accepts it");

    ws_deflater_config client_out = {0}, server_out = {0};
    ws_inflater_config client_in = {0}, server_in = {0};
    ws_pmd_configure(&agreed, WS_ROLE_CLIENT, &client_out, &client_in);
    ws_pmd_configure(&response, WS_ROLE_SERVER, &server_out, &server_in);
    ok(client_out.window_bits == 9 && server_in.window_bits == 9 &&
           client_out.no_context_takeover && server_in.no_context_takeover &&
           server_out.window_bits == 11 && client_in.window_bits == 11,
       "both ends configured alike");

    ws_deflater cd, sd;
    ws_inflater ci, si;
    ws_deflater_init(&cd, &client_out);
    ws_deflater_init(&sd, &server_out);
    ws_inflater_init(&ci, &client_in);
    ws_inflater_init(&si, &server_in);
    static uint8_t text[5000], packed[6000], back[5000];
    bool good = true;
    play whole = {0, 0, false, false};
    for (int i = 0; i < 4; i++) {
        fill_text(text, sizeof text);
        size_t n, m;
        good = good && deflate_message(i % 2 ? &sd : &cd, text, sizeof text, &whole, packed,
                                       sizeof packed, &n) == WS_OK;
        good = good && inflate_message(i % 2 ? &ci : &si, packed, n, &whole, back, sizeof back,
                                       &m) == WS_OK &&
               m == sizeof text && memcmp(back, text, m) == 0;
    }
    ok(good, "messages go both ways");
    ws_deflater_free(&cd);
    ws_deflater_free(&sd);
    ws_inflater_free(&ci);
    ws_inflater_free(&si);
}

/* ---- the assembler with an inflater (RFC 7692 §6) ------------------------------- */

typedef struct wire {
    uint8_t bytes[64 * 1024];
    size_t len;
} wire;

static void add_frame(wire *w, bool fin, uint8_t rsv, uint8_t opcode, const uint8_t *payload,
                      size_t n)
{
    ws_frame_spec spec = {.fin = fin, .rsv = rsv, .opcode = opcode, .masked = true,
                          .mask_key = {0x37, (uint8_t)w->len, 0xa1, 0x5c}};
    size_t written;
    if (ws_frame_encode(&spec, payload, n, w->bytes + w->len, sizeof w->bytes - w->len,
                        &written) != WS_OK)
        abort();
    w->len += written;
}

/* Compresses one message whole, as a client would send it. */
static size_t compress(ws_deflater *d, const uint8_t *msg, size_t len, uint8_t *out, size_t cap)
{
    play whole = {0, 0, false, false};
    size_t n;
    if (deflate_message(d, msg, len, &whole, out, cap, &n) != WS_OK)
        abort();
    return n;
}

typedef struct expected {
    uint8_t opcode;
    const uint8_t *data;
    size_t len;
} expected;

/* Plays a stream into a server's assembler with a fresh inflater, chunk bytes
 * at a time. Returns the error (0 if none); *events counts the events that
 * matched want in order (-1 at the first that did not). */
static int play_assembler(const ws_assembler_config *base, const wire *w, size_t chunk,
                          const expected *want, int nwant, int *events, uint64_t *error_offset)
{
    ws_inflater inf;
    ws_inflater_config ic = {0};
    if (ws_inflater_init(&inf, &ic) != WS_OK)
        abort();
    ws_assembler_config cfg = *base;
    if (cfg.inflater)
        cfg.inflater = &inf;
    ws_assembler a;
    ws_assembler_init(&a, &cfg);
    int err = 0;
    *events = 0;
    for (size_t pos = 0; pos < w->len && !err;) {
        size_t n = w->len - pos < chunk ? w->len - pos : chunk;
        guarded g = guard_copy(w->bytes + pos, n);
        size_t off = 0;
        while (off < n) {
            ws_event ev;
            ptrdiff_t used = ws_assembler_feed(&a, g.data + off, n - off, &ev);
            if (used < 0) {
                err = note((int)used);
                *error_offset = ws_assembler_error_offset(&a);
                break;
            }
            off += (size_t)used;
            if (ev.type == WS_EVENT_NONE)
                break;
            int i = *events;
            if (i < 0 || i >= nwant || ev.opcode != want[i].opcode || ev.length != want[i].len ||
                (ev.length && memcmp(ev.data, want[i].data, ev.length) != 0))
                *events = -1;
            else
                (*events)++;
        }
        guard_free(&g);
        pos += n;
    }
    ws_assembler_free(&a);
    ws_inflater_free(&inf);
    return err;
}

/* Every chunking gives the same outcome; returns it. */
static int assemble(const char *name, const ws_assembler_config *cfg, const wire *w,
                    const expected *want, int nwant, int *events, uint64_t *error_offset)
{
    static const size_t chunks[] = {SIZE_MAX, 1, 2, 7, 1000};
    int err = 0;
    *error_offset = 0;
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        int ev;
        uint64_t off = 0;
        int e = play_assembler(cfg, w, chunks[c], want, nwant, &ev, &off);
        if (c == 0) {
            err = e;
            *events = ev;
            *error_offset = off;
        } else if (e != err || ev != *events || off != *error_offset) {
            tap_diag("    %s: chunks of %zu give %d/%d/%llu, whole %d/%d/%llu", name, chunks[c],
                     e, ev, (unsigned long long)off, err, *events,
                     (unsigned long long)*error_offset);
            return CONTRACT_BROKEN;
        }
    }
    return err;
}

static void assembler_inflates(void)
{
    static struct ws_inflater marker; /* any non-NULL: play_assembler puts its own */
    ws_assembler_config cfg = {.role = WS_ROLE_SERVER, .rsv_allowed = WS_RSV1,
                               .inflater = &marker};
    ws_deflater d;
    ws_deflater_config dc = {0};
    static uint8_t text[20000], packed[30000], packed2[30000];
    static wire w;
    int events;
    uint64_t at;

    /* A fragmented compressed text message, a ping between its frames, an
     * uncompressed binary message, then a compressed one using the window. */
    fill_text(text, sizeof text);
    ws_deflater_init(&d, &dc);
    size_t n1 = compress(&d, text, sizeof text, packed, sizeof packed);
    size_t n2 = compress(&d, text, 5000, packed2, sizeof packed2);
    ws_deflater_free(&d);
    w.len = 0;
    add_frame(&w, false, WS_RSV1, WS_OP_TEXT, packed, n1 / 3);
    add_frame(&w, true, 0, WS_OP_PING, S("hi"));
    add_frame(&w, false, 0, WS_OP_CONTINUATION, packed + n1 / 3, n1 / 3);
    add_frame(&w, true, 0, WS_OP_CONTINUATION, packed + 2 * (n1 / 3), n1 - 2 * (n1 / 3));
    add_frame(&w, true, 0, WS_OP_BINARY, S("\xff\x00"));
    add_frame(&w, true, WS_RSV1, WS_OP_TEXT, packed2, n2);
    expected want[] = {{WS_OP_PING, S("hi")},
                       {WS_OP_TEXT, text, sizeof text},
                       {WS_OP_BINARY, S("\xff\x00")},
                       {WS_OP_TEXT, text, 5000}};
    int rc = assemble("mixed stream", &cfg, &w, want, 4, &events, &at);
    ok(rc == 0 && events == 4,
       "assembler inflates fragmented and whole messages (rc %d, %d events)", rc, events);

    ws_assembler_config plain = cfg;
    plain.inflater = NULL;
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_TEXT, packed2, n2);
    expected raw[] = {{WS_OP_TEXT, packed2, n2}};
    rc = assemble("no inflater", &plain, &w, raw, 1, &events, &at);
    ok(rc == 0 && events == 1, "without an inflater the compressed bytes are delivered as before");

    /* Inflated text is UTF-8 checked; invalid before inflation is no matter. */
    ws_deflater_init(&d, &dc);
    n1 = compress(&d, S("ok \xce\xba then \xff"), packed, sizeof packed);
    n2 = compress(&d, S("ends inside \xce"), packed2, sizeof packed2);
    ws_deflater_free(&d);
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_TEXT, packed, n1);
    rc = assemble("bad text", &cfg, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_UTF8_INVALID, "inflated text that is not UTF-8");
    is_int(at, 0, "reported at the frame that revealed it");
    static uint8_t late_bad[20001];
    memcpy(late_bad, text, 20000);
    late_bad[20000] = 0xff;
    ws_deflater_init(&d, &dc);
    n1 = compress(&d, late_bad, sizeof late_bad, packed, sizeof packed);
    ws_deflater_free(&d);
    w.len = 0;
    add_frame(&w, false, WS_RSV1, WS_OP_TEXT, packed, n1 / 2);
    size_t later = w.len;
    add_frame(&w, true, 0, WS_OP_CONTINUATION, packed + n1 / 2, n1 - n1 / 2);
    rc = assemble("bad text at the end", &cfg, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_UTF8_INVALID, "inflated text that goes wrong in its last frame");
    is_int(at, later, "reported at that frame, whatever the chunking");
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_TEXT, packed2, n2);
    rc = assemble("truncated text", &cfg, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_UTF8_TRUNCATED, "inflated text ending inside a sequence");

    /* Corrupt and truncated compressed data. */
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_BINARY, S("\xff"));
    rc = assemble("corrupt", &cfg, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_PMD_DATA_CORRUPT, "corrupt compressed data");
    is_int(at, 0, "at the frame that holds it");
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_BINARY, S("\xf2\x48"));
    rc = assemble("truncated", &cfg, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_PMD_DATA_TRUNCATED, "compressed data ending inside a block");
    is_int(at, 0, "at the first byte of the frame that ends the message");

    /* RSV1 belongs on the first frame of a data message only (§6). */
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_PING, S("x"));
    rc = assemble("rsv1 ping", &cfg, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_RSV1_ON_CONTROL, "RSV1 on a ping");
    is_int(at, 0, "at the frame's first byte");
    rc = assemble("rsv1 ping, no inflater", &plain, &w, NULL, 0, &events, &at);
    is_int(rc, 0, "RSV1 on a ping without an inflater: unchanged, delivered");
    w.len = 0;
    add_frame(&w, false, WS_RSV1, WS_OP_BINARY, ex_one_block, 3);
    size_t second = w.len;
    add_frame(&w, true, WS_RSV1, WS_OP_CONTINUATION, ex_one_block + 3, 4);
    rc = assemble("rsv1 continuation", &cfg, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_RSV1_ON_CONTINUATION, "RSV1 on a continuation");
    is_int(at, second, "at that frame");

    /* The size limit applies to inflated bytes, and memory stays under it. */
    const size_t big = 4u << 20;
    uint8_t *zeros = calloc(big, 1);
    ws_deflater_init(&d, &dc);
    n1 = compress(&d, zeros, big, packed, sizeof packed);
    ws_deflater_free(&d);
    free(zeros);
    alloc_stats st = {0};
    ws_assembler_config capped = cfg;
    capped.max_message_size = 100000;
    capped.realloc_fn = counting_realloc;
    capped.alloc_ctx = &st;
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_BINARY, packed, n1);
    rc = assemble("bomb", &capped, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_MESSAGE_TOO_BIG, "4 MiB of zeros in %zu compressed bytes, limit 100000", n1);
    ok(st.peak <= 100000, "the message buffer stayed within the limit (peak %zu)", st.peak);
    is_int(ws_error_lookup(rc)->close_code, 1009, "close code 1009");

    ws_deflater_init(&d, &dc);
    n1 = compress(&d, text, 10000, packed, sizeof packed);
    ws_deflater_free(&d);
    capped.max_message_size = 10000;
    w.len = 0;
    add_frame(&w, true, WS_RSV1, WS_OP_TEXT, packed, n1);
    expected exact[] = {{WS_OP_TEXT, text, 10000}};
    rc = assemble("at the limit", &capped, &w, exact, 1, &events, &at);
    ok(rc == 0 && events == 1, "a message inflating to exactly the limit is delivered");
    capped.max_message_size = 9999;
    rc = assemble("a byte over", &capped, &w, NULL, 0, &events, &at);
    is_int(rc, WS_E_MESSAGE_TOO_BIG, "one byte over the limit after inflation");
}

static void every_error_produced(void)
{
    for (int err = -800; err > -1000; err--) {
        const ws_error_info *info = ws_error_lookup(err);
        if (info)
            ok(seen[-err - 800], "%s is produced by a test", info->name);
    }
}

int main(void)
{
    rfc_examples();
    window_overreach();
    corrupt_data();
    round_trips();
    output_ending_with_the_tail();
    bomb();
    allocation_failures();
    arguments();
    parsing();
    server_choice();
    client_check();
    formatting();
    configuring();
    end_to_end();
    assembler_inflates();
    every_error_produced();
    return done_testing();
}
