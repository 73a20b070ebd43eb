/* The two verdicts of a case (see cases/README.md, "Verdicts"). */
#define _DEFAULT_SOURCE
#include "verdict/judge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lang/names.h"
#include "lang/payload.h"
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
    if (e->length && !e->data)
        return false; /* not kept (over the cap): cannot be compared */
    if (x->match == MATCH_BYTES)
        return payload_equal_bytes(&x->data, e->data, e->length);
    if (x->kind != EVENT_MESSAGE && x->kind != EVENT_PONG)
        return false;
    const sent_message *m = nth_sent(r, x->kind == EVENT_PONG,
                                     x->kind == EVENT_PONG ? pong_index : message_index);
    if (!m)
        return unsent_ok;
    return equals_sent(m, e->data, e->length);
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

static const expectation *expectation_at(const case_def *d, size_t i)
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

static int judge_prefix(const case_def *d, const case_result *r, verdict *v)
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

/* ---- reasons ------------------------------------------------------------- */

typedef struct text {
    char *buf;
    size_t cap, len;
    bool cut;  /* something did not fit */
} text;

static void put(text *t, const char *fmt, ...)
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

/* Separates the parts of a reason. */
static void part(text *t)
{
    if (t->len)
        put(t, "; ");
}

static bool same_shape(const observed_event *a, const observed_event *b)
{
    return a->kind == b->kind && a->opcode == b->opcode && a->length == b->length &&
           a->status == b->status &&
           (a->tag == b->tag || (a->tag && b->tag && strcmp(a->tag, b->tag) == 0));
}

/* Runs of alike events are written once with their count ("pong (5 B) x37"). */
#define OBSERVED_RUNS_SHOWN 6

static void describe_observed(text *t, const case_result *r)
{
    if (r->event_count == 0) {
        put(t, "nothing");
        return;
    }
    size_t runs = 0;
    for (size_t i = 0; i < r->event_count;) {
        const observed_event *e = &r->events[i];
        size_t same = 1;
        while (i + same < r->event_count && same_shape(e, &r->events[i + same]))
            same++;
        if (runs == OBSERVED_RUNS_SHOWN) {
            put(t, ", ... %zu events in all", r->event_count);
            return;
        }
        put(t, "%s%s", runs ? ", " : "", event_spelling(e->kind, e->opcode));
        if (e->kind == EVENT_TIMEOUT)
            put(t, " %s", e->tag ? e->tag : "");
        else if (e->kind == EVENT_HTTP)
            put(t, " %d", e->status);
        else
            put(t, " (%zu B)", e->length);
        if (same > 1)
            put(t, " x%zu", same);
        runs++;
        i += same;
    }
}

/* A short printable payload as the case language writes it, else its size. */
static void describe_payload(text *t, const payload *p)
{
    bool literal = p->pattern && p->pattern_length == p->length && p->length <= 32;
    for (uint64_t i = 0; literal && i < p->length; i++)
        literal = p->pattern[i] >= 0x20 && p->pattern[i] < 0x7f;
    if (!literal) {
        put(t, " (%llu B)", (unsigned long long)p->length);
        return;
    }
    put(t, " \"");
    for (uint64_t i = 0; i < p->length; i++)
        put(t, p->pattern[i] == '"' || p->pattern[i] == '\\' ? "\\%c" : "%c", p->pattern[i]);
    put(t, "\"");
}

/* One acceptable sequence, in the words of the case language. */
static void describe_expected(text *t, const expectation *x)
{
    if (x->event_count == 0) {
        put(t, "nothing");
        return;
    }
    for (size_t i = 0; i < x->event_count; i++) {
        const expected_event *e = &x->events[i];
        put(t, "%s%s", i ? ", " : "", event_spelling(e->kind, e->opcode));
        if (e->kind == EVENT_TIMEOUT) {
            put(t, " %s", e->tag ? e->tag : "");
        } else if (e->kind == EVENT_HTTP) {
            put(t, e->status_min == e->status_max ? " %u" : " %u-%u", e->status_min, e->status_max);
            for (size_t h = 0; h < e->header_count; h++)
                put(t, e->headers[h].value ? " header \"%s: %s\"" : " header \"%s\"",
                    e->headers[h].name, e->headers[h].value);
        } else if (e->match == MATCH_ECHO) {
            put(t, " echo");
        } else if (e->match == MATCH_BYTES) {
            describe_payload(t, &e->data);
        }
        if (e->repeat_max)
            put(t, " x%u-%u", e->repeat, e->repeat_max);
        else if (e->repeat > 1)
            put(t, " x%u", e->repeat);
    }
}

