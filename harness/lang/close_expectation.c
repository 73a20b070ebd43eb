/* How the connection must end: close, tolerate, and the timers kill and
 * close-after; informational. */
#include "lang/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/names.h"

/* The words after `close WHO`: codes (blanks may follow the commas, so they
 * are gathered into `codes`), then flags. */
static int close_words(parser *ps, int line, span rest, close_expectation *c, bool *clean,
                       bool *any, char *codes, size_t cap, size_t *codes_len)
{
    char show_buf[SHOW_MAX];
    span tok;
    while (next_token(&rest, &tok)) {
        bool *flag = span_is(tok, "clean")          ? clean
                     : span_is(tok, "any")          ? any
                     : span_is(tok, "fatal-closer") ? &c->wrong_closer_fatal
                     : span_is(tok, "fatal-code")   ? &c->wrong_code_fatal
                                                    : NULL;
        if (flag) {
            if (*flag)
                return fail(ps, line, "expected each close flag once, found a second %s", SHOW(tok));
            *flag = true;
            continue;
        }
        if (*clean || *any || c->wrong_closer_fatal || c->wrong_code_fatal)
            return fail(ps, line, "expected close flags (clean, any, fatal-closer, fatal-code) "
                                  "after the codes, found %s", SHOW(tok));
        if (*codes_len + tok.n >= cap)
            return fail(ps, line, "expected at most %d close codes, found more", CLOSE_CODES_MAX);
        memcpy(codes + *codes_len, tok.p, tok.n);
        *codes_len += tok.n;
    }
    return 0;
}

/* CODES: comma-separated codes and echo. */
static int close_codes(parser *ps, int line, span list, close_expectation *c)
{
    char show_buf[SHOW_MAX];
    for (;;) {
        span item, tail;
        bool more = split_top(list, ',', &item, &tail);
        uint64_t code;
        if (span_is(item, "echo")) {
            if (c->echo_code)
                return fail(ps, line, "expected echo once in the close codes, found it twice");
            c->echo_code = true;
        } else if (parse_uint(item, 65535, &code)) {
            if (c->code_count == CLOSE_CODES_MAX)
                return fail(ps, line, "expected at most %d close codes, found more",
                            CLOSE_CODES_MAX);
            c->codes[c->code_count++] = (uint16_t)code;
        } else {
            return fail(ps, line, "expected a close code 0..65535, echo or -, found %s",
                        item.n ? SHOW(item) : "an empty item");
        }
        if (!more)
            return 0;
        list = tail;
    }
}

/* close WHO CODES [clean|any] [fatal-closer] [fatal-code] */
static int parse_close(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    close_expectation c = {0};
    span tok;
    int by;
    next_token(&rest, &tok);
    if (!name_lookup(&closer_names, tok.p, tok.n, &by)) {
        char list[64];
        name_list(&closer_names, " or ", list, sizeof list);
        return fail(ps, line, "expected %s after close, found %s", list, SHOW(tok));
    }
    c.by = (closer)by;
    char codes[256];
    size_t codes_len = 0;
    bool clean = false, any = false;
    if (close_words(ps, line, rest, &c, &clean, &any, codes, sizeof codes, &codes_len) != 0)
        return -1;
    if (clean && any)
        return fail(ps, line, "expected either clean or any, found both");
    if (codes_len == 0 && c.by != CLOSER_NONE)
        return fail(ps, line, "expected close codes (e.g. 1000, 1002,1007, echo or -) after "
                              "close %s, found none", closer_name(c.by));
    span list = span_of(codes, codes_len);
    if (codes_len && !span_is(list, "-")) {
        if (close_codes(ps, line, list, &c) != 0)
            return -1;
        if (c.by == CLOSER_NONE)
            return fail(ps, line, "expected no close codes with close none, found %s", SHOW(list));
    }
    c.clean_required = clean || (c.by == CLOSER_US && !any);
    /* `tolerate` lines may come before the close line. */
    memcpy(c.tolerate, b->c.close.tolerate, sizeof c.tolerate);
    memcpy(c.tolerated_codes, b->c.close.tolerated_codes, sizeof c.tolerated_codes);
    c.tolerated_code_count = b->c.close.tolerated_code_count;
    b->c.close = c;
    return 0;
}

/* tolerate ... code CODES: the codes run up to the quoted reason; blanks may
 * follow the commas. */
static int tolerated_codes(parser *ps, int line, span *body, close_expectation *c)
{
    char show_buf[SHOW_MAX];
    const char *quote = memchr(body->p, '"', body->n);
    size_t before = quote ? (size_t)(quote - body->p) : body->n;
    span list = trim(span_of(body->p, before)), tok;
    if (list.n == 0) {
        next_token(body, &tok);
        return fail(ps, line, "expected close codes 0..65535 after tolerate ... code (e.g. "
                              "1002 or 1002,1011), found %s", SHOW(tok));
    }
    *body = span_from(*body, before);
    for (;;) {
        span item, tail;
        bool more = split_top(list, ',', &item, &tail);
        item = trim(item);
        uint64_t code;
        if (!parse_uint(item, 65535, &code))
            return fail(ps, line, "expected close codes 0..65535 after tolerate ... code "
                                  "(e.g. 1002 or 1002,1011), found %s",
                        item.n ? SHOW(item) : "an empty item");
        if (c->tolerated_code_count == CLOSE_CODES_MAX)
            return fail(ps, line, "expected at most %d close codes, found more", CLOSE_CODES_MAX);
        c->tolerated_codes[c->tolerated_code_count++] = (uint16_t)code;
        if (!more)
            return 0;
        list = tail;
    }
}

