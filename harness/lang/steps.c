/* The steps of a case, played in order: send, send-begin, send-data,
 * send-raw, bulk, write, wait, await, loop, end-loop. */
#include "lang/send_options.h"

#include <stdlib.h>
#include <string.h>

#include "lang/dataset.h"
#include "lang/payload.h"
#include "wscodec/frame.h"

/* A new step of the case being built, at `line`, within the item limit. */
static step *new_step(parser *ps, builder *b, int line, step_kind kind)
{
    if (take_items(ps, line, 1) != 0)
        return NULL;
    if (grow((void **)&b->c.steps, &b->step_cap, b->c.step_count + 1, sizeof(step)) != 0) {
        out_of_memory(ps, line);
        return NULL;
    }
    step *st = &b->c.steps[b->c.step_count++];
    memset(st, 0, sizeof *st);
    st->kind = kind;
    st->line = line;
    st->fin = true;
    return st;
}

/* [PAYLOAD] [OPTIONS] in any order, the payload at most once; after_payload
 * names what may follow a payload, for the message. */
static int payload_and_options(parser *ps, int line, span rest, unsigned allowed,
                               const char *directive_name, const char *after_payload, options *o,
                               payload *data, bool *have_payload)
{
    char show_buf[SHOW_MAX];
    span tok;
    while (next_token(&rest, &tok)) {
        if (is_option(tok) && !looks_like_payload(tok)) {
            if (parse_option(ps, line, tok, allowed, directive_name, o) != 0)
                return -1;
        } else if (!*have_payload) {
            if (parse_payload(ps, line, tok, data) != 0)
                return -1;
            *have_payload = true;
        } else {
            return fail(ps, line, "expected %s after the payload, found %s", after_payload,
                        SHOW(tok));
        }
    }
    return 0;
}

static int opcode_argument(parser *ps, int line, span *rest, span *tok, uint8_t *opcode,
                           bool *data_opcode)
{
    char show_buf[SHOW_MAX];
    if (!next_token(rest, tok) || !parse_opcode(*tok, opcode, data_opcode))
        return fail(ps, line, "expected an opcode (text, binary, continuation, close, ping, pong "
                              "or 0..15), found %s", SHOW(*tok));
    return 0;
}

/* The options of one send that only make sense together. */
static int check_send_options(parser *ps, int line, const options *o, bool have_payload,
                              bool data_opcode, span opcode_token)
{
    char show_buf[SHOW_MAX];
    if ((o->given & OPT_REASON) && !(o->given & OPT_CODE))
        return fail(ps, line, "expected code= with reason=, found reason= alone");
    if ((o->given & OPT_CODE) && have_payload)
        return fail(ps, line, "expected either a payload or code=/reason= on a close, found both");
    if ((o->given & OPT_WINDOW) && !(o->given & OPT_COMPRESS))
        return fail(ps, line, "expected window= only with compress, found it alone");
    if ((o->given & OPT_COMPRESS) && (!data_opcode || (o->given & (OPT_FIN | OPT_LEN))))
        return fail(ps, line, "expected compress only on a whole message (text, binary or a data "
                              "opcode, without fin= or len=), found it with %s",
                    !data_opcode ? SHOW(opcode_token) : (o->given & OPT_FIN) ? "fin=" : "len=");
    if (!(o->given & OPT_FRAGMENT))
        return 0;
    if (!data_opcode)
        return fail(ps, line, "expected fragment= only with text, binary or a data opcode 0..7, "
                              "found it with %s", SHOW(opcode_token));
    if (o->given & (OPT_FIN | OPT_LEN))
        return fail(ps, line, "expected fragment= without fin= or len= (each frame has its own), "
                              "found %s", (o->given & OPT_FIN) ? "fin=" : "len=");
    return 0;
}

