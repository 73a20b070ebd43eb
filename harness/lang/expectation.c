/* `expect VERDICT: EVENTS`: one acceptable sequence of events and the
 * verdict it earns. */
#include "lang/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/names.h"
#include "wscodec/frame.h"

bool parse_expectable_verdict(span s, verdict *v)
{
    int value;
    if (!name_lookup(&verdict_names, s.p, s.n, &value) || value == VERDICT_FAILED ||
        value == VERDICT_NOT_RUN)
        return false;
    *v = (verdict)value;
    return true;
}

static bool is_repeat_suffix(span tok)
{
    return tok.n >= 2 && tok.p[0] == 'x' && tok.p[1] >= '0' && tok.p[1] <= '9';
}

/* -- what follows each kind of event -- */

/* message text | message binary */
static int message_arguments(parser *ps, int line, span *rest, expected_event *e)
{
    char show_buf[SHOW_MAX];
    span tok;
    int op;
    next_token(rest, &tok);
    if (!name_lookup(&opcode_names, tok.p, tok.n, &op) || (op != WS_OP_TEXT && op != WS_OP_BINARY))
        return fail(ps, line, "expected text or binary after message, found %s", SHOW(tok));
    e->opcode = (uint8_t)op;
    return 0;
}

/* timeout TAG */
static int timeout_arguments(parser *ps, int line, span *rest, expected_event *e)
{
    char show_buf[SHOW_MAX];
    span tok;
    next_token(rest, &tok);
    if (!is_tag(tok))
        return fail(ps, line, "expected a tag after timeout, found %s", SHOW(tok));
    if (!(e->tag = dup_span(tok)))
        return out_of_memory(ps, line);
    return 0;
}

static int parse_http_status(parser *ps, int line, span tok, expected_event *e)
{
    char show_buf[SHOW_MAX];
    span lo = tok, hi = tok;
    const char *dash = memchr(tok.p, '-', tok.n);
    if (dash) {
        lo = span_of(tok.p, (size_t)(dash - tok.p));
        hi = span_from(tok, lo.n + 1);
    }
    uint64_t a, z;
    if (!parse_uint(lo, 999, &a) || !parse_uint(hi, 999, &z) || a < 100 || z > 599 || a > z)
        return fail(ps, line, "expected an HTTP status or range (100..599, e.g. 400-499), found %s",
                    SHOW(tok));
    e->status_min = (uint16_t)a;
    e->status_max = (uint16_t)z;
    return 0;
}

/* header "NAME: VALUE" or header "NAME" */
static int add_header_match(parser *ps, int line, span tok, expected_event *e, size_t *cap)
{
    char show_buf[SHOW_MAX];
    char *text = NULL;
    if (tok.n == 0 || tok.p[0] != '"')
        return fail(ps, line, "expected a quoted \"NAME: VALUE\" or \"NAME\" after header, found %s",
                    SHOW(tok));
    if (text_argument(ps, line, tok, "a header", &text) != 0)
        return -1;
    span all = span_of(text, strlen(text)), name = all, value = {0};
    const char *colon = strchr(text, ':');
    if (colon) {
        name = trim(span_of(text, (size_t)(colon - text)));
        value = trim(span_from(all, (size_t)(colon - text) + 1));
    } else {
        name = trim(all);
    }
    if (!valid_header_name(name)) {
        free(text);
        return fail(ps, line, "expected a header name in %s, found none", SHOW(tok));
    }
    if (grow((void **)&e->headers, cap, e->header_count + 1, sizeof(header_match)) != 0) {
        free(text);
        return out_of_memory(ps, line);
    }
    header_match *h = &e->headers[e->header_count];
    h->name = dup_span(name);
    h->value = colon ? dup_span(value) : NULL;
    free(text);
    if (!h->name || (colon && !h->value)) {
        free(h->name);
        free(h->value);
        return out_of_memory(ps, line);
    }
    e->header_count++;
    return 0;
}

/* http STATUS[-STATUS] { header "..." } */
static int http_arguments(parser *ps, int line, span *rest, expected_event *e)
{
    span tok;
    next_token(rest, &tok);
    if (parse_http_status(ps, line, tok, e) != 0)
        return -1;
    size_t cap = 0;
    span save = *rest;
    while (next_token(rest, &tok) && span_is(tok, "header")) {
        next_token(rest, &tok);
        if (take_items(ps, line, 1) != 0 || add_header_match(ps, line, tok, e, &cap) != 0)
            return -1;
        save = *rest;
    }
    *rest = save;
    return 0;
}

static const struct event_grammar {
    event_kind kind;
    int (*arguments)(parser *ps, int line, span *rest, expected_event *e); /* NULL: none */
    bool payload_ok, echo_ok;  /* may be followed by a payload, by echo */
} event_grammars[] = {
    {EVENT_MESSAGE, message_arguments, true, true},
    {EVENT_PING, NULL, true, false},
    {EVENT_PONG, NULL, true, true},
    {EVENT_TIMEOUT, timeout_arguments, false, false},
    {EVENT_HTTP, http_arguments, false, false},
};

