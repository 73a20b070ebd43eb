/*
 * Incremental UTF-8 validation (RFC 3629 section 4, required for text
 * messages by RFC 6455 section 8.1).
 *
 * The validator is the minimal DFA for the RFC 3629 grammar. Its states
 * remember exactly which bytes may come next, so it enters the error state on
 * the first byte after which no continuation could make the input valid
 * (fail-fast): "ED A0" fails at the A0, "F4 90" at the 90, "E0 80" at the 80,
 * and C0, C1 and F5..FF fail on themselves since they start nothing. A strict
 * receiver must fail a text message that early even when it arrives in
 * pieces (Autobahn cases 6.4.x grade a later failure as non-strict).
 *
 * The DFA is "shift-based": the transitions of every state on byte b are
 * packed into one 64-bit word, each state being the bit position of its own
 * 6-bit field. One step is then a table load that does not depend on the
 * state, plus one shift: a short serial dependency, and no branch on the
 * data, which would mispredict on text that mixes sequence lengths. Runs of
 * ASCII at a character boundary are skipped 16 bytes at a time.
 */
#include "wscodec/utf8.h"

#include <string.h>

#include "wscodec/error.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* States are bit offsets of 6-bit fields; 0 must be the boundary state. */
enum {
    S_ACCEPT = 0, /* at a character boundary */
    S_ERROR = 6,  /* absorbing */
    S_TAIL1 = 12, /* one more 80..BF ends the character */
    S_TAIL2 = 18, /* two more 80..BF */
    S_TAIL3 = 24, /* three more 80..BF */
    S_E0 = 30,    /* after E0: A0..BF, as 80..9F would be overlong */
    S_ED = 36,    /* after ED: 80..9F, as A0..BF would be a surrogate */
    S_F0 = 42,    /* after F0: 90..BF, as 80..8F would be overlong */
    S_F4 = 48     /* after F4: 80..8F, as 90..BF would exceed U+10FFFF */
};

#define S_MASK 63u

/* A row with every state going to S_ERROR, then individual transitions. */
#define F(from, to) ((uint64_t)(to) << (from))
#define ALL_ERROR                                                                         \
    (F(S_ACCEPT, S_ERROR) | F(S_ERROR, S_ERROR) | F(S_TAIL1, S_ERROR) |                   \
     F(S_TAIL2, S_ERROR) | F(S_TAIL3, S_ERROR) | F(S_E0, S_ERROR) | F(S_ED, S_ERROR) |    \
     F(S_F0, S_ERROR) | F(S_F4, S_ERROR))
#define SET(row, from, to) (((row) & ~F(from, S_MASK)) | F(from, to))

/* Continuation bytes, split where the second-byte constraints change. */
#define CONT(row) SET(SET(SET(row, S_TAIL1, S_ACCEPT), S_TAIL2, S_TAIL1), S_TAIL3, S_TAIL2)
#define R_ASCII SET(ALL_ERROR, S_ACCEPT, S_ACCEPT)
#define R_80_8F SET(SET(CONT(ALL_ERROR), S_ED, S_TAIL1), S_F4, S_TAIL2)
#define R_90_9F SET(SET(CONT(ALL_ERROR), S_ED, S_TAIL1), S_F0, S_TAIL2)
#define R_A0_BF SET(SET(CONT(ALL_ERROR), S_E0, S_TAIL1), S_F0, S_TAIL2)
#define R_BAD ALL_ERROR /* C0, C1, F5..FF: never part of UTF-8 */
#define R_C2_DF SET(ALL_ERROR, S_ACCEPT, S_TAIL1)
#define R_E0 SET(ALL_ERROR, S_ACCEPT, S_E0)
#define R_E1_EF SET(ALL_ERROR, S_ACCEPT, S_TAIL2) /* but ED */
#define R_ED SET(ALL_ERROR, S_ACCEPT, S_ED)
#define R_F0 SET(ALL_ERROR, S_ACCEPT, S_F0)
#define R_F1_F3 SET(ALL_ERROR, S_ACCEPT, S_TAIL3)
#define R_F4 SET(ALL_ERROR, S_ACCEPT, S_F4)

#define X2(r) r, r
#define X4(r) X2(r), X2(r)
#define X8(r) X4(r), X4(r)
#define X16(r) X8(r), X8(r)
#define X32(r) X16(r), X16(r)
#define X64(r) X32(r), X32(r)

static const uint64_t dfa[256] = {
    X64(R_ASCII), X64(R_ASCII),                  /* 00..7F */
    X16(R_80_8F), X16(R_90_9F), X32(R_A0_BF),    /* 80..BF */
    X2(R_BAD), X2(R_C2_DF), X4(R_C2_DF), X8(R_C2_DF), X16(R_C2_DF), /* C0..DF */
    R_E0, X8(R_E1_EF), X4(R_E1_EF), R_ED, X2(R_E1_EF), /* E0..EF */
    R_F0, X2(R_F1_F3), R_F1_F3, R_F4, X8(R_BAD), X2(R_BAD), R_BAD, /* F0..FF */
};

/* The count is masked so the compiler can emit a bare shift (x86 masks it). */
static inline uint64_t step(uint64_t s, uint8_t b)
{
    return dfa[b] >> (s & S_MASK);
}