/* A close body from code= and reason=: the code big-endian, then the reason. */
static int close_body(parser *ps, int line, const options *o, payload *data)
{
    uint64_t n = 2 + o->reason.length;
    if (n > CASELANG_PAYLOAD_MAX)
        return payload_too_big(ps, line, n);
    if (take_memory(ps, line, n) != 0)
        return -1;
    uint8_t *buf = malloc((size_t)n);
    if (!buf)
        return out_of_memory(ps, line);
    buf[0] = (uint8_t)(o->code >> 8);
    buf[1] = (uint8_t)o->code;
    payload_copy(&o->reason, 0, buf + 2, (size_t)o->reason.length);
    data->pattern = buf;
    data->pattern_length = (size_t)n;
    data->length = n;
    return 0;
}

/* send OPCODE [PAYLOAD] [OPTIONS] */
static int parse_send(parser *ps, builder *b, int line, span rest)
{
    span opcode_token;
    uint8_t opcode;
    bool data_opcode;
    if (opcode_argument(ps, line, &rest, &opcode_token, &opcode, &data_opcode) != 0)
        return -1;
    options o = {0};
    payload data = {0};
    bool have_payload = false;
    int rc = -1;
    unsigned allowed = OPT_FIN | OPT_RSV | OPT_MASK | OPT_LEN | OPT_FORM | OPT_CHOP | OPT_FRAGMENT |
                       OPT_COMPRESS | OPT_WINDOW |
                       (opcode == WS_OP_CLOSE ? OPT_CODE | OPT_REASON : 0);
    if (payload_and_options(ps, line, rest, allowed, "send", "options (key=value)", &o, &data,
                            &have_payload) != 0 ||
        check_send_options(ps, line, &o, have_payload, data_opcode, opcode_token) != 0)
        goto done;
    if ((o.given & OPT_CODE) && close_body(ps, line, &o, &data) != 0)
        goto done;
    uint64_t frame_length = (o.given & OPT_LEN) ? o.len : data.length;
    if ((o.given & OPT_FRAGMENT) && o.fragment < frame_length)
        frame_length = o.fragment;
    if (check_form(ps, line, o.form, frame_length) != 0)
        goto done;
    step *st = new_step(ps, b, line,
                        (o.given & (OPT_FRAGMENT | OPT_COMPRESS)) ? STEP_MESSAGE : STEP_FRAME);
    if (!st)
        goto done;
    apply_frame_options(st, &o);
    st->opcode = opcode;
    st->fragment = o.fragment;
    st->data = data;
    memset(&data, 0, sizeof data);
    rc = 0;
done:
    payload_free(&data);
    payload_free(&o.reason);
    return rc;
}

/* send-begin OPCODE len=N [fin=] [rsv=] [mask=] [form=] */
static int parse_send_begin(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok;
    uint8_t opcode;
    bool data_opcode;
    if (opcode_argument(ps, line, &rest, &tok, &opcode, &data_opcode) != 0)
        return -1;
    options o = {0};
    while (next_token(&rest, &tok)) {
        if (!is_option(tok))
            return fail(ps, line, "expected options of send-begin (the payload follows in "
                                  "send-data), found %s", SHOW(tok));
        if (parse_option(ps, line, tok, OPT_FIN | OPT_RSV | OPT_MASK | OPT_LEN | OPT_FORM,
                         "send-begin", &o) != 0)
            return -1;
    }
    if (!(o.given & OPT_LEN))
        return fail(ps, line, "expected len=N (the declared payload length), found none");
    if (check_form(ps, line, o.form, o.len) != 0)
        return -1;
    step *st = new_step(ps, b, line, STEP_FRAME_BEGIN);
    if (!st)
        return -1;
    apply_frame_options(st, &o);
    st->opcode = opcode;
    b->began_frame = true;
    return 0;
}

/* send-data PAYLOAD [chop=SIZE] and send-raw PAYLOAD [chop=SIZE] */
static int parse_bytes_step(parser *ps, builder *b, int line, span rest, step_kind kind,
                            const char *directive_name)
{
    if (kind == STEP_FRAME_DATA && !b->began_frame)
        return fail(ps, line, "expected a send-begin before send-data, found none in this case");
    options o = {0};
    payload data = {0};
    bool have_payload = false;
    if (payload_and_options(ps, line, rest, OPT_CHOP, directive_name, "chop=", &o, &data,
                            &have_payload) != 0)
        goto error;
    if (!have_payload) {
        fail(ps, line, "expected a payload after %s, found end of line", directive_name);
        goto error;
    }
    step *st = new_step(ps, b, line, kind);
    if (!st)
        goto error;
    st->data = data;
    st->chop = o.chop;
    return 0;
error:
    payload_free(&data);
    return -1;
}