/* [PAYLOAD | echo] where the kind of event takes one. */
static int event_payload(parser *ps, int line, span *rest, const struct event_grammar *g,
                         expected_event *e)
{
    char show_buf[SHOW_MAX];
    span save = *rest, tok;
    if (!next_token(rest, &tok) || is_repeat_suffix(tok)) {
        *rest = save;
        return 0;
    }
    if (g->echo_ok && span_is(tok, "echo")) {
        e->match = MATCH_ECHO;
        return 0;
    }
    if (g->payload_ok && looks_like_payload(tok)) {
        e->match = MATCH_BYTES;
        return parse_payload(ps, line, tok, &e->data);
    }
    return fail(ps, line, "expected %s or xN, found %s",
                g->echo_ok ? "a payload, echo" : g->payload_ok ? "a payload" : "','", SHOW(tok));
}

/* [xN | xMIN-MAX], then the end of the item. */
static int event_repeat(parser *ps, int line, span rest, expected_event *e)
{
    char show_buf[SHOW_MAX];
    span tok;
    if (!next_token(&rest, &tok))
        return 0;
    uint64_t n = 0, most = 0;
    span count = is_repeat_suffix(tok) ? span_from(tok, 1) : span_of(tok.p, 0);
    const char *dash = count.n ? memchr(count.p, '-', count.n) : NULL;
    bool ranged = dash != NULL;
    bool good = ranged
        ? parse_uint(span_of(count.p, (size_t)(dash - count.p)), CASELANG_COUNT_MAX, &n) &&
              parse_uint(span_from(count, (size_t)(dash - count.p) + 1), CASELANG_COUNT_MAX,
                         &most) &&
              most >= 1 && n <= most
        : count.n && parse_uint(count, CASELANG_COUNT_MAX, &n) && n > 0;
    if (!good)
        return fail(ps, line, "expected ',' or a repeat count x1..x%u or xMIN-MAX, found %s",
                    CASELANG_COUNT_MAX, SHOW(tok));
    e->repeat = (uint32_t)n;
    e->repeat_max = ranged ? (uint32_t)most : 0;
    if (next_token(&rest, &tok))
        return fail(ps, line, "expected ',' after the repeat count, found %s", SHOW(tok));
    return 0;
}

/* The kind of event an item starts with. */
static const struct event_grammar *event_kind_of(parser *ps, int line, span rest, span *kind)
{
    char show_buf[SHOW_MAX];
    int value;
    if (!next_token(&rest, kind)) {
        fail(ps, line, "expected an event (message, ping, pong, timeout, http), found an "
                       "empty item in the list");
        return NULL;
    }
    if (name_lookup(&event_names, kind->p, kind->n, &value))
        for (size_t i = 0; i < sizeof event_grammars / sizeof event_grammars[0]; i++)
            if ((int)event_grammars[i].kind == value)
                return &event_grammars[i];
    if (span_is(*kind, "nothing"))
        fail(ps, line, "expected 'nothing' alone, found it in a list of events");
    else
        fail(ps, line, "expected an event (message, ping, pong, timeout, http), found %s",
             SHOW(*kind));
    return NULL;
}

/* One event of an `expect` list; on error *e is released. */
static int parse_event(parser *ps, int line, span text, expected_event *e)
{
    memset(e, 0, sizeof *e);
    e->repeat = 1;
    span kind;
    const struct event_grammar *g = event_kind_of(ps, line, text, &kind);
    if (!g)
        return -1;
    e->kind = g->kind;
    span rest = span_from(text, (size_t)(kind.p + kind.n - text.p));
    if ((g->arguments && g->arguments(ps, line, &rest, e) != 0) ||
        event_payload(ps, line, &rest, g, e) != 0 || event_repeat(ps, line, rest, e) != 0) {
        expected_event_free(e);
        return -1;
    }
    return 0;
}

/* EVENTS: a comma-separated list (not "nothing") into x. */
static int parse_events(parser *ps, int line, span events, expectation *x)
{
    size_t cap = 0;
    for (;;) {
        span item, tail;
        bool more = split_top(events, ',', &item, &tail);
        if (take_items(ps, line, 1) != 0 ||
            grow((void **)&x->events, &cap, x->event_count + 1, sizeof(expected_event)) != 0) {
            if (!ps->failed)
                out_of_memory(ps, line);
            return -1;
        }
        if (parse_event(ps, line, item, &x->events[x->event_count]) != 0)
            return -1;
        x->event_count++;
        if (!more)
            return 0;
        events = tail;
    }
}

/* expect VERDICT: EVENTS */
static int parse_expect(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span head, events;
    if (!split_top(rest, ':', &head, &events))
        return fail(ps, line, "expected VERDICT: EVENTS (e.g. OK: message text echo), found %s",
                    SHOW(trim(rest)));
    verdict v;
    if (!parse_expectable_verdict(trim(head), &v))
        return fail(ps, line, "expected a verdict (OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED) "
                              "before ':', found %s", SHOW(trim(head)));
    events = trim(events);
    if (events.n == 0)
        return fail(ps, line, "expected events or 'nothing' after ':', found end of line");
    if (take_items(ps, line, 1) != 0)
        return -1;
    expectation x = {.verdict = v, .line = line};
    if (!span_is(events, "nothing") && parse_events(ps, line, events, &x) != 0)
        goto error;
    if (grow((void **)&b->c.expectations, &b->expectation_cap, b->c.expectation_count + 1,
             sizeof(expectation)) != 0) {
        out_of_memory(ps, line);
        goto error;
    }
    b->c.expectations[b->c.expectation_count++] = x;
    return 0;
error:
    for (size_t i = 0; i < x.event_count; i++)
        expected_event_free(&x.events[i]);
    free(x.events);
    return -1;
}

static const directive rows[] = {
    {"expect", parse_expect, false},
};

const directive_group expectation_directives = DIRECTIVE_GROUP(rows);