#if defined(__SSE2__)
static inline int ascii16(const uint8_t *p)
{
    return _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p)) == 0;
}
#else
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static inline int ascii16(const uint8_t *p)
{
    return ((load64(p) | load64(p + 8)) & UINT64_C(0x8080808080808080)) == 0;
}
#endif

/* Index of the first byte >= 0x80 in [i, len), or len. */
static size_t skip_ascii(const uint8_t *buf, size_t i, size_t len)
{
#if defined(__SSE2__)
    while (len - i >= 64) {
        const __m128i *p = (const __m128i *)(const void *)(buf + i);
        __m128i a = _mm_loadu_si128(p), b = _mm_loadu_si128(p + 1);
        __m128i c = _mm_loadu_si128(p + 2), d = _mm_loadu_si128(p + 3);
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) != 0)
            break;
        i += 64;
    }
    while (len - i >= 16) {
        const __m128i *p = (const __m128i *)(const void *)(buf + i);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128(p));
        if (m != 0) {
#if defined(__GNUC__)
            return i + (size_t)__builtin_ctz(m);
#else
            while (!(m & 1u)) {
                m >>= 1;
                i++;
            }
            return i;
#endif
        }
        i += 16;
    }
#else
    while (len - i >= 32) {
        uint64_t w = load64(buf + i) | load64(buf + i + 8) | load64(buf + i + 16) |
                     load64(buf + i + 24);
        if (w & UINT64_C(0x8080808080808080))
            break;
        i += 32;
    }
    while (len - i >= 8) {
        if (load64(buf + i) & UINT64_C(0x8080808080808080))
            break;
        i += 8;
    }
#endif
    while (i < len && buf[i] < 0x80)
        i++;
    return i;
}

void ws_utf8_init(ws_utf8 *v)
{
    v->state = S_ACCEPT;
    v->offset = 0;
}

/*
 * Runs n bytes from state s, stopping at an error; returns the state and sets
 * *err to the index of the offending byte, or to n.
 */
static uint64_t run_serial(uint64_t s, const uint8_t *p, size_t n, size_t *err)
{
    for (size_t k = 0; k < n; k++) {
        s = step(s, p[k]);
        if ((s & S_MASK) == S_ERROR) {
            *err = k;
            return S_ERROR;
        }
    }
    *err = n;
    return s & S_MASK;
}

int ws_utf8_feed(ws_utf8 *v, const uint8_t *buf, size_t len)
{
    uint64_t s = v->state;
    size_t i = 0, err;

    if (s == S_ERROR)
        return WS_E_UTF8_INVALID;
    if (len == 0)
        return WS_OK;

    while (len - i >= 16) {
        const uint8_t *p = buf + i;
        /* Test the bytes first: that branch is predictable in both ASCII and
         * non-ASCII text, whereas being at a boundary is not. */
        if (ascii16(p) && s == S_ACCEPT) {
            i = skip_ascii(buf, i + 16, len);
            continue;
        }
        /* No test per byte: S_ERROR is absorbing, so one test per block
         * suffices and the block is run again to locate the error. Written
         * out because gcc -O2 does not unroll the loop form. */
        uint64_t t = s;
        t = step(t, p[0]), t = step(t, p[1]), t = step(t, p[2]), t = step(t, p[3]);
        t = step(t, p[4]), t = step(t, p[5]), t = step(t, p[6]), t = step(t, p[7]);
        t = step(t, p[8]), t = step(t, p[9]), t = step(t, p[10]), t = step(t, p[11]);
        t = step(t, p[12]), t = step(t, p[13]), t = step(t, p[14]), t = step(t, p[15]);
        if ((t & S_MASK) == S_ERROR)
            break;
        s = t & S_MASK;
        i += 16;
    }
    s = run_serial(s, buf + i, len - i, &err);
    if (s == S_ERROR) {
        v->state = S_ERROR;
        v->offset += i + err;
        return WS_E_UTF8_INVALID;
    }
    v->state = (uint32_t)s;
    v->offset += len;
    return WS_OK;
}

int ws_utf8_finish(const ws_utf8 *v)
{
    if (v->state == S_ERROR)
        return WS_E_UTF8_INVALID;
    return v->state == S_ACCEPT ? WS_OK : WS_E_UTF8_TRUNCATED;
}

int ws_utf8_validate(const uint8_t *buf, size_t len, size_t *error_offset)
{
    ws_utf8 v;
    int rc;

    ws_utf8_init(&v);
    rc = ws_utf8_feed(&v, buf, len);
    if (rc == WS_OK)
        rc = ws_utf8_finish(&v);
    if (error_offset != NULL)
        *error_offset = rc == WS_E_UTF8_INVALID ? (size_t)v.offset : len;
    return rc;
}

size_t ws_utf8_decode(const uint8_t *buf, size_t len, uint32_t *code_point)
{
    if (len == 0)
        return 0;
    uint8_t b = buf[0];
    if (b < 0x80) {
        *code_point = b;
        return 1;
    }
    size_t n;
    uint32_t v, least;
    if (b >= 0xc2 && b <= 0xdf)
        n = 2, v = b & 0x1fu, least = 0x80;
    else if (b >= 0xe0 && b <= 0xef)
        n = 3, v = b & 0x0fu, least = 0x800;
    else if (b >= 0xf0 && b <= 0xf4)
        n = 4, v = b & 0x07u, least = 0x10000;
    else
        return 0;
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((buf[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (buf[i] & 0x3fu);
    }
    if (v < least || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *code_point = v;
    return n;
}