static int parse_send_data(parser *ps, builder *b, int line, span rest)
{
    return parse_bytes_step(ps, b, line, rest, STEP_FRAME_DATA, "send-data");
}

static int parse_send_raw(parser *ps, builder *b, int line, span rest)
{
    return parse_bytes_step(ps, b, line, rest, STEP_RAW, "send-raw");
}

/* write whole | write frames | write chop SIZE */
static int parse_write(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok;
    write_mode mode;
    uint64_t chop = 0;
    next_token(&rest, &tok);
    if (span_is(tok, "whole")) {
        mode = WRITE_WHOLE;
    } else if (span_is(tok, "frames")) {
        mode = WRITE_FRAMES;
    } else if (span_is(tok, "chop")) {
        mode = WRITE_CHOP;
        next_token(&rest, &tok);
        if (!parse_size(tok, UINT64_MAX, &chop) || chop == 0)
            return fail(ps, line, "expected a chop size greater than 0, found %s", SHOW(tok));
    } else {
        return fail(ps, line, "expected whole, frames or chop SIZE after write, found %s", SHOW(tok));
    }
    if (expect_end(ps, line, rest, "write") != 0)
        return -1;
    if (b->c.step_count == 0) {
        b->c.initial_mode = mode;
        b->c.initial_chop = chop;
        return 0;
    }
    step *st = new_step(ps, b, line, STEP_WRITE_MODE);
    if (!st)
        return -1;
    st->mode = mode;
    st->mode_chop = chop;
    return 0;
}

/* wait DURATION [TAG] and await [DURATION] */
static int parse_pause(parser *ps, builder *b, int line, span rest, bool await)
{
    char show_buf[SHOW_MAX];
    span tok;
    uint32_t ms = 0;
    span tag = {0};
    if (next_token(&rest, &tok)) {
        if (duration_argument(ps, line, tok, await, &ms) != 0)
            return -1;
    } else if (!await) {
        return fail(ps, line, "expected a duration after wait, found end of line");
    }
    if (!await && next_token(&rest, &tag) && !is_tag(tag))
        return fail(ps, line, "expected a tag (letters, digits, '_', '-', '.') after the duration, "
                              "found %s", SHOW(tag));
    if (expect_end(ps, line, rest, await ? "await" : "wait") != 0)
        return -1;
    char *tag_copy = NULL;
    if (tag.n && !(tag_copy = dup_span(tag)))
        return out_of_memory(ps, line);
    step *st = new_step(ps, b, line, await ? STEP_AWAIT : STEP_WAIT);
    if (!st) {
        free(tag_copy);
        return -1;
    }
    st->wait_ms = ms;
    st->tag = tag_copy;
    return 0;
}

static int parse_wait(parser *ps, builder *b, int line, span rest)
{
    return parse_pause(ps, b, line, rest, false);
}

static int parse_await(parser *ps, builder *b, int line, span rest)
{
    return parse_pause(ps, b, line, rest, true);
}

static int parse_loop(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok;
    uint64_t count;
    next_token(&rest, &tok);
    if (!parse_uint(tok, CASELANG_COUNT_MAX, &count))
        return fail(ps, line, "expected a loop count 0..%u, found %s", CASELANG_COUNT_MAX, SHOW(tok));
    if (expect_end(ps, line, rest, "the loop count") != 0)
        return -1;
    if (b->depth >= CASELANG_LOOP_DEPTH_MAX)
        return fail(ps, line, "expected loops nested at most %u deep, found deeper",
                    CASELANG_LOOP_DEPTH_MAX);
    step *st = new_step(ps, b, line, STEP_LOOP);
    if (!st)
        return -1;
    st->count = (uint32_t)count;
    b->loop_index[b->depth] = b->c.step_count - 1;
    b->loop_line[b->depth] = line;
    b->depth++;
    return 0;
}