/* Every acceptable sequence, each with its verdict when there are several. */
static void describe_all_expected(text *t, const case_def *d)
{
    put(t, "expected ");
    if (!d->expectation_count)
        put(t, "nothing");
    for (size_t i = 0; i < d->expectation_count; i++) {
        put(t, "%s", i ? " or " : "");
        describe_expected(t, &d->expectations[i]);
        if (d->expectation_count > 1)
            put(t, " (%s)", verdict_name(d->expectations[i].verdict));
    }
}

/* The OK sequences, for a reason about a lesser match. */
static void describe_ok_sequences(text *t, const case_def *d)
{
    size_t shown = 0;
    for (size_t i = 0; i < d->expectation_count; i++) {
        if (d->expectations[i].verdict != VERDICT_OK)
            continue;
        put(t, shown++ ? " or " : " (OK: ");
        describe_expected(t, &d->expectations[i]);
    }
    if (shown)
        put(t, ")");
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

/* What judge_close found besides the verdict. */
typedef struct close_finding {
    const close_tolerance *tolerated; /* a `tolerate` line applied, or NULL */
    bool peer_ended_early;            /* the peer closed first, tolerated: grade a prefix */
} close_finding;

static bool code_in(const uint16_t *codes, size_t count, int code)
{
    for (size_t i = 0; i < count; i++)
        if (codes[i] == code)
            return true;
    return false;
}

static bool code_expected(const close_expectation *c, const case_result *r, int code)
{
    if (c->code_count == 0 && !c->echo_code)
        return true;
    if (code_in(c->codes, c->code_count, code))
        return true;
    /* The peer answering the suite's own Close with the same code is the normal
     * closing handshake (5.5.1: it "typically echos the status code it received"). */
    if (r->suite_close && r->closer == BY_US && r->our_close_code == code)
        return true;
    return c->echo_code && r->our_close_code && r->our_close_code == code;
}

static void describe_tolerance(text *t, const close_tolerance *tol)
{
    put(t, " (tolerated as %s: %s)", verdict_name(tol->verdict), tol->why);
}

static const close_tolerance *tolerance(const close_expectation *c, close_situation s, bool may)
{
    return may && c->tolerate[s].allowed ? &c->tolerate[s] : NULL;
}

/* Decides close_outcome. A failing verdict explains itself in *fail; a
 * tolerated one in *note. Tolerances apply only when the events broke
 * nothing else (events_ok): a peer that misbehaved is not excused its close. */
static close_verdict judge_close(const case_result *r, bool events_ok, text *fail, text *note,
                                 close_finding *f)
{
    const close_expectation *c = &r->def->close;
    bool clean = result_clean(r);
    memset(f, 0, sizeof *f);
    if (c->by == CLOSER_NONE) {
        /* Refused with an HTTP status, or by dropping TCP (§4.2.1 leaves the way open;
         * the expectations grade which one). */
        bool answered = r->event_count && r->events[0].kind == EVENT_HTTP;
        if (!r->handshake_done && (answered || r->tcp_closed_by == BY_PEER))
            return CLOSE_OK;
        if (!r->handshake_done) /* an accepted handshake is told by judge_case */
            put(fail, "the server neither refused nor accepted the handshake");
        return CLOSE_FAILED;
    }
    if (!r->handshake_done) {
        put(fail, "opening handshake was never completed");
        return CLOSE_FAILED;
    }
    endpoint expected = c->by == CLOSER_US ? BY_US : BY_PEER;
    if (r->closer != expected) {
        const close_tolerance *tol = NULL;
        if (expected == BY_PEER) {
            bool kill_closed = r->killed && r->suite_close &&
                               r->our_close_code == WS_CLOSE_GOING_AWAY;
            if (kill_closed && (tol = tolerance(c, SITUATION_KILL, events_ok))) {
                put(note, "the peer did not fail the connection within the %u ms kill timer; "
                          "expected ", r->kill_ms);
                describe_codes(note, c);
                put(note, " or a TCP drop");
                describe_tolerance(note, tol);
                f->tolerated = tol;
                return CLOSE_OK;
            }
            put(fail, "expected the peer to fail the connection (");
            describe_codes(fail, c);
            put(fail, " or TCP drop); the suite closed it");
            if (r->killed)
                put(fail, " after the %u ms kill timer", r->kill_ms);
            return CLOSE_FAILED;
        }
        if (r->peer_sent_close && (tol = tolerance(c, SITUATION_PEER_CLOSE, events_ok))) {
            put(note, "the peer closed the connection first with ");
            describe_peer_close(note, r);
            put(note, "; expected the suite to close it");
            describe_tolerance(note, tol);
            f->tolerated = tol;
            f->peer_ended_early = true;
            if (c->clean_required && !clean)
                goto unclean;
            goto after_code;
        }
        if (!r->peer_sent_close && r->tcp_closed_by == BY_PEER &&
            (tol = tolerance(c, SITUATION_PEER_DROP, events_ok))) {
            put(note, "the peer dropped TCP without a Close; expected the suite to close the "
                      "connection");
            describe_tolerance(note, tol);
            f->tolerated = tol;
            f->peer_ended_early = true;
            return CLOSE_OK;
        }
        put(fail, "the peer closed the connection first with ");
        describe_peer_close(fail, r);
        return CLOSE_FAILED;
    }
    if (c->clean_required && !clean)
        goto unclean;
    if (r->peer_close_code >= 0 && r->peer_close_code != WS_CLOSE_NO_STATUS &&
        !code_expected(c, r, r->peer_close_code)) {
        const close_tolerance *tol = tolerance(c, SITUATION_CODE, events_ok);
        if (tol && code_in(c->tolerated_codes, c->tolerated_code_count, r->peer_close_code)) {
            put(note, "the peer closed with %d; expected ", r->peer_close_code);
            describe_codes(note, c);
            describe_tolerance(note, tol);
            f->tolerated = tol;
        } else {
            put(fail, "the peer closed with %d; expected ", r->peer_close_code);
            describe_codes(fail, c);
            return CLOSE_WRONG_CODE;
        }
    }
after_code:
    if (r->dropped_after_close_wait) {
        put(fail, "the server did not drop TCP within 1 s of the closing handshake; the suite did");
        return CLOSE_FAILED_BY_CLIENT;
    }
    return CLOSE_OK;
unclean:
    put(fail, "closing handshake not clean: ");
    if (!r->peer_sent_close)
        put(fail, "the peer sent no Close");
    else if (r->tcp_closed_by != BY_PEER)
        put(fail, "the server did not drop TCP after the closing handshake");
    else
        put(fail, "the suite sent no Close");
    return CLOSE_UNCLEAN;
}

/* ---- the outcome and the reason --------------------------------------------- */

/* How far a verdict is from OK: the worse of two verdicts wins. */
static int severity(verdict v)
{
    switch (v) {
    case VERDICT_OK:
        return 0;
    case VERDICT_INFORMATIONAL:
        return 1;
    case VERDICT_UNIMPLEMENTED:
        return 2;
    case VERDICT_NON_STRICT:
        return 3;
    case VERDICT_FAILED:
        return 5;
    default:
        return 4;
    }
}

static verdict worse(verdict a, verdict b)
{
    return severity(b) > severity(a) ? b : a;
}

static void judge_informational(case_result *r, text *why)
{
    const case_def *d = r->def;
    r->outcome = VERDICT_INFORMATIONAL;
    r->close_outcome = CLOSE_INFORMATIONAL;
    verdict seen;
    int which = judge_match(d, r, &seen);
    if (which >= 0)
        put(why, "matched the %s sequence (line %d); ", verdict_name(seen),
            d->expectations ? d->expectations[which].line : d->line);
    put(why, "observed ");
    describe_observed(why, r);
    put(why, "; peer sent ");
    describe_peer_close(why, r);
    if (r->violation[0])
        put(why, "; %s", r->violation);
}

/* The reason lists what failed first (the outcome's failure, then the
 * close's), then what was tolerated, then a lesser sequence that matched. */
void judge_case(case_result *r)
{
    const case_def *d = r->def;
    text why = {r->reason, sizeof r->reason, 0, false};
    r->reason[0] = '\0';

    if (r->failure[0]) {
        r->outcome = VERDICT_FAILED;
        r->close_outcome = CLOSE_FAILED;
        put(&why, "%s", r->failure);
    } else if (d->informational && (!r->violation[0] || r->violation_in_close)) {
        /* What the peer's Close said is what an informational case reports on. */
        judge_informational(r, &why);
    } else {
        verdict v = VERDICT_FAILED;
        int matched = judge_match(d, r, &v);
        /* A peer that closed first (where that may be tolerated) had no chance to
         * finish a sequence: its events need only begin one. */
        bool peer_first = d->close.by == CLOSER_US && r->closer == BY_PEER &&
                          (d->close.tolerate[SITUATION_PEER_CLOSE].allowed ||
                           d->close.tolerate[SITUATION_PEER_DROP].allowed);
        bool as_prefix = false;
        if (matched < 0 && peer_first) {
            matched = judge_prefix(d, r, &v);
            as_prefix = matched >= 0;
        }

        char fail_buf[256] = "", note_buf[384] = "";
        text close_fail = {fail_buf, sizeof fail_buf, 0, false};
        text close_note = {note_buf, sizeof note_buf, 0, false};
        close_finding found;
        r->close_outcome = judge_close(r, !r->violation[0] && matched >= 0, &close_fail,
                                       &close_note, &found);
        if (as_prefix && !found.peer_ended_early)
            matched = -1; /* a beginning counts only when the early close was tolerated */
        bool accepted_refusal = d->close.by == CLOSER_NONE && r->handshake_done;
        r->outcome = matched >= 0 ? v : VERDICT_FAILED;
        if (r->violation[0] || accepted_refusal)
            r->outcome = VERDICT_FAILED;
        if (r->close_outcome == CLOSE_WRONG_CODE && d->close.wrong_code_fatal)
            r->outcome = VERDICT_FAILED;
        if (r->close_outcome == CLOSE_FAILED && r->handshake_done && d->close.wrong_closer_fatal)
            r->outcome = VERDICT_FAILED;
        if (found.tolerated)
            r->outcome = worse(r->outcome, found.tolerated->verdict);

        /* 1. what made the outcome fail on its own */
        if (r->violation[0]) {
            put(&why, "%s", r->violation);
        } else if (accepted_refusal) {
            put(&why, "the server accepted a handshake it must refuse; ");
            describe_all_expected(&why, d);
        } else if (matched < 0) {
            describe_all_expected(&why, d);
            put(&why, "; observed ");
            describe_observed(&why, r);
            if (r->killed)
                put(&why, " before the %u ms kill timer", r->kill_ms);
            else if (r->decided_early)
                put(&why, " (no acceptable sequence could follow: the suite closed at once)");
        }
        /* 2. the close's failure */
        if (close_fail.len) {
            part(&why);
            put(&why, "%s", fail_buf);
        }
        /* 3. what was tolerated */
        if (close_note.len) {
            part(&why);
            put(&why, "%s", note_buf);
        }
        /* 4. a sequence that matched, with less than OK or only its beginning */
        if (!r->violation[0] && !accepted_refusal && matched >= 0 && (v != VERDICT_OK || as_prefix)) {
            part(&why);
            if (as_prefix)
                put(&why, "observed ");
            else
                put(&why, "%s sequence: ", verdict_name(v));
            describe_observed(&why, r);
            if (as_prefix) {
                put(&why, ", the beginning of the %s sequence ", verdict_name(v));
                describe_expected(&why, expectation_at(d, (size_t)matched));
            } else {
                describe_ok_sequences(&why, d);
            }
        }
        why.cut |= close_fail.cut || close_note.cut;
    }
    if (why.cut && why.cap > 4)
        memcpy(why.buf + why.cap - 4, "...", 4);
}
