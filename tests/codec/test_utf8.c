/*
 * UTF-8 validation (RFC 3629, RFC 6455 §8.1) against a slow reference that
 * decodes one code point at a time: exhaustively up to 3 bytes, on biased
 * random strings, on the Autobahn section 6 payloads and on long buffers that
 * cross the fast paths' block boundaries. Every input is also fed in pieces,
 * and every buffer handed to the codec ends right before an unreadable page.
 */
#include "guard.h"
#include "tap.h"
#include "wscodec/error.h"
#include "wscodec/utf8.h"

static int under_valgrind;

/* ------------------------------------------------------------------------ */
/* Reference                                                                */

/*
 * Whether some code point in [lo, hi] is a scalar value that needs exactly
 * the sequence length whose smallest code point is min.
 */
static int ref_reachable(uint32_t lo, uint32_t hi, uint32_t min)
{
    if (lo < min)
        lo = min;
    if (hi > 0x10FFFF)
        hi = 0x10FFFF;
    if (lo > hi)
        return 0;
    return lo < 0xD800 || hi > 0xDFFF; /* not only surrogates */
}

/*
 * RFC 3629 decoding, one code point at a time. After each byte of a sequence
 * it asks whether any completion of the bytes read so far is a valid code
 * point; the first byte for which none is, is the fail-fast error offset.
 * Returns WS_OK (*off = n), WS_E_UTF8_INVALID (*off = that byte) or
 * WS_E_UTF8_TRUNCATED (*off = n).
 */
static int ref_validate(const uint8_t *s, size_t n, size_t *off)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        size_t len;
        uint32_t cp, min;
        if (b < 0x80) {
            i++;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2, cp = b & 0x1Fu, min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3, cp = b & 0x0Fu, min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4, cp = b & 0x07u, min = 0x10000;
        } else {
            *off = i; /* continuation byte, or a 5/6-byte or impossible lead */
            return WS_E_UTF8_INVALID;
        }
        for (size_t k = 1;; k++) {
            unsigned rest = 6 * (unsigned)(len - k);
            uint32_t lo = cp << rest, hi = lo | ((1u << rest) - 1);
            if (!ref_reachable(lo, hi, min)) {
                *off = i + k - 1;
                return WS_E_UTF8_INVALID;
            }
            if (k == len)
                break;
            if (i + k == n) {
                *off = n;
                return WS_E_UTF8_TRUNCATED;
            }
            uint8_t c = s[i + k];
            if ((c & 0xC0) != 0x80) {
                *off = i + k;
                return WS_E_UTF8_INVALID;
            }
            cp = cp << 6 | (c & 0x3Fu);
        }
        i += len;
    }
    *off = n;
    return WS_OK;
}

/* ------------------------------------------------------------------------ */
/* Guarded copies                                                           */

/* One guarded region per small length, reused: one mmap per piece would
 * make the exhaustive runs crawl. */
#define POOL_MAX 1024
static guarded pool[POOL_MAX + 1];

static void pool_init(void)
{
    static const uint8_t zeros[POOL_MAX];
    for (size_t n = 0; n <= POOL_MAX; n++)
        pool[n] = guard_copy(zeros, n);
}

static void pool_free(void)
{
    for (size_t n = 0; n <= POOL_MAX; n++)
        guard_free(&pool[n]);
}

/* A copy of src[0..n) that ends right before an unreadable page; valid until
 * the next place() of the same length or release(). */
typedef struct placed {
    const uint8_t *data;
    guarded own;
} placed;

static placed place(const uint8_t *src, size_t n)
{
    placed p;
    if (n <= POOL_MAX) {
        if (n)
            memcpy(pool[n].data, src, n);
        p.data = pool[n].data;
        p.own.map = NULL;
    } else {
        p.own = guard_copy(src, n);
        p.data = p.own.data;
    }
    return p;
}

static void release(placed *p)
{
    if (p->own.map != NULL)
        guard_free(&p->own);
}

/* ------------------------------------------------------------------------ */
/* Running the codec                                                        */

static int oneshot(const uint8_t *in, size_t n, size_t *off)
{
    placed p = place(in, n);
    *off = (size_t)-1;
    int rc = ws_utf8_validate(p.data, n, off);
    release(&p);
    return rc;
}

/*
 * Feeds in[0..n) as pieces ending at ends[0] <= ends[1] <= ... = n and
 * returns the verdict with *off as ws_utf8_validate() defines it. Checks the
 * per-call contract on the way: WS_OK leaves offset = bytes fed, the call
 * that fails reports an offset inside its own piece, and the failure is
 * sticky (same value, same offset, finish agrees). *contract is set to 0 if
 * any of that does not hold.
 */
