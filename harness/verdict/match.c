/* Observed events against a case's acceptable sequences (cases/README.md,
 * "Expectations"): echoes, byte patterns, HTTP answers and repeat ranges. */
#include "verdict/judge.h"
#include "verdict/match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/payload.h"
#include "wscodec.h"

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

/* A message checked on arrival (echo_of): it is the message sent, so an
 * `echo` matches when it is the one expected here, and a payload when the
 * message sent equals it. */
static bool echoed_matches(const case_result *r, const expected_event *x, const observed_event *e,
                           size_t message_index)
{
    const sent_message *sent = result_sent(r, false, e->echo_of - 1);
    if (x->match == MATCH_ECHO)
        return x->kind == EVENT_MESSAGE && e->echo_of - 1 == message_index;
    if (x->data.length != e->length || !sent)
        return false;
    uint8_t *bytes = malloc(e->length ? (size_t)e->length : 1);
    if (!bytes)
        abort();
    sent_message_head(sent, bytes, (size_t)e->length);
    bool same = payload_equal_bytes(&x->data, bytes, e->length);
    free(bytes);
    return same;
}

/* Whether observed event e can be the expected x. message_index and
 * pong_index count the messages and pongs observed before e: the k-th
 * `echo` compares with the k-th message or ping sent. With unsent_ok, an echo
 * of a message the case has not sent yet counts as possible. */
static bool event_matches(const case_result *r, const expected_event *x, const observed_event *e,
                          size_t message_index, size_t pong_index, bool unsent_ok)
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
    if (e->echo_of)
        return echoed_matches(r, x, e, message_index);
    if (e->length && !e->data)
        return false; /* not kept (over the cap): cannot be compared */
    if (x->match == MATCH_BYTES)
        return payload_equal_bytes(&x->data, e->data, e->length);
    if (x->kind != EVENT_MESSAGE && x->kind != EVENT_PONG)
        return false;
    const sent_message *m = result_sent(r, x->kind == EVENT_PONG,
                                     x->kind == EVENT_PONG ? pong_index : message_index);
    if (!m)
        return unsent_ok;
    return sent_message_equals(m, e->data, e->length);
}

static void repeat_bounds(const expected_event *ev, size_t *least, size_t *most)
{
    *least = ev->repeat_max ? ev->repeat : (ev->repeat ? ev->repeat : 1);
    *most = ev->repeat_max ? ev->repeat_max : *least;
}

/* Working memory for matching one observed sequence, shared by expectations. */
typedef struct matcher {
    const case_result *r;
    size_t n;                 /* observed events */
    size_t *messages_before;  /* [i]: messages among events[0..i) */
    size_t *pongs_before;
    size_t *run;              /* [i]: events from i on matching the current item */
    int8_t *matched;          /* [i]: -1 not compared yet, else 0/1 */
    uint8_t *reach, *next;    /* positions where the current item can start */
    long *marks;
    bool unsent_ok;
} matcher;

#define RUN_UNKNOWN SIZE_MAX

static void *zalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size);
    if (!p)
        abort(); /* bounded by the event cap of a case */
    return p;
}

static void matcher_init(matcher *m, const case_result *r, bool unsent_ok)
{
    size_t n = r->event_count;
    m->r = r;
    m->n = n;
    m->unsent_ok = unsent_ok;
    m->messages_before = zalloc(n + 1, sizeof *m->messages_before);
    m->pongs_before = zalloc(n + 1, sizeof *m->pongs_before);
    for (size_t i = 0; i < n; i++) {
        m->messages_before[i + 1] = m->messages_before[i] + (r->events[i].kind == EVENT_MESSAGE);
        m->pongs_before[i + 1] = m->pongs_before[i] + (r->events[i].kind == EVENT_PONG);
    }
    m->run = zalloc(n + 1, sizeof *m->run);
    m->matched = zalloc(n + 1, sizeof *m->matched);
    m->reach = zalloc(n + 1, 1);
    m->next = zalloc(n + 1, 1);
    m->marks = zalloc(n + 2, sizeof *m->marks);
}

static void matcher_free(matcher *m)
{
    free(m->messages_before);
    free(m->pongs_before);
    free(m->run);
    free(m->matched);
    free(m->reach);
    free(m->next);
    free(m->marks);
}

/* How many events from position o on match ev, one after the other. Each
 * event is compared with ev at most once. */
