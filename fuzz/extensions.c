/*
 * Fuzz target: the Sec-WebSocket-Extensions parser
 * (ws_handshake_parse_extensions) and ws_extension_param_value(),
 * wscodec/handshake.h, against a reference written as a tokenizer plus a
 * grammar over its tokens (RFC 6455 §9.1 with the implied *LWS).
 *
 * Input: a control byte, then the header value.
 *   bits 0-2  capacity of the extension array (index into limits)
 *   bit 3     no array: count only (and no bound on parameters)
 *   bits 4-5  *num before the call (index into starts): extensions are appended
 * Properties: the verdict, *num, and every stored extension and parameter
 * (name, value, quoted, escaped: pointers and lengths) are the reference's;
 * all of them point inside the value; ws_extension_param_value() of every
 * parameter gives the unescaped value (a token), WS_E_BUFFER_TOO_SMALL one
 * byte short, and writes nothing past the buffer; counting without an array
 * gives the verdict and count of an unbounded parse.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "wscodec/error.h"
#include "wscodec/handshake.h"
#include "wscodec/http.h"

static const size_t limits[8] = { 0, 1, 2, 3, 4, 8, 16, 64 };
static const size_t starts[4] = { 0, 1, 2, 5 };

#define REF_MAX 64

enum tok_kind { T_END, T_BAD, T_TOKEN, T_QUOTED, T_COMMA, T_SEMI, T_EQ };

typedef struct tok {
    enum tok_kind kind;
    const char *str; /* T_TOKEN: the token; T_QUOTED: the text between the quotes */
    size_t len;
    bool escaped;
} tok;

typedef struct lexer {
    const char *p, *end;
} lexer;

static tok next_token(lexer *lx)
{
    tok t = { T_END, NULL, 0, false };
    while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
        lx->p++;
    if (lx->p == lx->end)
        return t;
    char c = *lx->p;
    if (c == ',' || c == ';' || c == '=') {
        t.kind = c == ',' ? T_COMMA : c == ';' ? T_SEMI : T_EQ;
        lx->p++;
        return t;
    }
    if (ws_http_is_tchar((unsigned char)c)) {
        t.kind = T_TOKEN;
        t.str = lx->p;
        while (lx->p < lx->end && ws_http_is_tchar((unsigned char)*lx->p))
            lx->p++;
        t.len = (size_t)(lx->p - t.str);
        return t;
    }
    t.kind = T_BAD;
    if (c != '"')
        return t;
    /* quoted-string whose content, once unescaped, is a token. */
    const char *q = lx->p + 1;
    t.str = q;
    for (;;) {
        if (q == lx->end)
            return t; /* unterminated */
        if (*q == '"')
            break;
        if (*q == '\\') {
            t.escaped = true;
            if (++q == lx->end)
                return t;
        }
        if (!ws_http_is_tchar((unsigned char)*q))
            return t;
        q++;
    }
    if (q == t.str)
        return t; /* "" is no token */
    t.kind = T_QUOTED;
    t.len = (size_t)(q - t.str);
    lx->p = q + 1;
    return t;
}

typedef struct ref_result {
    int rc;
    size_t count;
    ws_extension ext[REF_MAX];
} ref_result;

static void ref_parse(const char *v, size_t len, bool store, size_t start, size_t max,
                      ref_result *r)
{
    lexer lx = { v, v + len };
    r->count = 0;
    for (;;) {
        tok t = next_token(&lx);
        while (t.kind == T_COMMA)
            t = next_token(&lx);
        if (t.kind == T_END)
            break;
        if (t.kind != T_TOKEN)
            goto syntax;
        ws_extension e;
        memset(&e, 0, sizeof e);
        e.name = t.str;
        e.name_len = t.len;
        t = next_token(&lx);
        while (t.kind == T_SEMI) {
            ws_extension_param prm = { 0 };
            t = next_token(&lx);
            if (t.kind != T_TOKEN)
                goto syntax;
            prm.name = t.str;
            prm.name_len = t.len;
            t = next_token(&lx);
            if (t.kind == T_EQ) {
                t = next_token(&lx);
                if (t.kind != T_TOKEN && t.kind != T_QUOTED)
                    goto syntax;
                prm.value = t.str;
                prm.value_len = t.len;
                prm.quoted = t.kind == T_QUOTED;
                prm.escaped = t.escaped;
                t = next_token(&lx);
            }
            if (store && e.num_params == WS_EXTENSION_MAX_PARAMS) {
                r->rc = WS_E_HS_TOO_MANY_ITEMS;
                return;
            }
            if (e.num_params < WS_EXTENSION_MAX_PARAMS)
                e.params[e.num_params] = prm;
            e.num_params++;
        }
        if (t.kind != T_COMMA && t.kind != T_END)
            goto syntax;
        if (store && start + r->count >= max) {
            r->rc = WS_E_HS_TOO_MANY_ITEMS;
            return;
        }
        if (r->count < REF_MAX)
            r->ext[r->count] = e;
        r->count++;
        if (t.kind == T_END)
            break;
    }
    r->rc = r->count ? WS_OK : WS_E_HS_EXTENSIONS_SYNTAX;
    return;
syntax:
    r->rc = WS_E_HS_EXTENSIONS_SYNTAX;
}