static int pieces(const uint8_t *in, size_t n, const size_t *ends, size_t count, size_t *off,
                  int *contract)
{
    ws_utf8 v;
    int rc = WS_OK;
    size_t start = 0, err = 0;

    ws_utf8_init(&v);
    for (size_t k = 0; k < count; k++) {
        size_t end = ends[k];
        placed p = place(in + start, end - start);
        int r = ws_utf8_feed(&v, p.data, end - start);
        release(&p);
        if (rc == WS_OK) {
            if (r == WS_OK) {
                if (v.offset != end)
                    *contract = 0;
            } else if (r == WS_E_UTF8_INVALID) {
                if (v.offset < start || v.offset >= end)
                    *contract = 0;
                rc = r;
                err = (size_t)v.offset;
            } else {
                *contract = 0;
                rc = r;
                err = (size_t)v.offset;
            }
        } else if (r != WS_E_UTF8_INVALID || v.offset != err) {
            *contract = 0;
        }
        start = end;
    }
    if (rc != WS_OK) {
        if (ws_utf8_finish(&v) != WS_E_UTF8_INVALID)
            *contract = 0;
        *off = err;
        return rc;
    }
    rc = ws_utf8_finish(&v);
    if ((rc == WS_OK) != (v.state == 0))
        *contract = 0;
    *off = n;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Comparing with the reference                                             */

typedef struct stats {
    const char *what;
    unsigned long inputs, valid;
    unsigned long bad_oneshot, bad_split, bad_bytewise, bad_contract, bad_expect;
    int shown;
} stats;

static void show(stats *st, const char *how, const uint8_t *in, size_t n, int want_rc,
                 size_t want_off, int rc, size_t off)
{
    if (st->shown >= 5)
        return;
    st->shown++;
    char hex[3 * 48 + 8] = "";
    size_t shown = n < 48 ? n : 48;
    for (size_t i = 0; i < shown; i++)
        snprintf(hex + 3 * i, 4, "%02x ", in[i]);
    tap_diag("%s, %s: input (%zu bytes) %s%s: want %d@%zu, got %d@%zu", st->what, how, n, hex,
             n > shown ? "..." : "", want_rc, want_off, rc, off);
}

static int agree(int want_rc, size_t want_off, int rc, size_t off)
{
    return rc == want_rc && (rc == WS_OK || off == want_off);
}

enum { SPLIT_ALL = 1, BYTEWISE = 2 };

/* Piece ends 1, 2, 3, ...: feeding one byte at a time. */
#define MAX_INPUT 8192
static size_t byte_ends[MAX_INPUT];

/*
 * Checks one input: one shot; in two pieces at every cut (SPLIT_ALL) or at
 * the given cuts; byte by byte (BYTEWISE). Returns the reference verdict.
 */
static int check_input(stats *st, const uint8_t *in, size_t n, int flags, const size_t *cuts,
                       size_t ncuts)
{
    size_t want_off, off, ends[2];
    int contract = 1;
    int want = ref_validate(in, n, &want_off);
    int rc = oneshot(in, n, &off);

    if (n > MAX_INPUT)
        abort();
    st->inputs++;
    st->valid += want == WS_OK;
    if (!agree(want, want_off, rc, off)) {
        st->bad_oneshot++;
        show(st, "one shot", in, n, want, want_off, rc, off);
    }

    size_t total = (flags & SPLIT_ALL) ? n + 1 : ncuts;
    for (size_t c = 0; c < total; c++) {
        size_t cut = (flags & SPLIT_ALL) ? c : cuts[c];
        if (cut > n)
            continue;
        ends[0] = cut;
        ends[1] = n;
        rc = pieces(in, n, ends, 2, &off, &contract);
        if (!agree(want, want_off, rc, off)) {
            st->bad_split++;
            show(st, "split", in, n, want, want_off, rc, off);
        }
    }

    if (flags & BYTEWISE) {
        rc = pieces(in, n, byte_ends, n, &off, &contract);
        if (!agree(want, want_off, rc, off)) {
            st->bad_bytewise++;
            show(st, "byte by byte", in, n, want, want_off, rc, off);
        }
    }

    if (!contract) {
        st->bad_contract++;
        show(st, "per-call contract", in, n, want, want_off, -1, 0);
    }
    return want;
}

static void report(const stats *st)
{
    ok(st->bad_oneshot == 0, "%s: one shot agrees with the reference on %lu inputs (%lu valid)",
       st->what, st->inputs, st->valid);
    ok(st->bad_split == 0, "%s: split in two pieces agrees", st->what);
    ok(st->bad_bytewise == 0, "%s: byte by byte agrees", st->what);
    ok(st->bad_contract == 0, "%s: per-call offsets and sticky errors hold", st->what);
    if (st->bad_oneshot || st->bad_split || st->bad_bytewise || st->bad_contract)
        tap_diag("%s: %lu one-shot, %lu split, %lu byte-by-byte, %lu contract mismatches",
                 st->what, st->bad_oneshot, st->bad_split, st->bad_bytewise, st->bad_contract);
}

/* ------------------------------------------------------------------------ */
/* Fixed-seed PRNG                                                          */

static uint64_t rng = UINT64_C(0x2545F4914F6CDD1D);

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

/* Bytes at the edges of the RFC 3629 ranges. */
static const uint8_t edge_bytes[] = {
    0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
    0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF,
};
#define EDGE_COUNT (sizeof edge_bytes / sizeof edge_bytes[0])

/* Mostly lead and continuation bytes, often at a range edge. */
static uint8_t biased_byte(void)
{
    uint64_t r = rnd();
    switch (r % 8) {
    case 0:
        return (uint8_t)((r >> 8) & 0x7F);
    case 1:
    case 2:
    case 3:
        return (uint8_t)(0x80 | ((r >> 8) & 0x3F));
    case 4:
    case 5:
        return (uint8_t)(0xC0 | ((r >> 8) & 0x3F));
    default:
        return edge_bytes[(r >> 8) % EDGE_COUNT];
    }
}

/* Appends one valid character of a random length; returns its length. */
static size_t put_char(uint8_t *out)
{
    uint64_t r = rnd();
    uint32_t cp;
    switch (r % 4) {
    case 0:
        cp = (uint32_t)(r >> 8) % 0x80;
        break;
    case 1:
        cp = 0x80 + (uint32_t)(r >> 8) % 0x780;
        break;
    case 2:
        cp = 0x800 + (uint32_t)(r >> 8) % 0xF800;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp -= 0x800;
        break;
    default:
        cp = 0x10000 + (uint32_t)(r >> 8) % 0x100000;
        break;
    }
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Valid text of at least n bytes (at most n + 3); returns its length. */
static size_t valid_text(uint8_t *out, size_t n, size_t *starts, size_t *nstarts)
{
    size_t len = 0, count = 0;
    while (len < n) {
        if (starts)
            starts[count++] = len;
        len += put_char(out + len);
    }
    if (nstarts)
        *nstarts = count;
    return len;
}

/* ------------------------------------------------------------------------ */
/* Exhaustive and random                                                    */

static void test_exhaustive(void)
{
    uint8_t in[4];
    stats s1 = {.what = "all 1-byte inputs"};
    stats s2 = {.what = "all 2-byte inputs"};
    stats s3 = {.what = "all 3-byte inputs"};

    for (unsigned a = 0; a < 256; a++) {
        in[0] = (uint8_t)a;
        check_input(&s1, in, 1, SPLIT_ALL | BYTEWISE, NULL, 0);
    }
    for (unsigned a = 0; a < 1u << 16; a++) {
        in[0] = (uint8_t)(a >> 8), in[1] = (uint8_t)a;
        check_input(&s2, in, 2, SPLIT_ALL | BYTEWISE, NULL, 0);
    }
    /* Under valgrind a stride co-prime with 256 still visits every value of
     * every byte. */
    unsigned stride = under_valgrind ? 251 : 1;
    if (under_valgrind)
        s3.what = "3-byte inputs (strided)";
    for (unsigned a = 0; a < 1u << 24; a += stride) {
        in[0] = (uint8_t)(a >> 16), in[1] = (uint8_t)(a >> 8), in[2] = (uint8_t)a;
        check_input(&s3, in, 3, SPLIT_ALL | BYTEWISE, NULL, 0);
    }
    report(&s1);
    report(&s2);
    report(&s3);

    /* Counted independently: 128 ASCII; 128^2 + 30*64 two-byte strings;
     * 128^3, two ways to pair ASCII with a 2-byte character, and the 61440
     * three-byte scalar values U+0800..U+FFFF outside the surrogates. */
    is_int(s1.valid, 128, "reference: 128 valid 1-byte strings");
    is_int(s2.valid, 128 * 128 + 30 * 64, "reference: 18304 valid 2-byte strings");
    if (!under_valgrind)
        is_int(s3.valid, 128L * 128 * 128 + 2L * 128 * 30 * 64 + 61440,
               "reference: 2650112 valid 3-byte strings");

    /* Every 4-byte string over the range-edge bytes covers every pair of
     * DFA state and byte class. */
    stats s4 = {.what = "4-byte strings of range-edge bytes"};
    size_t e = EDGE_COUNT, total = e * e * e * e;
    for (size_t k = 0; k < total; k += under_valgrind ? 7 : 1) {
        in[0] = edge_bytes[k % e];
        in[1] = edge_bytes[k / e % e];
        in[2] = edge_bytes[k / e / e % e];
        in[3] = edge_bytes[k / e / e / e];
        check_input(&s4, in, 4, SPLIT_ALL | BYTEWISE, NULL, 0);
    }
    report(&s4);
}

static void test_random_short(void)
{
    uint8_t in[16];
    stats st = {.what = "random 4-12-byte strings"};
    stats sv = {.what = "random valid text, mutated or cut"};
    unsigned long count = under_valgrind ? 15000 : 300000;

    for (unsigned long k = 0; k < count; k++) {
        size_t n = 4 + rnd_below(9);
        for (size_t i = 0; i < n; i++)
            in[i] = biased_byte();
        check_input(&st, in, n, SPLIT_ALL | BYTEWISE, NULL, 0);

        n = valid_text(in, 4 + rnd_below(9), NULL, NULL);
        if (n > 12)
            n = 12; /* may cut a character: truncated */
        switch (rnd() % 3) {
        case 0:
            in[rnd_below(n)] = biased_byte();
            break;
        case 1:
            in[rnd_below(n)] ^= (uint8_t)(1u << rnd_below(8));
            break;
        default:
            break;
        }
        check_input(&sv, in, n, SPLIT_ALL | BYTEWISE, NULL, 0);
    }
    report(&st);
    report(&sv);
    ok(st.valid > 0 && st.valid < st.inputs && sv.valid > sv.inputs / 4,
       "random inputs mix valid and invalid (%lu/%lu and %lu/%lu valid)", st.valid, st.inputs,
       sv.valid, sv.inputs);
}

/* ------------------------------------------------------------------------ */
/* Autobahn section 6                                                       */

enum { AB_VALID, AB_INVALID, AB_TRUNCATED };

static const struct ab_case {
    const char *id;
    const char *bytes;
    size_t len;
    int expect;
    size_t fail_at; /* AB_INVALID: the fail-fast offset */
} ab_cases[] = {
    {"6.1.1", "", 0, AB_VALID, 0},
    {"6.2.1", "\x48\x65\x6c\x6c\x6f\x2d\xc2\xb5\x40\xc3\x9f\xc3\xb6\xc3\xa4\xc3"
          "\xbc\xc3\xa0\xc3\xa1\x2d\x55\x54\x46\x2d\x38\x21\x21", 29, AB_VALID, 0},
    {"6.2.4", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, AB_VALID, 0},
    {"6.3.1", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64"
          "\x69\x74\x65\x64", 20, AB_INVALID, 12},
    {"6.4.1", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65"
          "\x64\x69\x74\x65\x64", 21, AB_INVALID, 12},
    {"6.5.1", "\x68\x65\x6c\x6c\x6f\x24\x77\x6f\x72\x6c\x64", 11, AB_VALID, 0},
    {"6.5.2", "\x68\x65\x6c\x6c\x6f\xc2\xa2\x77\x6f\x72\x6c\x64", 12, AB_VALID, 0},
    {"6.5.3", "\x68\x65\x6c\x6c\x6f\xe2\x82\xac\x77\x6f\x72\x6c\x64", 13, AB_VALID, 0},
    {"6.5.4", "\x68\x65\x6c\x6c\x6f\xf0\xa4\xad\xa2\x77\x6f\x72\x6c\x64", 14, AB_VALID, 0},
    {"6.5.5", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, AB_VALID, 0},
    {"6.6.1", "\xce", 1, AB_TRUNCATED, 1},
    {"6.6.2", "\xce\xba", 2, AB_VALID, 0},
    {"6.6.3", "\xce\xba\xe1", 3, AB_TRUNCATED, 3},
    {"6.6.4", "\xce\xba\xe1\xbd", 4, AB_TRUNCATED, 4},
    {"6.6.5", "\xce\xba\xe1\xbd\xb9", 5, AB_VALID, 0},
    {"6.6.6", "\xce\xba\xe1\xbd\xb9\xcf", 6, AB_TRUNCATED, 6},
    {"6.6.7", "\xce\xba\xe1\xbd\xb9\xcf\x83", 7, AB_VALID, 0},
    {"6.6.8", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce", 8, AB_TRUNCATED, 8},
    {"6.6.9", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc", 9, AB_VALID, 0},
    {"6.6.10", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce", 10, AB_TRUNCATED, 10},
    {"6.6.11", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, AB_VALID, 0},
    {"6.7.1", "\x00", 1, AB_VALID, 0},
    {"6.7.2", "\xc2\x80", 2, AB_VALID, 0},
    {"6.7.3", "\xe0\xa0\x80", 3, AB_VALID, 0},
    {"6.7.4", "\xf0\x90\x80\x80", 4, AB_VALID, 0},
    {"6.8.1", "\xf8\x88\x80\x80\x80", 5, AB_INVALID, 0},
    {"6.8.2", "\xfc\x84\x80\x80\x80\x80", 6, AB_INVALID, 0},
    {"6.9.1", "\x7f", 1, AB_VALID, 0},
    {"6.9.2", "\xdf\xbf", 2, AB_VALID, 0},
    {"6.9.3", "\xef\xbf\xbf", 3, AB_VALID, 0},
    {"6.9.4", "\xf4\x8f\xbf\xbf", 4, AB_VALID, 0},
    {"6.10.1", "\xf7\xbf\xbf\xbf", 4, AB_INVALID, 0},
    {"6.10.2", "\xfb\xbf\xbf\xbf\xbf", 5, AB_INVALID, 0},
    {"6.10.3", "\xfd\xbf\xbf\xbf\xbf\xbf", 6, AB_INVALID, 0},
    {"6.11.1", "\xed\x9f\xbf", 3, AB_VALID, 0},
    {"6.11.2", "\xee\x80\x80", 3, AB_VALID, 0},
    {"6.11.3", "\xef\xbf\xbd", 3, AB_VALID, 0},
    {"6.11.4", "\xf4\x8f\xbf\xbf", 4, AB_VALID, 0},
    {"6.11.5", "\xf4\x90\x80\x80", 4, AB_INVALID, 1},
    {"6.12.1", "\x80", 1, AB_INVALID, 0},
    {"6.12.2", "\xbf", 1, AB_INVALID, 0},
    {"6.12.3", "\x80\xbf", 2, AB_INVALID, 0},
    {"6.12.4", "\x80\xbf\x80", 3, AB_INVALID, 0},
    {"6.12.5", "\x80\xbf\x80\xbf", 4, AB_INVALID, 0},
    {"6.12.6", "\x80\xbf\x80\xbf\x80", 5, AB_INVALID, 0},
    {"6.12.7", "\x80\xbf\x80\xbf\x80\xbf", 6, AB_INVALID, 0},
    {"6.12.8", "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
          "\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
          "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf"
          "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe", 63, AB_INVALID, 0},
    {"6.13.1", "\xc0\x20\xc1\x20\xc2\x20\xc3\x20\xc4\x20\xc5\x20\xc6\x20\xc7\x20"
          "\xc8\x20\xc9\x20\xca\x20\xcb\x20\xcc\x20\xcd\x20\xce\x20\xcf\x20"
          "\xd0\x20\xd1\x20\xd2\x20\xd3\x20\xd4\x20\xd5\x20\xd6\x20\xd7\x20"
          "\xd8\x20\xd9\x20\xda\x20\xdb\x20\xdc\x20\xdd\x20\xde\x20", 62, AB_INVALID, 0},
    {"6.13.2", "\xe0\x20\xe1\x20\xe2\x20\xe3\x20\xe4\x20\xe5\x20\xe6\x20\xe7\x20"
          "\xe8\x20\xe9\x20\xea\x20\xeb\x20\xec\x20\xed\x20\xee\x20", 30, AB_INVALID, 1},
    {"6.13.3", "\xf0\x20\xf1\x20\xf2\x20\xf3\x20\xf4\x20\xf5\x20\xf6\x20", 14, AB_INVALID, 1},
    {"6.13.4", "\xf8\x20\xf9\x20\xfa\x20", 6, AB_INVALID, 0},
    {"6.13.5", "\xfc\x20", 2, AB_INVALID, 0},
    {"6.14.1", "\xc0", 1, AB_INVALID, 0},
    {"6.14.2", "\xe0\x80", 2, AB_INVALID, 1},
    {"6.14.3", "\xf0\x80\x80", 3, AB_INVALID, 1},
    {"6.14.4", "\xf8\x80\x80\x80", 4, AB_INVALID, 0},
    {"6.14.5", "\xfc\x80\x80\x80\x80", 5, AB_INVALID, 0},
    {"6.14.6", "\xdf", 1, AB_TRUNCATED, 1},
    {"6.14.7", "\xef\xbf", 2, AB_TRUNCATED, 2},
    {"6.14.8", "\xf7\xbf\xbf", 3, AB_INVALID, 0},
    {"6.14.9", "\xfb\xbf\xbf\xbf", 4, AB_INVALID, 0},
    {"6.14.10", "\xfd\xbf\xbf\xbf\xbf", 5, AB_INVALID, 0},
    {"6.15.1", "\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf"
          "\xef\xbf\xf7\xbf\xbf\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf", 30, AB_INVALID, 0},
    {"6.16.1", "\xfe", 1, AB_INVALID, 0},
    {"6.16.2", "\xff", 1, AB_INVALID, 0},
    {"6.16.3", "\xfe\xfe\xff\xff", 4, AB_INVALID, 0},
    {"6.17.1", "\xc0\xaf", 2, AB_INVALID, 0},
    {"6.17.2", "\xe0\x80\xaf", 3, AB_INVALID, 1},
    {"6.17.3", "\xf0\x80\x80\xaf", 4, AB_INVALID, 1},
    {"6.17.4", "\xf8\x80\x80\x80\xaf", 5, AB_INVALID, 0},
    {"6.17.5", "\xfc\x80\x80\x80\x80\xaf", 6, AB_INVALID, 0},
    {"6.18.1", "\xc1\xbf", 2, AB_INVALID, 0},
    {"6.18.2", "\xe0\x9f\xbf", 3, AB_INVALID, 1},
    {"6.18.3", "\xf0\x8f\xbf\xbf", 4, AB_INVALID, 1},
    {"6.18.4", "\xf8\x87\xbf\xbf\xbf", 5, AB_INVALID, 0},
    {"6.18.5", "\xfc\x83\xbf\xbf\xbf\xbf", 6, AB_INVALID, 0},
    {"6.19.1", "\xc0\x80", 2, AB_INVALID, 0},
    {"6.19.2", "\xe0\x80\x80", 3, AB_INVALID, 1},
    {"6.19.3", "\xf0\x80\x80\x80", 4, AB_INVALID, 1},
    {"6.19.4", "\xf8\x80\x80\x80\x80", 5, AB_INVALID, 0},
    {"6.19.5", "\xfc\x80\x80\x80\x80\x80", 6, AB_INVALID, 0},
    {"6.20.1", "\xed\xa0\x80", 3, AB_INVALID, 1},
    {"6.20.2", "\xed\xad\xbf", 3, AB_INVALID, 1},
    {"6.20.3", "\xed\xae\x80", 3, AB_INVALID, 1},
    {"6.20.4", "\xed\xaf\xbf", 3, AB_INVALID, 1},
    {"6.20.5", "\xed\xb0\x80", 3, AB_INVALID, 1},
    {"6.20.6", "\xed\xbe\x80", 3, AB_INVALID, 1},
    {"6.20.7", "\xed\xbf\xbf", 3, AB_INVALID, 1},
    {"6.21.1", "\xed\xa0\x80\xed\xb0\x80", 6, AB_INVALID, 1},
    {"6.21.2", "\xed\xa0\x80\xed\xbf\xbf", 6, AB_INVALID, 1},
    {"6.21.3", "\xed\xad\xbf\xed\xb0\x80", 6, AB_INVALID, 1},
    {"6.21.4", "\xed\xad\xbf\xed\xbf\xbf", 6, AB_INVALID, 1},
    {"6.21.5", "\xed\xae\x80\xed\xb0\x80", 6, AB_INVALID, 1},
    {"6.21.6", "\xed\xae\x80\xed\xbf\xbf", 6, AB_INVALID, 1},
    {"6.21.7", "\xed\xaf\xbf\xed\xb0\x80", 6, AB_INVALID, 1},
    {"6.21.8", "\xed\xaf\xbf\xed\xbf\xbf", 6, AB_INVALID, 1},
    {"6.22.1", "\xef\xbf\xbe", 3, AB_VALID, 0},
    {"6.22.2", "\xef\xbf\xbf", 3, AB_VALID, 0},
    {"6.22.3", "\xf0\x9f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.4", "\xf0\x9f\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.5", "\xf0\xaf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.6", "\xf0\xaf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.7", "\xf0\xbf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.8", "\xf0\xbf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.9", "\xf1\x8f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.10", "\xf1\x8f\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.11", "\xf1\x9f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.12", "\xf1\x9f\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.13", "\xf1\xaf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.14", "\xf1\xaf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.15", "\xf1\xbf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.16", "\xf1\xbf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.17", "\xf2\x8f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.18", "\xf2\x8f\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.19", "\xf2\x9f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.20", "\xf2\x9f\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.21", "\xf2\xaf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.22", "\xf2\xaf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.23", "\xf2\xbf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.24", "\xf2\xbf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.25", "\xf3\x8f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.26", "\xf3\x8f\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.27", "\xf3\x9f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.28", "\xf3\x9f\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.29", "\xf3\xaf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.30", "\xf3\xaf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.31", "\xf3\xbf\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.32", "\xf3\xbf\xbf\xbf", 4, AB_VALID, 0},
    {"6.22.33", "\xf4\x8f\xbf\xbe", 4, AB_VALID, 0},
    {"6.22.34", "\xf4\x8f\xbf\xbf", 4, AB_VALID, 0},
    {"6.23.1", "\xef\xbf\xb9", 3, AB_VALID, 0},
    {"6.23.2", "\xef\xbf\xba", 3, AB_VALID, 0},
    {"6.23.3", "\xef\xbf\xbb", 3, AB_VALID, 0},
    {"6.23.4", "\xef\xbf\xbc", 3, AB_VALID, 0},
    {"6.23.5", "\xef\xbf\xbd", 3, AB_VALID, 0},
    {"6.23.6", "\xef\xbf\xbe", 3, AB_VALID, 0},
    {"6.23.7", "\xef\xbf\xbf", 3, AB_VALID, 0},
};
#define AB_COUNT (sizeof ab_cases / sizeof ab_cases[0])

static void test_autobahn(void)
{
    static const int rc_of[] = {WS_OK, WS_E_UTF8_INVALID, WS_E_UTF8_TRUNCATED};
    stats st = {.what = "Autobahn 6.x payloads"};
    int valid = 0, invalid = 0;

    for (size_t k = 0; k < AB_COUNT; k++) {
        const struct ab_case *c = &ab_cases[k];
        const uint8_t *in = (const uint8_t *)c->bytes;
        int want = rc_of[c->expect];
        size_t want_off = c->expect == AB_INVALID ? c->fail_at : c->len, off, ref_off;

        int rc = oneshot(in, c->len, &off);
        if (c->expect == AB_INVALID)
            ok(agree(want, want_off, rc, off), "Autobahn %s: invalid at byte %zu", c->id,
               want_off);
        else
            ok(agree(want, want_off, rc, off), "Autobahn %s: %s", c->id,
               c->expect == AB_VALID ? "valid" : "truncated");
        if (!agree(want, want_off, rc, off))
            tap_diag("     want %d@%zu, got %d@%zu", want, want_off, rc, off);
        int ref = ref_validate(in, c->len, &ref_off);
        ok(agree(want, want_off, ref, ref_off), "Autobahn %s: the reference agrees", c->id);

        /* 6.2.3 and 6.2.4 deliver payloads in 1-byte fragments. */
        check_input(&st, in, c->len, SPLIT_ALL | BYTEWISE, NULL, 0);
        long section = strtol(c->id + 2, NULL, 10);
        if (section >= 5) {
            valid += c->expect == AB_VALID;
            invalid += c->expect != AB_VALID;
        }
    }
    report(&st);
    ok(valid == 63 && invalid == 69, "6.5-6.23: 63 valid and 69 invalid cases, as listed");
}

/* 6.4.x: the message fails on the frame or chunk that makes it invalid. */
static void test_fail_fast_pieces(void)
{
    static const uint8_t msg[] = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
                                 "\xf4\x90\x80\x80"
                                 "\x65\x64\x69\x74\x65\x64";
    static const struct {
        const char *id;
        size_t first, second;
    } cut[] = {{"6.4.1/6.4.3", 11, 4}, {"6.4.2/6.4.4", 12, 1}};

    for (size_t k = 0; k < 2; k++) {
        ws_utf8 v;
        size_t a = cut[k].first, b = cut[k].second;
        placed p;
        ws_utf8_init(&v);
        p = place(msg, a);
        is_int(ws_utf8_feed(&v, p.data, a), WS_OK, "%s: first part accepted", cut[k].id);
        p = place(msg + a, b);
        is_int(ws_utf8_feed(&v, p.data, b), WS_E_UTF8_INVALID, "%s: second part fails at once",
               cut[k].id);
        is_int(v.offset, 12, "%s: at the 0x90 after F4", cut[k].id);
        p = place(msg + a + b, sizeof msg - 1 - a - b);
        is_int(ws_utf8_feed(&v, p.data, sizeof msg - 1 - a - b), WS_E_UTF8_INVALID,
               "%s: third part still fails", cut[k].id);
        is_int(v.offset, 12, "%s: offset unchanged", cut[k].id);
    }

    /* A prefix fails as soon as no continuation can rescue it, and not
     * before. */
    static const struct {
        const char *bytes;
        size_t len;
        int rc;
        uint64_t off;
        const char *why;
    } pre[] = {
        {"\xed\xa0", 2, WS_E_UTF8_INVALID, 1, "ED A0: surrogate, fails at A0"},
        {"\xed\x9f", 2, WS_OK, 2, "ED 9F: may become U+D7C0..U+D7FF"},
        {"\xf4\x90", 2, WS_E_UTF8_INVALID, 1, "F4 90: above U+10FFFF, fails at 90"},
        {"\xf4\x8f", 2, WS_OK, 2, "F4 8F: may become U+10FFFF"},
        {"\xe0\x80", 2, WS_E_UTF8_INVALID, 1, "E0 80: overlong, fails at 80"},
        {"\xe0\x9f", 2, WS_E_UTF8_INVALID, 1, "E0 9F: overlong, fails at 9F"},
        {"\xe0\xa0", 2, WS_OK, 2, "E0 A0: may become U+0800"},
        {"\xf0\x8f", 2, WS_E_UTF8_INVALID, 1, "F0 8F: overlong, fails at 8F"},
        {"\xf0\x90", 2, WS_OK, 2, "F0 90: may become U+10000"},
        {"\xc0", 1, WS_E_UTF8_INVALID, 0, "C0: can start nothing, fails on itself"},
        {"\xc1", 1, WS_E_UTF8_INVALID, 0, "C1: can start nothing"},
        {"\xc2", 1, WS_OK, 1, "C2: may become U+0080"},
        {"\xf5", 1, WS_E_UTF8_INVALID, 0, "F5: would exceed U+10FFFF"},
        {"\xf4", 1, WS_OK, 1, "F4: may become U+100000"},
        {"\xf8", 1, WS_E_UTF8_INVALID, 0, "F8: 5-byte form"},
        {"\x80", 1, WS_E_UTF8_INVALID, 0, "80: stray continuation"},
        {"\xe2\x82", 2, WS_OK, 2, "E2 82: may become U+20AC"},
        {"\xe2\x82\x41", 3, WS_E_UTF8_INVALID, 2, "E2 82 41: fails at the ASCII byte"},
        {"\xf0\x9f\x98", 3, WS_OK, 3, "F0 9F 98: may become U+1F600"},
    };
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
        ws_utf8 v;
        placed p = place((const uint8_t *)pre[k].bytes, pre[k].len);
        ws_utf8_init(&v);
        int rc = ws_utf8_feed(&v, p.data, pre[k].len);
        ok(rc == pre[k].rc && v.offset == pre[k].off, "feed %s", pre[k].why);
        if (rc != pre[k].rc || v.offset != pre[k].off)
            tap_diag("     got %d, offset %llu", rc, (unsigned long long)v.offset);
    }
}

/* ------------------------------------------------------------------------ */
/* Long buffers                                                             */

static const struct needle {
    const char *bytes;
    size_t len;
    int fails_at;        /* offset of the failure inside, or -1 */
    int needs_more;      /* fails at len if followed by a character, truncated at the end */
} needles[] = {
    {"\x80", 1, 0, 0},
    {"\xbf", 1, 0, 0},
    {"\xff", 1, 0, 0},
    {"\xc0\xaf", 2, 0, 0},
    {"\xe0\x80\xaf", 3, 1, 0},
    {"\xed\xa0\x80", 3, 1, 0},
    {"\xf4\x90\x80\x80", 4, 1, 0},
    {"\xc3", 1, -1, 1},
    {"\xf0\x9f\x98", 3, -1, 1},
    {"\xc3\xa9", 2, -1, 0},
    {"\xe2\x82\xac", 3, -1, 0},
    {"\xf0\x9f\x98\x80", 4, -1, 0},
    {"\xf4\x8f\xbf\xbf", 4, -1, 0},
};
#define NEEDLE_COUNT (sizeof needles / sizeof needles[0])

/* What a needle at pos in an otherwise valid buffer of n bytes must give. */
static void needle_expect(const struct needle *nd, size_t pos, size_t n, int *rc, size_t *off)
{
    if (nd->fails_at >= 0) {
        *rc = WS_E_UTF8_INVALID;
        *off = pos + (size_t)nd->fails_at;
    } else if (nd->needs_more) {
        *rc = pos + nd->len == n ? WS_E_UTF8_TRUNCATED : WS_E_UTF8_INVALID;
        *off = pos + nd->len;
    } else {
        *rc = WS_OK;
        *off = n;
    }
}

static void test_long_ascii(void)
{
    static uint8_t buf[4096 + 256];
    static const size_t tails[] = {0, 1, 15, 16, 17, 70};
    stats st = {.what = "ASCII with one needle near the start and near 4096"};
    size_t positions[101 + 81], npos = 0;
    unsigned long wrong = 0;

    for (size_t p = 0; p <= 100; p++)
        positions[npos++] = p;
    for (size_t p = 4096 - 40; p <= 4096 + 40; p++)
        positions[npos++] = p;

    for (size_t k = 0; k < NEEDLE_COUNT; k++)
        for (size_t q = 0; q < npos; q++)
            for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
                const struct needle *nd = &needles[k];
                size_t pos = positions[q], n = pos + nd->len + tails[t];
                for (size_t i = 0; i < n; i++)
                    buf[i] = (uint8_t)(' ' + (i * 7 + k) % 95);
                memcpy(buf + pos, nd->bytes, nd->len);

                int want;
                size_t want_off, off;
                needle_expect(nd, pos, n, &want, &want_off);
                int rc = oneshot(buf, n, &off);
                if (!agree(want, want_off, rc, off)) {
                    wrong++;
                    show(&st, "expected", buf, n, want, want_off, rc, off);
                }
                size_t cuts[] = {1,        pos,  pos + 1, pos + nd->len - 1, pos + nd->len,
                                 15,       16,   17,      64,                4095,
                                 4096,     4097, n - 1};
                int flags = under_valgrind && (t != 1 || q % 8) ? 0 : BYTEWISE;
                check_input(&st, buf, n, flags, cuts, sizeof cuts / sizeof cuts[0]);
            }
    ok(wrong == 0, "%s: every verdict and offset as placed (%lu inputs)", st.what, st.inputs);
    report(&st);
}

static void test_long_mixed(void)
{
    static uint8_t text[400], buf[420];
    static size_t starts[400];
    static const uint8_t replace[] = {0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5,
                                      0x41, 0x90, 0xA0};
    stats sn = {.what = "mixed text with a needle at each character"};
    stats sr = {.what = "mixed text with one byte replaced"};
    stats sp = {.what = "every prefix of mixed text"};
    size_t nstarts;
    size_t n = valid_text(text, 300, starts, &nstarts);
    unsigned long wrong = 0;
    int flags = under_valgrind ? 0 : SPLIT_ALL | BYTEWISE;
    size_t few[] = {1, 15, 16, 17, 31, 32, 33, 64, 100, 200};

    for (size_t k = 0; k < NEEDLE_COUNT; k++)
        for (size_t q = 0; q <= nstarts; q++) {
            const struct needle *nd = &needles[k];
            size_t pos = q < nstarts ? starts[q] : n;
            memcpy(buf, text, pos);
            memcpy(buf + pos, nd->bytes, nd->len);
            memcpy(buf + pos + nd->len, text + pos, n - pos);
            size_t m = n + nd->len, off, want_off;
            int want;
            needle_expect(nd, pos, m, &want, &want_off);
            int rc = oneshot(buf, m, &off);
            if (!agree(want, want_off, rc, off)) {
                wrong++;
                show(&sn, "expected", buf, m, want, want_off, rc, off);
            }
            check_input(&sn, buf, m, flags, few, sizeof few / sizeof few[0]);
        }
    ok(wrong == 0, "%s: every verdict and offset as placed (%lu inputs)", sn.what, sn.inputs);
    report(&sn);

    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof replace; k++) {
            memcpy(buf, text, n);
            buf[i] = replace[k];
            check_input(&sr, buf, n, flags, few, sizeof few / sizeof few[0]);
        }
    report(&sr);

    for (size_t i = 0; i <= n; i++)
        check_input(&sp, text, i, flags, few, sizeof few / sizeof few[0]);
    report(&sp);
}

/* Long random texts, mutated, fed in several random pieces. */
static void test_random_long(void)
{
    static uint8_t buf[1100];
    stats st = {.what = "random long texts in random pieces"};
    unsigned long bad = 0, count = under_valgrind ? 300 : 6000;
    int contract = 1;

    for (unsigned long k = 0; k < count; k++) {
        size_t n = valid_text(buf, 16 + rnd_below(1000), NULL, NULL);
        size_t muts = rnd_below(3);
        for (size_t m = 0; m < muts; m++)
            buf[rnd_below(n)] = biased_byte();
        if (rnd() % 4 == 0)
            n -= rnd_below(4); /* often inside a character */
        size_t cuts[] = {rnd_below(n + 1), rnd_below(n + 1), rnd_below(n + 1)};
        int want = check_input(&st, buf, n, k % 10 == 0 ? BYTEWISE : 0, cuts, 3);
        size_t want_off;
        ref_validate(buf, n, &want_off);

        for (int r = 0; r < 4; r++) {
            size_t ends[6], count_ends = 1 + rnd_below(5), off;
            for (size_t e = 0; e + 1 < count_ends; e++)
                ends[e] = rnd_below(n + 1);
            for (size_t a = 0; a + 1 < count_ends; a++) /* sort */
                for (size_t b = a + 1; b + 1 < count_ends; b++)
                    if (ends[b] < ends[a]) {
                        size_t x = ends[a];
                        ends[a] = ends[b];
                        ends[b] = x;
                    }
            ends[count_ends - 1] = n;
            int rc = pieces(buf, n, ends, count_ends, &off, &contract);
            if (!agree(want, want_off, rc, off)) {
                bad++;
                show(&st, "random pieces", buf, n, want, want_off, rc, off);
            }
        }
    }
    report(&st);
    ok(bad == 0 && contract, "%s: 2 to 5 random pieces agree", st.what);
}

/* ------------------------------------------------------------------------ */
/* API details                                                              */

static void test_api(void)
{
    ws_utf8 v;
    size_t off = 12345;
    placed p;

    is_int(ws_utf8_validate(NULL, 0, &off), WS_OK, "empty input is valid");
    is_int(ws_utf8_validate(NULL, 0, NULL), WS_OK, "error_offset may be NULL");
    p = place((const uint8_t *)"a\xff", 2);
    is_int(ws_utf8_validate(p.data, 2, NULL), WS_E_UTF8_INVALID,
           "an invalid input with a NULL error_offset");
    p = place((const uint8_t *)"ab\xe2\x82", 4);
    is_int(ws_utf8_validate(p.data, 4, &off), WS_E_UTF8_TRUNCATED, "a cut character is truncated");
    is_int(off, 4, "truncation is reported at len");

    v.state = 77;
    v.offset = 99;
    ws_utf8_init(&v);
    ok(v.state == 0 && v.offset == 0, "init: boundary state, offset 0");
    is_int(ws_utf8_finish(&v), WS_OK, "nothing fed is valid");
    is_int(ws_utf8_feed(&v, NULL, 0), WS_OK, "feeding nothing");

    p = place((const uint8_t *)"x\xe2\x82", 3);
    is_int(ws_utf8_feed(&v, p.data, 3), WS_OK, "a prefix that may still become valid");
    ok(v.state != 0, "state is not the boundary inside a character");
    is_int(v.offset, 3, "offset counts the bytes of the pending character");
    is_int(ws_utf8_finish(&v), WS_E_UTF8_TRUNCATED, "finish inside a character");
    p = place((const uint8_t *)"\xac", 1);
    is_int(ws_utf8_feed(&v, p.data, 1), WS_OK, "the last byte completes U+20AC");
    ok(v.state == 0, "back at the boundary");
    is_int(ws_utf8_finish(&v), WS_OK, "finish at the boundary");

    p = place((const uint8_t *)"ok\xc0\x80", 4);
    is_int(ws_utf8_feed(&v, p.data, 4), WS_E_UTF8_INVALID, "overlong NUL fails");
    is_int(v.offset, 6, "offset counts from the very first byte fed");
    p = place((const uint8_t *)"fine", 4);
    is_int(ws_utf8_feed(&v, p.data, 4), WS_E_UTF8_INVALID, "the error is sticky");
    is_int(ws_utf8_feed(&v, NULL, 0), WS_E_UTF8_INVALID, "sticky for an empty feed too");
    is_int(v.offset, 6, "offset kept");
    is_int(ws_utf8_finish(&v), WS_E_UTF8_INVALID, "finish after an error");
    ws_utf8_init(&v);
    is_int(ws_utf8_feed(&v, p.data, 4), WS_OK, "init starts over");

    /* Offsets past 4 GiB: the count is 64-bit. */
    ws_utf8_init(&v);
    v.offset = UINT64_C(5) << 30;
    p = place((const uint8_t *)"ab\xed\xbf", 4);
    is_int(ws_utf8_feed(&v, p.data, 4), WS_E_UTF8_INVALID, "error after 5 GiB");
    ok(v.offset == (UINT64_C(5) << 30) + 3, "offset 5 GiB + 3");
}

/* ws_utf8_decode against the validator: every first and second byte, the
 * boundaries of the continuation range for the third and fourth; the length
 * is where the validator first accepts the prefix, the code point encodes
 * back to the same bytes, and one byte fewer never decodes. */
static void test_decode(void)
{
    static const uint8_t tails[] = {0x7f, 0x80, 0xbf, 0xc0};
    size_t mismatches = 0, decoded = 0;
    for (unsigned b0 = 0; b0 < 256; b0++)
        for (unsigned b1 = 0; b1 < 256; b1++)
            for (size_t t = 0; t < 16; t++) {
                uint8_t buf[4] = {(uint8_t)b0, (uint8_t)b1, tails[t % 4], tails[t / 4]};
                size_t want = 0;
                for (size_t k = 1; k <= 4 && !want; k++) {
                    int rc = ws_utf8_validate(buf, k, NULL);
                    if (rc == WS_OK)
                        want = k;
                    else if (rc != WS_E_UTF8_TRUNCATED)
                        break;
                }
                uint32_t cp = 0;
                size_t got = ws_utf8_decode(buf, 4, &cp);
                uint8_t back[4];
                size_t m = cp < 0x80 ? (back[0] = (uint8_t)cp, 1)
                           : cp < 0x800 ? (back[0] = (uint8_t)(0xc0 | cp >> 6), 2)
                           : cp < 0x10000 ? (back[0] = (uint8_t)(0xe0 | cp >> 12), 3)
                                          : (back[0] = (uint8_t)(0xf0 | cp >> 18), 4);
                for (size_t i = 1; i < m; i++)
                    back[i] = (uint8_t)(0x80 | ((cp >> (6 * (m - 1 - i))) & 0x3f));
                uint32_t ignored;
                if (got != want || (got && (m != got || memcmp(back, buf, got) != 0)) ||
                    (got && ws_utf8_decode(buf, got - 1, &ignored) != 0))
                    mismatches++;
                decoded += got != 0;
            }
    is_int((long)mismatches, 0, "ws_utf8_decode agrees with the validator on 1M prefixes");
    ok(decoded > 100000, "and decodes characters of every length among them");
    uint32_t cp;
    is_int((long)ws_utf8_decode((const uint8_t *)"", 0, &cp), 0, "ws_utf8_decode of nothing is 0");
}

int main(void)
{
    under_valgrind = getenv("WSCONFORM_UNDER_VALGRIND") != NULL;
    pool_init();
    for (size_t i = 0; i < MAX_INPUT; i++)
        byte_ends[i] = i + 1;
    test_api();
    test_fail_fast_pieces();
    test_autobahn();
    test_long_ascii();
    test_long_mixed();
    test_random_long();
    test_random_short();
    test_exhaustive();
    test_decode();
    pool_free();
    return done_testing();
}