/* "WHY": the RFC's grounds, the rest of a tolerate line. */
static int tolerance_reason(parser *ps, int line, span body, close_tolerance *t)
{
    char show_buf[SHOW_MAX];
    span tok;
    next_token(&body, &tok);
    if (tok.n == 0 || tok.p[0] != '"')
        return fail(ps, line, "expected a quoted reason (the RFC's grounds) after the situation, "
                              "found %s", SHOW(tok));
    if (expect_end(ps, line, body, "the reason") != 0)
        return -1;
    char *why = NULL;
    if (text_argument(ps, line, tok, "a reason", &why) != 0)
        return -1;
    size_t n = strlen(why);
    if (n == 0 || n >= sizeof t->why) {
        free(why);
        return fail(ps, line, "expected a reason of 1 to %zu bytes, found %zu",
                    sizeof t->why - 1, n);
    }
    memcpy(t->why, why, n + 1);
    free(why);
    return 0;
}

/* tolerate VERDICT: (kill | code CODES | peer-close | peer-drop | refused) "WHY" */
static int parse_tolerate(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span head, body, word;
    if (!split_top(rest, ':', &head, &body))
        return fail(ps, line, "expected VERDICT: SITUATION \"WHY\" (e.g. NON-STRICT: kill "
                              "\"...\"), found %s", SHOW(trim(rest)));
    verdict v;
    if (!parse_expectable_verdict(trim(head), &v) ||
        (v != VERDICT_NON_STRICT && v != VERDICT_INFORMATIONAL))
        return fail(ps, line, "expected NON-STRICT or INFORMATIONAL before ':' in tolerate, "
                              "found %s", SHOW(trim(head)));
    next_token(&body, &word);
    int which;
    if (!name_lookup(&situation_names, word.p, word.n, &which))
        return fail(ps, line, "expected a situation (kill, code CODES, peer-close, peer-drop, "
                              "refused) "
                              "after tolerate %s:, found %s", verdict_name(v), SHOW(word));
    if (b->tolerate_line[which])
        return fail(ps, line, "expected one tolerate line per situation, found a second '%s' "
                              "(the first is at line %d)", situation_name((close_situation)which),
                    b->tolerate_line[which]);
    close_expectation *c = &b->c.close;
    if (which == SITUATION_CODE && tolerated_codes(ps, line, &body, c) != 0)
        return -1;
    close_tolerance *t = &c->tolerate[which];
    if (tolerance_reason(ps, line, body, t) != 0)
        return -1;
    t->allowed = true;
    t->verdict = v;
    b->tolerate_line[which] = line;
    return 0;
}

int check_tolerances(parser *ps, const builder *b)
{
    const close_expectation *c = &b->c.close;
    for (int i = 0; i < SITUATION_COUNT; i++) {
        int line = b->tolerate_line[i];
        const char *name = situation_name((close_situation)i);
        if (!line)
            continue;
        if (b->c.informational)
            return fail(ps, line, "expected no tolerate line in an informational case, found "
                                  "tolerate ... %s", name);
        if (c->by == CLOSER_NONE)
            return fail(ps, line, "expected close us or close peer with tolerate, found close none");
        if (i == SITUATION_KILL && c->by != CLOSER_PEER)
            return fail(ps, line, "expected close peer with tolerate ... kill (the peer is to "
                                  "close), found close us");
        if ((i == SITUATION_PEER_CLOSE || i == SITUATION_PEER_DROP || i == SITUATION_REFUSED) &&
            c->by != CLOSER_US)
            return fail(ps, line, "expected close us with tolerate ... %s (the suite is to close), "
                                  "found close peer", name);
    }
    return 0;
}

/* DURATION > 0 and nothing after it. */
static int timer_argument(parser *ps, int line, span rest, uint32_t *ms)
{
    span tok;
    next_token(&rest, &tok);
    if (duration_argument(ps, line, tok, true, ms) != 0)
        return -1;
    return expect_end(ps, line, rest, "the duration");
}

static int parse_kill(parser *ps, builder *b, int line, span rest)
{
    return timer_argument(ps, line, rest, &b->c.kill_ms);
}

static int parse_close_after(parser *ps, builder *b, int line, span rest)
{
    return timer_argument(ps, line, rest, &b->c.close_after_ms);
}

static int parse_informational(parser *ps, builder *b, int line, span rest)
{
    b->c.informational = true;
    return expect_end(ps, line, rest, "informational");
}

static const directive rows[] = {
    {"close", parse_close, true},
    {"tolerate", parse_tolerate, false},
    {"kill", parse_kill, true},
    {"close-after", parse_close_after, true},
    {"informational", parse_informational, true},
};

const directive_group close_directives = DIRECTIVE_GROUP(rows);
