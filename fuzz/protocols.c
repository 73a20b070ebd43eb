/*
 * Fuzz target: the Sec-WebSocket-Protocol parser
 * (ws_handshake_parse_protocols, wscodec/handshake.h) against a reference
 * that splits the value at commas and trims each element.
 *
 * Input: a control byte, then the header value.
 *   bits 0-2  capacity of the token array (index into limits)
 *   bit 3     no array: count only
 *   bits 4-5  *num before the call (index into starts): tokens are appended
 * Properties: the verdict, *num and every stored token (pointer and length)
 * are those of the reference; tokens point inside the value and are tokens;
 * counting without an array gives the verdict and count of an unbounded one.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "wscodec/error.h"
#include "wscodec/handshake.h"
#include "wscodec/http.h"

static const size_t limits[8] = { 0, 1, 2, 3, 4, 8, 16, 64 };
static const size_t starts[4] = { 0, 1, 2, 5 };

static bool ows(char c) { return c == ' ' || c == '\t'; }

typedef struct ref_result {
    int rc;
    int alt_rc;   /* a second acceptable verdict, or 1 when there is none */
    size_t count; /* tokens accepted before the verdict */
} ref_result;

/*
 * 1#token with empty elements allowed. With an array of max entries
 * (store), a token that starts an element once the array is full is one too
 * many; whether an element such as "b c" in that position is reported as one
 * token too many or as a syntax error is left open.
 */
static ref_result ref_parse(const char *v, size_t len, bool store, size_t start, size_t max,
                            ws_handshake_token *toks, size_t toks_cap)
{
    ref_result r = { WS_OK, 1, 0 };
    size_t a = 0;
    while (a <= len && len > 0) {
        size_t b = a;
        while (b < len && v[b] != ',')
            b++;
        size_t s = a, e = b;
        while (s < e && ows(v[s]))
            s++;
        while (e > s && ows(v[e - 1]))
            e--;
        if (s < e) {
            bool valid = ws_http_is_token(v + s, e - s);
            bool starts_token = ws_http_is_tchar((unsigned char)v[s]);
            if (store && start + r.count >= max && starts_token) {
                r.rc = WS_E_HS_TOO_MANY_ITEMS;
                r.alt_rc = valid ? 1 : WS_E_HS_PROTOCOL_SYNTAX;
                return r;
            }
            if (!valid) {
                r.rc = WS_E_HS_PROTOCOL_SYNTAX;
                return r;
            }
            if (r.count < toks_cap) {
                toks[r.count].str = v + s;
                toks[r.count].len = e - s;
            }
            r.count++;
        }
        a = b + 1;
    }
    if (r.count == 0)
        r.rc = WS_E_HS_PROTOCOL_SYNTAX;
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max = limits[data[0] & 7];
    bool store = (data[0] & 8) == 0;
    size_t start = starts[(data[0] >> 4) & 3];
    const char *v = (const char *)data + 1;
    size_t len = size - 1;

    ws_handshake_token ref_toks[64];
    ref_result ref = ref_parse(v, len, store, start, max, ref_toks, 64);

    /* With capacity 0 the array still has an address (NULL would mean "count
     * only"): one guard entry that must stay untouched. */
    ws_handshake_token *out = store ? malloc((max ? max : 1) * sizeof *out) : NULL;
    if (store && !out)
        abort();
    if (store && !max)
        memset(out, 0xa5, sizeof *out);
    size_t num = start;
    int rc = ws_handshake_parse_protocols(v, len, out, max, &num);
    if (store && !max) {
        for (size_t i = 0; i < sizeof *out; i++)
            FUZZ_CHECK(((const uint8_t *)out)[i] == 0xa5);
    }
    FUZZ_CHECK(rc == ref.rc || rc == ref.alt_rc);
    FUZZ_CHECK(num == start + ref.count);
    if (store) {
        for (size_t i = start; i < num && i < max; i++) {
            const ws_handshake_token *t = &out[i];
            FUZZ_CHECK(fuzz_inside(t->str, t->len, v, len));
            FUZZ_CHECK(ws_http_is_token(t->str, t->len));
            if (i - start < 64)
                FUZZ_CHECK(t->str == ref_toks[i - start].str && t->len == ref_toks[i - start].len);
        }
    }

    /* Counting only: no bound, so the unbounded reference verdict. */
    ref_result unbounded = ref_parse(v, len, false, 0, 0, ref_toks, 0);
    size_t count = 0;
    FUZZ_CHECK(ws_handshake_parse_protocols(v, len, NULL, 0, &count) == unbounded.rc);
    FUZZ_CHECK(count == unbounded.count);

    /* Argument errors. */
    FUZZ_CHECK(ws_handshake_parse_protocols(v, len, NULL, 0, NULL) == WS_E_INVALID_ARGUMENT);
    if (len)
        FUZZ_CHECK(ws_handshake_parse_protocols(NULL, len, NULL, 0, &count) ==
                   WS_E_INVALID_ARGUMENT);
    free(out);
    return 0;
}