static int parse_end_loop(parser *ps, builder *b, int line, span rest)
{
    if (expect_end(ps, line, rest, "end-loop") != 0)
        return -1;
    if (b->depth == 0)
        return fail(ps, line, "expected a 'loop' before 'end-loop', found none open");
    step *st = new_step(ps, b, line, STEP_LOOP_END);
    if (!st)
        return -1;
    b->depth--;
    b->c.steps[b->loop_index[b->depth]].loop_end = b->c.step_count - 1;
    return 0;
}

/* count=N size=S [fragment=F] [compress] of a bulk step, in any order. */
static int bulk_options(parser *ps, int line, span rest, options *o, uint64_t *count,
                        uint64_t *size)
{
    char show_buf[SHOW_MAX];
    span tok;
    *count = *size = 0;
    while (next_token(&rest, &tok)) {
        span value;
        if (span_starts(tok, "count=")) {
            value = span_from(tok, 6);
            if (*count || !parse_uint(value, CASELANG_COUNT_MAX, count) || *count == 0)
                return fail(ps, line, "expected count=1..%u once, found %s", CASELANG_COUNT_MAX,
                            SHOW(tok));
        } else if (span_starts(tok, "size=")) {
            value = span_from(tok, 5);
            if (*size || !parse_size(value, UINT64_MAX, size) || *size == 0)
                return fail(ps, line, "expected size=SIZE greater than 0 once, found %s", SHOW(tok));
        } else if (is_option(tok)) {
            if (parse_option(ps, line, tok, OPT_FRAGMENT | OPT_COMPRESS | OPT_WINDOW | OPT_CHOP,
                             "bulk", o) != 0)
                return -1;
        } else {
            return fail(ps, line, "expected count=, size=, fragment=, compress, window= or chop= "
                                  "after the data set, found %s", SHOW(tok));
        }
    }
    if (!*count || !*size)
        return fail(ps, line, "expected count=N and size=S in a bulk step, found %s missing",
                    !*count ? "count=" : "size=");
    if ((o->given & OPT_WINDOW) && !(o->given & OPT_COMPRESS))
        return fail(ps, line, "expected window= only with compress, found it alone");
    return 0;
}

/* bulk text|binary DATA-SET count=N size=S [fragment=F] [compress] */
static int parse_bulk(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span tok, name;
    next_token(&rest, &tok);
    bool text = span_is(tok, "text");
    if (!text && !span_is(tok, "binary"))
        return fail(ps, line, "expected text or binary after bulk, found %s", SHOW(tok));
    next_token(&rest, &name);
    if (!dataset_exists(name.p, name.n))
        return fail(ps, line, "expected a data set (%s), found %s", dataset_names(), SHOW(name));
    const dataset *set = dataset_find(name.p, name.n);
    if (!set)
        return out_of_memory(ps, line);
    options o = {0};
    uint64_t count, size;
    if (bulk_options(ps, line, rest, &o, &count, &size) != 0)
        return -1;
    if (size > set->chars)
        return fail(ps, line, "expected size= at most the %llu %s of data set %s, found %llu",
                    (unsigned long long)set->chars, set->text ? "characters" : "bytes", set->name,
                    (unsigned long long)size);
    step *st = new_step(ps, b, line, STEP_BULK);
    if (!st)
        return -1;
    apply_frame_options(st, &o);
    st->opcode = text ? WS_OP_TEXT : WS_OP_BINARY;
    st->fragment = o.fragment;
    st->count = (uint32_t)count;
    st->dataset = set;
    st->bulk_size = size;
    return 0;
}

static const directive rows[] = {
    {"send", parse_send, false},           {"send-begin", parse_send_begin, false},
    {"send-data", parse_send_data, false}, {"send-raw", parse_send_raw, false},
    {"bulk", parse_bulk, false},
    {"write", parse_write, false},         {"wait", parse_wait, false},
    {"await", parse_await, false},         {"loop", parse_loop, false},
    {"end-loop", parse_end_loop, false},
};

const directive_group step_directives = DIRECTIVE_GROUP(rows);
