/* Options of the send directives, one row and one function each, and opcodes
 * (send_options.h). */
#include "lang/send_options.h"

#include <stdio.h>
#include <string.h>

#include "lang/names.h"
#include "wscodec/frame.h"

typedef int (*option_parser)(parser *ps, int line, span tok, span value, options *o);

/* A number up to max, else "expected WANT, found TOKEN". */
static int number_option(parser *ps, int line, span tok, span value, uint64_t max,
                         const char *want, uint64_t *v)
{
    char show_buf[SHOW_MAX];
    if (!parse_uint(value, max, v))
        return fail(ps, line, "expected %s, found %s", want, SHOW(tok));
    return 0;
}

/* A SIZE (greater than 0 if positive), else "expected WANT, found TOKEN". */
static int size_option(parser *ps, int line, span tok, span value, bool positive,
                       const char *want, uint64_t *v)
{
    char show_buf[SHOW_MAX];
    if (!parse_size(value, UINT64_MAX, v) || (positive && *v == 0))
        return fail(ps, line, "expected %s, found %s", want, SHOW(tok));
    return 0;
}

static int parse_fin(parser *ps, int line, span tok, span value, options *o)
{
    uint64_t v;
    if (number_option(ps, line, tok, value, 1, "fin=0|1", &v) != 0)
        return -1;
    o->fin = v == 1;
    return 0;
}

static int parse_rsv(parser *ps, int line, span tok, span value, options *o)
{
    uint64_t v;
    if (number_option(ps, line, tok, value, 7, "rsv=0..7", &v) != 0)
        return -1;
    o->rsv = (uint8_t)v;
    return 0;
}

static int parse_mask(parser *ps, int line, span tok, span value, options *o)
{
    char show_buf[SHOW_MAX];
    if (span_is(value, "random")) {
        o->mask = MASK_RANDOM;
        return 0;
    }
    if (span_is(value, "off")) {
        o->mask = MASK_OFF;
        return 0;
    }
    bool good = value.n == 8;
    for (size_t i = 0; good && i < 8; i++)
        good = hex_value(value.p[i]) >= 0;
    if (!good)
        return fail(ps, line, "expected mask=random|off|HEX8 (8 hex digits), found %s", SHOW(tok));
    for (size_t i = 0; i < 4; i++)
        o->key[i] = (uint8_t)(hex_value(value.p[2 * i]) << 4 | hex_value(value.p[2 * i + 1]));
    o->mask = MASK_KEY;
    return 0;
}

static int parse_len(parser *ps, int line, span tok, span value, options *o)
{
    return size_option(ps, line, tok, value, false, "len=N (0..18446744073709551615)", &o->len);
}

static int parse_form(parser *ps, int line, span tok, span value, options *o)
{
    char show_buf[SHOW_MAX];
    if (span_is(value, "7"))
        o->form = WS_LENGTH_7;
    else if (span_is(value, "16"))
        o->form = WS_LENGTH_16;
    else if (span_is(value, "64"))
        o->form = WS_LENGTH_64;
    else
        return fail(ps, line, "expected form=7|16|64, found %s", SHOW(tok));
    return 0;
}

static int parse_chop(parser *ps, int line, span tok, span value, options *o)
{
    return size_option(ps, line, tok, value, true, "chop=SIZE greater than 0", &o->chop);
}

static int parse_fragment(parser *ps, int line, span tok, span value, options *o)
{
    return size_option(ps, line, tok, value, true, "fragment=SIZE greater than 0", &o->fragment);
}

static int parse_code(parser *ps, int line, span tok, span value, options *o)
{
    uint64_t v;
    if (number_option(ps, line, tok, value, 65535, "code=0..65535", &v) != 0)
        return -1;
    o->code = (uint16_t)v;
    return 0;
}

static int parse_reason(parser *ps, int line, span tok, span value, options *o)
{
    char show_buf[SHOW_MAX];
    if (value.n == 0)
        return fail(ps, line, "expected reason=PAYLOAD, found %s", SHOW(tok));
    return parse_payload(ps, line, value, &o->reason);
}

static int parse_compress(parser *ps, int line, span tok, span value, options *o)
{
    char show_buf[SHOW_MAX];
    int form;
    if (!name_lookup(&compress_form_names, value.p, value.n, &form) || form == COMPRESS_NONE)
        return fail(ps, line, "expected compress or compress=sync|stored|final|tail, found %s",
                    SHOW(tok));
    o->compress = (uint8_t)form;
    return 0;
}