static void check_param_value(const ws_extension_param *p)
{
    FUZZ_CHECK(ws_extension_param_value(NULL, NULL, 0) == WS_E_INVALID_ARGUMENT);
    if (!p->value) {
        FUZZ_CHECK(!p->quoted && !p->escaped && p->value_len == 0);
        FUZZ_CHECK(ws_extension_param_value(p, NULL, 0) == 0);
        return;
    }
    /* The reference unescaping: a backslash stands for the byte after it. */
    char *want = malloc(p->value_len);
    if (!want)
        abort();
    size_t n = 0;
    bool saw_backslash = false;
    for (size_t i = 0; i < p->value_len; i++) {
        if (p->quoted && p->value[i] == '\\') {
            saw_backslash = true;
            i++;
        }
        want[n++] = p->value[i];
    }
    FUZZ_CHECK(p->escaped == saw_backslash);
    FUZZ_CHECK(ws_http_is_token(want, n));

    char *out = malloc(n);
    if (!out)
        abort();
    FUZZ_CHECK(ws_extension_param_value(p, out, n) == (int)n);
    FUZZ_CHECK(memcmp(out, want, n) == 0);
    FUZZ_CHECK(ws_extension_param_value(p, out, n - 1) == WS_E_BUFFER_TOO_SMALL);
    FUZZ_CHECK(ws_extension_param_value(p, NULL, 0) == WS_E_BUFFER_TOO_SMALL);
    free(out);
    free(want);
}

static void check_extension(const ws_extension *got, const ws_extension *want, const char *v,
                            size_t len)
{
    FUZZ_CHECK(fuzz_inside(got->name, got->name_len, v, len));
    FUZZ_CHECK(got->name == want->name && got->name_len == want->name_len);
    FUZZ_CHECK(got->num_params == want->num_params);
    FUZZ_CHECK(got->num_params <= WS_EXTENSION_MAX_PARAMS);
    for (size_t i = 0; i < got->num_params; i++) {
        const ws_extension_param *a = &got->params[i], *b = &want->params[i];
        FUZZ_CHECK(fuzz_inside(a->name, a->name_len, v, len));
        FUZZ_CHECK(a->name == b->name && a->name_len == b->name_len);
        FUZZ_CHECK(a->value == b->value && a->value_len == b->value_len);
        FUZZ_CHECK(a->quoted == b->quoted && a->escaped == b->escaped);
        if (a->value)
            FUZZ_CHECK(fuzz_inside(a->value, a->value_len, v, len));
        check_param_value(a);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ref_result ref; /* large: kept out of the stack */
    if (size < 1)
        return 0;
    size_t max = limits[data[0] & 7];
    bool store = (data[0] & 8) == 0;
    size_t start = starts[(data[0] >> 4) & 3];
    const char *v = (const char *)data + 1;
    size_t len = size - 1;

    ref_parse(v, len, store, start, max, &ref);
    /* With capacity 0 the array still has an address (NULL would mean "count
     * only"): one guard entry that must stay untouched. */
    ws_extension *out = store ? malloc((max ? max : 1) * sizeof *out) : NULL;
    if (store && !out)
        abort();
    if (store && !max)
        memset(out, 0xa5, sizeof *out);
    size_t num = start;
    int rc = ws_handshake_parse_extensions(v, len, out, max, &num);
    FUZZ_CHECK(rc == ref.rc);
    FUZZ_CHECK(num == start + ref.count);
    if (store && !max) {
        for (size_t i = 0; i < sizeof *out; i++)
            FUZZ_CHECK(((const uint8_t *)out)[i] == 0xa5);
    }
    for (size_t i = start; store && i < num && i < max; i++)
        if (i - start < REF_MAX)
            check_extension(&out[i], &ref.ext[i - start], v, len);
    free(out);

    /* Counting only: no bound on extensions or parameters. */
    ref_parse(v, len, false, 0, 0, &ref);
    size_t count = 0;
    FUZZ_CHECK(ws_handshake_parse_extensions(v, len, NULL, 0, &count) == ref.rc);
    FUZZ_CHECK(count == ref.count);

    FUZZ_CHECK(ws_handshake_parse_extensions(v, len, NULL, 0, NULL) == WS_E_INVALID_ARGUMENT);
    if (len)
        FUZZ_CHECK(ws_handshake_parse_extensions(NULL, len, NULL, 0, &count) ==
                   WS_E_INVALID_ARGUMENT);
    return 0;
}
