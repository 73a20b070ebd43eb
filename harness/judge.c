/* The two verdicts of a case (see cases/README.md, "Verdicts"). */
#define _DEFAULT_SOURCE
#include "judge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "payload.h"
#include "wscodec.h"

/* The k-th sent message of the given kind (text/binary together, or pings). */
static const sent_message *nth_sent(const case_result *r, bool pings, size_t k)
{
    for (size_t i = 0; i < r->sent_message_count; i++) {
        const sent_message *m = &r->sent_messages[i];
        if ((m->opcode == WS_OP_PING) == pings && k-- == 0)
            return m;
    }
    return NULL;
}

static bool equals_sent(const sent_message *m, const uint8_t *data, uint64_t length)
{
    if (!m || m->length != length)
        return false;
    uint8_t chunk[4096];
    uint64_t pos = 0;
    for (size_t i = 0; i < m->slice_count; i++) {
        const sent_slice *s = &m->slices[i];
        for (uint64_t done = 0; done < s->length;) {
            size_t n = s->length - done < sizeof chunk ? (size_t)(s->length - done) : sizeof chunk;
            payload_copy(s->source, s->offset + done, chunk, n);
            if (memcmp(chunk, data + pos, n) != 0)
                return false;
            done += n;
            pos += n;
        }
    }
    return true;
}

/* True if value, a comma-separated list (§4.4 and RFC 7230 §7), has an
 * element equal to want, ignoring case and the whitespace around elements. */
static bool list_has(const char *value, size_t len, const char *want)
{
    size_t want_len = strlen(want);
    size_t i = 0;
    while (i <= len) {
        size_t start = i;
        while (i < len && value[i] != ',')
            i++;
        size_t end = i;
        while (start < end && (value[start] == ' ' || value[start] == '\t'))
            start++;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
            end--;
        if (ws_http_equal_nocase(value + start, end - start, want, want_len))
            return true;
        i++;
    }
    return false;
}

/* The response has the header; with a value, either the whole field value
 * equals it or, for a single element, the field's list contains it. */
static bool head_has(const observed_event *e, const header_match *h)
{
    ws_http_header headers[64];
    ws_http_response res = {.headers = headers, .max_headers = 64};
    if (!e->data || ws_http_parse_response((const char *)e->data, e->length, e->length + 1, &res) < 0)
        return false;
    for (const ws_http_header *f = ws_http_find_header(headers, res.num_headers, h->name, NULL); f;
         f = ws_http_find_header(headers, res.num_headers, h->name, f))
        if (!h->value || ws_http_equal_nocase(f->value, f->value_len, h->value, strlen(h->value)) ||
            (!strchr(h->value, ',') && list_has(f->value, f->value_len, h->value)))
            return true;
    return false;
}

static bool event_matches(const case_result *r, const expected_event *x, const observed_event *e,
                          size_t message_index, size_t pong_index)
{
    if (x->kind != e->kind)
        return false;
    switch (x->kind) {
    case EVENT_TIMEOUT:
        return x->tag && e->tag && strcmp(x->tag, e->tag) == 0;
    case EVENT_HTTP:
        if (e->status < x->status_min || e->status > x->status_max)
            return false;
        for (size_t i = 0; i < x->header_count; i++)
            if (!head_has(e, &x->headers[i]))
                return false;
        return true;
    case EVENT_MESSAGE:
        if (x->opcode && x->opcode != e->opcode)
            return false;
        break;
    default:
        break;
    }
    if (x->match == MATCH_ANY)
        return true;
    if (e->length && !e->data)
        return false; /* not kept (over the cap): cannot be compared */
    if (x->match == MATCH_BYTES)
        return payload_equal_bytes(&x->data, e->data, e->length);
    if (x->kind == EVENT_MESSAGE)
        return equals_sent(nth_sent(r, false, message_index), e->data, e->length);
    if (x->kind == EVENT_PONG)
        return equals_sent(nth_sent(r, true, pong_index), e->data, e->length);
    return false;
}

/* Matches expected items from `ei` against observed events from `oi`. A ranged
 * item takes as many events as it can, giving some back when the rest of the
 * sequence needs them; lists are short, so the backtracking stays small. */
static bool match_from(const case_result *r, const expectation *x, size_t ei, size_t oi,
                       size_t messages, size_t pongs)
{
    if (ei == x->event_count)
        return oi == r->event_count;
    const expected_event *ev = &x->events[ei];
    size_t least = ev->repeat_max ? ev->repeat : (ev->repeat ? ev->repeat : 1);
    size_t most = ev->repeat_max ? ev->repeat_max : least;
    bool is_message = ev->kind == EVENT_MESSAGE, is_pong = ev->kind == EVENT_PONG;
    size_t taken = 0;
    while (taken < most && oi + taken < r->event_count &&
           event_matches(r, ev, &r->events[oi + taken], messages + (is_message ? taken : 0),
                         pongs + (is_pong ? taken : 0)))
        taken++;
    if (taken < least)
        return false;
    for (size_t n = taken;; n--) {
        if (match_from(r, x, ei + 1, oi + n, messages + (is_message ? n : 0),
                       pongs + (is_pong ? n : 0)))
            return true;
        if (n == least)
            return false;
    }
}