static int parse_window(parser *ps, int line, span tok, span value, options *o)
{
    uint64_t v;
    if (number_option(ps, line, tok, value, 15, "window=8..15", &v) != 0)
        return -1;
    if (v < 8) {
        char show_buf[SHOW_MAX];
        return fail(ps, line, "expected window=8..15, found %s", SHOW(tok));
    }
    o->window = (uint8_t)v;
    return 0;
}

static const struct option {
    const char *name;
    unsigned bit;
    option_parser parse;
} option_table[] = {
    {"fin", OPT_FIN, parse_fin},       {"rsv", OPT_RSV, parse_rsv},
    {"mask", OPT_MASK, parse_mask},    {"len", OPT_LEN, parse_len},
    {"form", OPT_FORM, parse_form},    {"chop", OPT_CHOP, parse_chop},
    {"fragment", OPT_FRAGMENT, parse_fragment},
    {"code", OPT_CODE, parse_code},    {"reason", OPT_REASON, parse_reason},
    {"compress", OPT_COMPRESS, parse_compress},
    {"window", OPT_WINDOW, parse_window},
};

#define OPTION_COUNT (sizeof option_table / sizeof option_table[0])

bool is_option(span tok)
{
    if (span_is(tok, "compress"))
        return true;
    size_t i = 0;
    while (i < tok.n && tok.p[i] >= 'a' && tok.p[i] <= 'z')
        i++;
    return i > 0 && i < tok.n && tok.p[i] == '=';
}

static void allowed_list(unsigned allowed, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (allowed & option_table[i].bit)
            o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s%s=", o ? ", " : "",
                                  option_table[i].name);
}

int parse_option(parser *ps, int line, span tok, unsigned allowed, const char *directive_name,
                 options *o)
{
    char show_buf[SHOW_MAX];
    if (span_is(tok, "compress"))
        tok = span_of("compress=sync", strlen("compress=sync"));
    const char *eq = memchr(tok.p, '=', tok.n);
    span key = span_of(tok.p, (size_t)(eq - tok.p)), value = span_from(tok, key.n + 1);
    const struct option *opt = NULL;
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (span_is(key, option_table[i].name))
            opt = &option_table[i];
    if (!opt || !(opt->bit & allowed)) {
        char list[160];
        allowed_list(allowed, list, sizeof list);
        return fail(ps, line, "expected an option of %s (%s), found %s", directive_name, list, SHOW(tok));
    }
    if (o->given & opt->bit)
        return fail(ps, line, "expected each option once, found a second %s", SHOW(tok));
    o->given |= opt->bit;
    return opt->parse(ps, line, tok, value, o);
}

bool parse_opcode(span tok, uint8_t *op, bool *data_opcode)
{
    int named;
    if (name_lookup(&opcode_names, tok.p, tok.n, &named)) {
        *op = (uint8_t)named;
        *data_opcode = named == WS_OP_TEXT || named == WS_OP_BINARY;
        return true;
    }
    uint64_t v;
    if (parse_uint(tok, 15, &v)) {
        *op = (uint8_t)v;
        *data_opcode = v < 8; /* integer data opcodes (0..7) may be fragmented */
        return true;
    }
    return false;
}

int check_form(parser *ps, int line, uint8_t form, uint64_t length)
{
    if (form == WS_LENGTH_7 && length > 125)
        return fail(ps, line, "expected a length of at most 125 with form=7, found %llu",
                    (unsigned long long)length);
    if (form == WS_LENGTH_16 && length > 65535)
        return fail(ps, line, "expected a length of at most 65535 with form=16, found %llu",
                    (unsigned long long)length);
    return 0;
}

void apply_frame_options(step *st, const options *o)
{
    st->fin = (o->given & OPT_FIN) ? o->fin : true;
    st->rsv = o->rsv;
    st->mask = o->mask;
    memcpy(st->mask_key, o->key, 4);
    st->declare_length = (o->given & OPT_LEN) != 0;
    st->declared_length = o->len;
    st->length_form = o->form;
    st->chop = o->chop;
    st->compress = o->compress;
    st->compress_window = o->window;
}
