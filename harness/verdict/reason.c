/* The words of a reason: what was observed and what was expected, as the
 * case language writes it. */
#include "verdict/reason.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/names.h"
#include "wscodec.h"

void reason_put(reason_text *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->cap) {
        t->cut = true;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= t->cap - t->len) {
        t->cut = true;
        t->len = t->cap - 1;
    } else {
        t->len += (size_t)n;
    }
}

void reason_part(reason_text *t)
{
    if (t->len)
        reason_put(t, "; ");
}

void reason_finish(reason_text *t)
{
    if (t->cut && t->cap > 4)
        memcpy(t->buf + t->cap - 4, "...", 4);
}

static bool same_shape(const observed_event *a, const observed_event *b)
{
    return a->kind == b->kind && a->opcode == b->opcode && a->length == b->length &&
           a->status == b->status &&
           (a->tag == b->tag || (a->tag && b->tag && strcmp(a->tag, b->tag) == 0));
}

/* Runs of alike events are written once with their count ("pong (5 B) x37"). */
#define OBSERVED_RUNS_SHOWN 6

void describe_observed(reason_text *t, const case_result *r)
{
    if (r->event_count == 0) {
        reason_put(t, "nothing");
        return;
    }
    size_t runs = 0;
    for (size_t i = 0; i < r->event_count;) {
        const observed_event *e = &r->events[i];
        size_t same = 1;
        while (i + same < r->event_count && same_shape(e, &r->events[i + same]))
            same++;
        if (runs == OBSERVED_RUNS_SHOWN) {
            reason_put(t, ", ... %zu events in all", r->event_count);
            return;
        }
        reason_put(t, "%s%s", runs ? ", " : "", event_spelling(e->kind, e->opcode));
        if (e->kind == EVENT_TIMEOUT)
            reason_put(t, " %s", e->tag ? e->tag : "");
        else if (e->kind == EVENT_HTTP)
            reason_put(t, " %d", e->status);
        else if (e->over_limit)
            reason_put(t, " (over %zu B, the suite's limit for the case)", e->length - 1);
        else
            reason_put(t, " (%zu B)", e->length);
        if (same > 1)
            reason_put(t, " x%zu", same);
        runs++;
        i += same;
    }
}

/* A short printable payload as the case language writes it, else its size. */
static void describe_payload(reason_text *t, const payload *p)
{
    bool literal = p->pattern && p->pattern_length == p->length && p->length <= 32;
    for (uint64_t i = 0; literal && i < p->length; i++)
        literal = p->pattern[i] >= 0x20 && p->pattern[i] < 0x7f;
    if (!literal) {
        reason_put(t, " (%llu B)", (unsigned long long)p->length);
        return;
    }
    reason_put(t, " \"");
    for (uint64_t i = 0; i < p->length; i++)
        reason_put(t, p->pattern[i] == '"' || p->pattern[i] == '\\' ? "\\%c" : "%c",
                   p->pattern[i]);
    reason_put(t, "\"");
}

/* One acceptable sequence, in the words of the case language. */
void describe_expected(reason_text *t, const expectation *x)
{
    if (x->event_count == 0) {
        reason_put(t, "nothing");
        return;
    }
    for (size_t i = 0; i < x->event_count; i++) {
        const expected_event *e = &x->events[i];
        reason_put(t, "%s%s", i ? ", " : "", event_spelling(e->kind, e->opcode));
        if (e->kind == EVENT_TIMEOUT) {
            reason_put(t, " %s", e->tag ? e->tag : "");
        } else if (e->kind == EVENT_HTTP) {
            reason_put(t, e->status_min == e->status_max ? " %u" : " %u-%u", e->status_min,
                       e->status_max);
            for (size_t h = 0; h < e->header_count; h++)
                reason_put(t, e->headers[h].value ? " header \"%s: %s\"" : " header \"%s\"",
                           e->headers[h].name, e->headers[h].value);
        } else if (e->match == MATCH_ECHO) {
            reason_put(t, " echo");
        } else if (e->match == MATCH_BYTES) {
            describe_payload(t, &e->data);
        }
        if (e->repeat_max)
            reason_put(t, " x%u-%u", e->repeat, e->repeat_max);
        else if (e->repeat > 1)
            reason_put(t, " x%u", e->repeat);
    }
}

/* Every acceptable sequence, each with its verdict when there are several. */
void describe_all_expected(reason_text *t, const case_def *d)
{
    reason_put(t, "expected ");
    if (!d->expectation_count)
        reason_put(t, "nothing");
    for (size_t i = 0; i < d->expectation_count; i++) {
        reason_put(t, "%s", i ? " or " : "");
        describe_expected(t, &d->expectations[i]);
        if (d->expectation_count > 1)
            reason_put(t, " (%s)", verdict_name(d->expectations[i].verdict));
    }
}

/* The OK sequences, for a reason about a lesser match. */
void describe_ok_sequences(reason_text *t, const case_def *d)
{
    size_t shown = 0;
    for (size_t i = 0; i < d->expectation_count; i++) {
        if (d->expectations[i].verdict != VERDICT_OK)
            continue;
        reason_put(t, shown++ ? " or " : " (OK: ");
        describe_expected(t, &d->expectations[i]);
    }
    if (shown)
        reason_put(t, ")");
}

void describe_codes(reason_text *t, const close_expectation *c)
{
    for (size_t i = 0; i < c->code_count; i++)
        reason_put(t, "%s%u", i ? "/" : "", c->codes[i]);
    if (c->echo_code)
        reason_put(t, "%secho", c->code_count ? "/" : "");
    if (!c->code_count && !c->echo_code)
        reason_put(t, "any code");
}

void describe_peer_close(reason_text *t, const case_result *r)
{
    if (r->peer_close_code >= 0)
        reason_put(t, "close %d%s%s%s", r->peer_close_code, r->peer_close_reason[0] ? " \"" : "",
                   r->peer_close_reason, r->peer_close_reason[0] ? "\"" : "");
    else if (r->tcp_closed_by == BY_PEER)
        reason_put(t, "a TCP drop without Close");
    else
        reason_put(t, "no Close");
}

void describe_tolerance(reason_text *t, const close_tolerance *tol)
{
    reason_put(t, " (tolerated as %s: %s)", verdict_name(tol->verdict), tol->why);
}