static size_t run_from(matcher *m, const expected_event *ev, size_t o)
{
    size_t j = o;
    while (m->run[j] == RUN_UNKNOWN) {
        if (m->matched[j] < 0)
            m->matched[j] = event_matches(m->r, ev, &m->r->events[j], m->messages_before[j],
                                          m->pongs_before[j], m->unsent_ok);
        if (!m->matched[j]) {
            m->run[j] = 0;
            break;
        }
        j++;
    }
    while (j > o) {
        j--;
        m->run[j] = m->run[j + 1] + 1;
    }
    return m->run[o];
}

/* Whether the peer can still produce the events an expectation needs after
 * the n observed ones: `need` copies of item `from` (then the least of every
 * later item). An HTTP answer can only be the first and only event, before
 * the handshake completed, and nothing follows it. */
static bool rest_possible(const matcher *m, const expectation *x, size_t from, size_t need)
{
    size_t total = need, http = x->events[from].kind == EVENT_HTTP ? need : 0;
    for (size_t i = from + 1; i < x->event_count; i++) {
        size_t least, most;
        repeat_bounds(&x->events[i], &least, &most);
        total += least;
        if (x->events[i].kind == EVENT_HTTP)
            http += least;
    }
    if (total == 0)
        return true;
    if (m->n && m->r->events[m->n - 1].kind == EVENT_HTTP)
        return false;
    if (http)
        return m->n == 0 && total == 1 && !m->r->handshake_done;
    return true;
}

/* Matches the observed events against x: *exact when they are one of the
 * sequences x accepts, *prefix when they are (or begin) one. Positions where
 * each item may start are tracked as a set, so ranged items cost no
 * backtracking: O(items * events). */
static void scan_expectation(matcher *m, const expectation *x, bool *exact, bool *prefix)
{
    size_t n = m->n;
    memset(m->reach, 0, n + 1);
    m->reach[0] = 1;
    *exact = *prefix = false;
    bool any = true;
    for (size_t ei = 0; ei < x->event_count && any; ei++) {
        const expected_event *ev = &x->events[ei];
        size_t least, most;
        repeat_bounds(ev, &least, &most);
        for (size_t i = 0; i < n; i++) {
            m->run[i] = RUN_UNKNOWN;
            m->matched[i] = -1;
        }
        m->run[n] = 0;
        memset(m->marks, 0, (n + 2) * sizeof *m->marks);
        for (size_t o = 0; o <= n; o++) {
            if (!m->reach[o])
                continue;
            size_t run = run_from(m, ev, o);
            /* Every remaining observed event is a copy of this item. */
            if (!*prefix && run >= n - o && n - o <= most &&
                rest_possible(m, x, ei, least > n - o ? least - (n - o) : 0))
                *prefix = true;
            size_t hi = o + (run < most ? run : most);
            if (o + least <= hi) {
                m->marks[o + least]++;
                m->marks[hi + 1]--;
            }
        }
        long depth = 0;
        any = false;
        for (size_t p = 0; p <= n; p++) {
            depth += m->marks[p];
            m->reach[p] = depth > 0;
            any |= depth > 0;
        }
    }
    if (any && m->reach[n]) {
        *exact = true;
        *prefix = true;
    }
}

static const expectation nothing_expected = {.verdict = VERDICT_OK};

const expectation *expectation_at(const case_def *d, size_t i)
{
    return d->expectation_count ? &d->expectations[i] : &nothing_expected;
}

static size_t expectation_total(const case_def *d)
{
    return d->expectation_count ? d->expectation_count : 1;
}

/* The first expectation the observed events equal (as_prefix false) or begin
 * (true: an echo of a message not sent yet counts as possible), or -1. */
static int first_expectation(const case_def *d, const case_result *r, bool as_prefix,
                             verdict *v)
{
    matcher m;
    matcher_init(&m, r, as_prefix);
    int found = -1;
    for (size_t i = 0; i < expectation_total(d) && found < 0; i++) {
        bool exact, prefix;
        scan_expectation(&m, expectation_at(d, i), &exact, &prefix);
        if (as_prefix ? prefix : exact) {
            *v = expectation_at(d, i)->verdict;
            found = (int)i;
        }
    }
    matcher_free(&m);
    return found;
}

int judge_match(const case_def *d, const case_result *r, verdict *v)
{
    return first_expectation(d, r, false, v);
}

int judge_prefix(const case_def *d, const case_result *r, verdict *v)
{
    return first_expectation(d, r, true, v);
}

bool judge_still_possible(const case_def *d, const case_result *r)
{
    verdict v;
    bool ended = r->peer_sent_close || r->tcp_closed_by != NOBODY ||
                 (r->event_count && r->events[r->event_count - 1].kind == EVENT_HTTP);
    if (ended)
        return judge_match(d, r, &v) >= 0;
    return judge_prefix(d, r, &v) >= 0;
}