static bool sequence_matches(const case_result *r, const expectation *x)
{
    return match_from(r, x, 0, 0, 0, 0);
}

int judge_match(const case_def *d, const case_result *r, verdict *v)
{
    static const expectation nothing = {.verdict = VERDICT_OK};
    if (d->expectation_count == 0) {
        *v = VERDICT_OK;
        return sequence_matches(r, &nothing) ? 0 : -1;
    }
    for (size_t i = 0; i < d->expectation_count; i++)
        if (sequence_matches(r, &d->expectations[i])) {
            *v = d->expectations[i].verdict;
            return (int)i;
        }
    return -1;
}

/* ---- reasons ------------------------------------------------------------- */

typedef struct text {
    char *buf;
    size_t cap, len;
} text;

static void put(text *t, const char *fmt, ...)
{
    if (t->len >= t->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

static const char *kind_name(event_kind k, uint8_t opcode)
{
    switch (k) {
    case EVENT_MESSAGE:
        return opcode == WS_OP_BINARY ? "message binary" : "message text";
    case EVENT_PING:
        return "ping";
    case EVENT_PONG:
        return "pong";
    case EVENT_TIMEOUT:
        return "timeout";
    case EVENT_HTTP:
        return "http";
    }
    return "?";
}

static void describe_observed(text *t, const case_result *r)
{
    if (r->event_count == 0) {
        put(t, "nothing");
        return;
    }
    size_t shown = r->event_count < 6 ? r->event_count : 5;
    for (size_t i = 0; i < shown; i++) {
        const observed_event *e = &r->events[i];
        put(t, "%s%s", i ? ", " : "", kind_name(e->kind, e->opcode));
        if (e->kind == EVENT_TIMEOUT)
            put(t, " %s", e->tag ? e->tag : "");
        else if (e->kind == EVENT_HTTP)
            put(t, " %d", e->status);
        else
            put(t, " (%zu B)", e->length);
    }
    if (shown < r->event_count)
        put(t, ", ... %zu events in all", r->event_count);
}

static void describe_expected(text *t, const expectation *x)
{
    if (x->event_count == 0) {
        put(t, "nothing");
        return;
    }
    for (size_t i = 0; i < x->event_count && i < 6; i++) {
        const expected_event *e = &x->events[i];
        put(t, "%s%s", i ? ", " : "", kind_name(e->kind, e->opcode));
        if (e->kind == EVENT_TIMEOUT)
            put(t, " %s", e->tag ? e->tag : "");
        else if (e->kind == EVENT_HTTP)
            put(t, e->status_min == e->status_max ? " %u" : " %u-%u", e->status_min, e->status_max);
        else if (e->match == MATCH_ECHO)
            put(t, " echo");
        else if (e->match == MATCH_BYTES)
            put(t, " (%llu B)", (unsigned long long)e->data.length);
        if (e->repeat_max)
            put(t, " x%u-%u", e->repeat, e->repeat_max);
        else if (e->repeat > 1)
            put(t, " x%u", e->repeat);
    }
}

static void describe_codes(text *t, const close_expectation *c)
{
    for (size_t i = 0; i < c->code_count; i++)
        put(t, "%s%u", i ? "/" : "", c->codes[i]);
    if (c->echo_code)
        put(t, "%secho", c->code_count ? "/" : "");
    if (!c->code_count && !c->echo_code)
        put(t, "any code");
}

static void describe_peer_close(text *t, const case_result *r)
{
    if (r->peer_close_code >= 0)
        put(t, "close %d%s%s%s", r->peer_close_code, r->peer_close_reason[0] ? " \"" : "",
            r->peer_close_reason, r->peer_close_reason[0] ? "\"" : "");
    else if (r->tcp_closed_by == BY_PEER)
        put(t, "a TCP drop without Close");
    else
        put(t, "no Close");
}

/* ---- the close verdict ----------------------------------------------------- */

static bool code_expected(const close_expectation *c, const case_result *r, int code)
{
    if (c->code_count == 0 && !c->echo_code)
        return true;
    for (size_t i = 0; i < c->code_count; i++)
        if (c->codes[i] == code)
            return true;
    return c->echo_code && r->our_close_code && r->our_close_code == code;
}

static close_verdict judge_close(const case_result *r, text *why)
{
    const close_expectation *c = &r->def->close;
    bool clean = result_clean(r);
    if (c->by == CLOSER_NONE) {
        /* Refused with an HTTP status, or by dropping TCP (§4.2.1 leaves the way open;
         * the expectations grade which one). */
        bool answered = r->event_count && r->events[0].kind == EVENT_HTTP;
        if (!r->handshake_done && (answered || r->tcp_closed_by == BY_PEER))
            return CLOSE_OK;
        put(why, r->handshake_done ? "the server accepted a handshake it must refuse"
                                   : "the server neither refused nor accepted the handshake");
        return CLOSE_FAILED;
    }
    if (!r->handshake_done) {
        put(why, "opening handshake was never completed");
        return CLOSE_FAILED;
    }
    endpoint expected = c->by == CLOSER_US ? BY_US : BY_PEER;
    if (r->closer != expected) {
        if (expected == BY_PEER) {
            put(why, "expected the peer to fail the connection (");
            describe_codes(why, c);
            put(why, " or TCP drop); the suite closed it");
            if (r->killed)
                put(why, " after the %u ms kill timer", r->kill_ms);
        } else {
            put(why, "the peer closed the connection first with ");
            describe_peer_close(why, r);
        }
        return CLOSE_FAILED;
    }
    if (c->clean_required && !clean) {
        put(why, "closing handshake not clean: ");
        if (!r->peer_sent_close)
            put(why, "the peer sent no Close");
        else if (r->tcp_closed_by != BY_PEER)
            put(why, "the server did not drop TCP after the closing handshake");
        else
            put(why, "the suite sent no Close");
        return CLOSE_UNCLEAN;
    }
    if (r->peer_close_code >= 0 && r->peer_close_code != WS_CLOSE_NO_STATUS &&
        !code_expected(c, r, r->peer_close_code)) {
        put(why, "the peer closed with %d; expected ", r->peer_close_code);
        describe_codes(why, c);
        return CLOSE_WRONG_CODE;
    }
    if (r->dropped_after_close_wait) {
        put(why, "the server did not drop TCP within 1 s of the closing handshake; the suite did");
        return CLOSE_FAILED_BY_CLIENT;
    }
    return CLOSE_OK;
}

void judge_case(case_result *r)
{
    const case_def *d = r->def;
    text why = {r->reason, sizeof r->reason, 0};
    r->reason[0] = '\0';

    if (r->failure[0]) {
        r->outcome = VERDICT_FAILED;
        r->close_outcome = CLOSE_FAILED;
        put(&why, "%s", r->failure);
        return;
    }
    /* What the peer's Close said is what an informational case reports on. */
    if (d->informational && (!r->violation[0] || r->violation_in_close)) {
        r->outcome = VERDICT_INFORMATIONAL;
        r->close_outcome = CLOSE_INFORMATIONAL;
        verdict seen;
        int which = judge_match(d, r, &seen);
        if (which >= 0)
            put(&why, "matched the %s sequence (line %d); ", verdict_name(seen),
                d->expectations ? d->expectations[which].line : d->line);
        put(&why, "observed ");
        describe_observed(&why, r);
        put(&why, "; peer sent ");
        describe_peer_close(&why, r);
        if (r->violation[0])
            put(&why, "; %s", r->violation);
        return;
    }

    verdict v = VERDICT_FAILED;
    int matched = judge_match(d, r, &v);
    r->outcome = matched >= 0 ? v : VERDICT_FAILED;
    if (r->violation[0]) {
        r->outcome = VERDICT_FAILED;
        put(&why, "%s", r->violation);
    } else if (matched < 0) {
        put(&why, "expected ");
        for (size_t i = 0; i < d->expectation_count; i++) {
            put(&why, "%s", i ? " or " : "");
            describe_expected(&why, &d->expectations[i]);
            if (d->expectation_count > 1)
                put(&why, " (%s)", verdict_name(d->expectations[i].verdict));
        }
        if (!d->expectation_count)
            put(&why, "nothing");
        put(&why, "; observed ");
        describe_observed(&why, r);
        if (r->killed)
            put(&why, " before the %u ms kill timer", r->kill_ms);
    } else if (v != VERDICT_OK && !(d->close.by == CLOSER_NONE && r->handshake_done)) {
        put(&why, "%s sequence: ", verdict_name(v));
        describe_observed(&why, r);
    }

    char close_why[256] = "";
    text cw = {close_why, sizeof close_why, 0};
    r->close_outcome = judge_close(r, &cw);
    if (d->close.by == CLOSER_NONE && r->handshake_done)
        r->outcome = VERDICT_FAILED; /* the case exists to see a refusal */
    if (r->close_outcome == CLOSE_WRONG_CODE && d->close.wrong_code_fatal)
        r->outcome = VERDICT_FAILED;
    if (r->close_outcome == CLOSE_FAILED && r->handshake_done && d->close.wrong_closer_fatal)
        r->outcome = VERDICT_FAILED;
    if (close_why[0]) {
        if (why.len)
            put(&why, "; ");
        put(&why, "%s", close_why);
    }
}
