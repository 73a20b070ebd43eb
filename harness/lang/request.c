/* `request ...`: how the opening handshake departs from the standard one.
 * Its words (method, target, ...) form a table of their own. */
#include "lang/parser.h"

#include <stdlib.h>
#include <string.h>

#include "lang/url_vars.h"

/* $names of the URL in a request target or header value (url_vars.h). */
static int check_url_vars(parser *ps, int line, const char *text)
{
    char why[160];
    if (url_vars_check(text, why, sizeof why) != 0)
        return fail(ps, line, "%s", why);
    return 0;
}

/* request WORD VALUE: one token, quoted or not. */
static int request_value(parser *ps, int line, span rest, const char *words, char **field)
{
    span tok;
    if (!next_token(&rest, &tok))
        return fail(ps, line, "expected a value after %s, found end of line", words);
    if (expect_end(ps, line, rest, "the value") != 0)
        return -1;
    return text_argument(ps, line, tok, "a value", field);
}

static int parse_method(parser *ps, builder *b, int line, span rest)
{
    return request_value(ps, line, rest, "request method", &b->c.request.method);
}

static int parse_target(parser *ps, builder *b, int line, span rest)
{
    request_spec *rq = &b->c.request;
    if (request_value(ps, line, rest, "request target", &rq->target) != 0)
        return -1;
    return check_url_vars(ps, line, rq->target);
}

static int parse_version(parser *ps, builder *b, int line, span rest)
{
    return request_value(ps, line, rest, "request version", &b->c.request.version);
}

static int add_edit(parser *ps, builder *b, int line, header_edit_op op, span name, span value,
                    bool has_value)
{
    if (take_items(ps, line, 1) != 0)
        return -1;
    request_spec *rq = &b->c.request;
    char *n = dup_span(name), *v = NULL;
    if (!n)
        return out_of_memory(ps, line);
    if (has_value && text_argument(ps, line, value.n ? value : span_of("\"\"", 2), "a header value",
                                   &v) != 0) {
        free(n);
        return -1;
    }
    if (grow((void **)&rq->edits, &b->edit_cap, rq->edit_count + 1, sizeof(header_edit)) != 0) {
        free(n);
        free(v);
        return out_of_memory(ps, line);
    }
    header_edit *e = &rq->edits[rq->edit_count++];
    e->op = op;
    e->name = n;
    e->value = v;
    return v ? check_url_vars(ps, line, v) : 0;
}

/* request header remove NAME */
static int parse_header_remove(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span name;
    next_token(&rest, &name);
    if (!valid_header_name(name))
        return fail(ps, line, "expected a header name after request header remove, found %s",
                    SHOW(name));
    if (expect_end(ps, line, rest, "the header name") != 0)
        return -1;
    return add_edit(ps, b, line, HEADER_REMOVE, name, span_of(NULL, 0), false);
}

/* request header add|set NAME: VALUE and request header remove NAME */
static int parse_header(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span op;
    next_token(&rest, &op);
    rest = trim(rest);
    if (span_is(op, "remove"))
        return parse_header_remove(ps, b, line, rest);
    if (!span_is(op, "add") && !span_is(op, "set"))
        return fail(ps, line, "expected add, set or remove after request header, found %s",
                    SHOW(op));
    const char *colon = memchr(rest.p, ':', rest.n);
    if (!colon)
        return fail(ps, line, "expected NAME: VALUE after request header %.*s, found %s",
                    (int)op.n, op.p, SHOW(rest));
    span name = trim(span_of(rest.p, (size_t)(colon - rest.p)));
    if (!valid_header_name(name))
        return fail(ps, line, "expected a header name before ':', found %s",
                    name.n ? SHOW(name) : "nothing");
    span value = trim(span_from(rest, (size_t)(colon - rest.p) + 1));
    return add_edit(ps, b, line, span_is(op, "add") ? HEADER_ADD : HEADER_SET, name, value, true);
}

static int parse_raw(parser *ps, builder *b, int line, span rest)
{
    request_spec *rq = &b->c.request;
    span tok;
    if (!next_token(&rest, &tok))
        return fail(ps, line, "expected a payload after request raw, found end of line");
    if (expect_end(ps, line, rest, "the payload") != 0)
        return -1;
    if (parse_payload(ps, line, tok, &rq->raw) != 0)
        return -1;
    if (rq->raw.length == 0)
        return fail(ps, line, "expected a non-empty payload after request raw, found an empty one");
    return 0;
}

static int parse_trickle(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    request_spec *rq = &b->c.request;
    span tok;
    next_token(&rest, &tok);
    if (!parse_size(tok, UINT64_MAX, &rq->trickle) || rq->trickle == 0)
        return fail(ps, line, "expected a piece size greater than 0 after request trickle, "
                              "found %s", SHOW(tok));
    if (next_token(&rest, &tok) && duration_argument(ps, line, tok, false, &rq->trickle_ms) != 0)
        return -1;
    return expect_end(ps, line, rest, "request trickle SIZE DURATION");
}

static int parse_eager(parser *ps, builder *b, int line, span rest)
{
    b->c.request.eager = true;
    return expect_end(ps, line, rest, "request eager");
}

static const directive word_rows[] = {
    {"method", parse_method, true},   {"target", parse_target, true},
    {"version", parse_version, true}, {"header", parse_header, false},
    {"raw", parse_raw, true},         {"trickle", parse_trickle, true},
    {"eager", parse_eager, true},
};

static const directive_group word_group = DIRECTIVE_GROUP(word_rows);
static const directive_group *const word_groups[] = {&word_group};

const directive_table request_words = {"request ", word_groups, 1};

/* request WORD ... */
static int parse_request(parser *ps, builder *b, int line, span rest)
{
    span word;
    next_token(&rest, &word);
    bool found;
    int rc = run_directive(ps, b, &request_words, b->request_first_line, line, word, rest, &found);
    if (found)
        return rc;
    char show_buf[SHOW_MAX], list[200];
    return fail(ps, line, "expected %s after request, found %s",
                directive_list(&request_words, " or ", list, sizeof list), SHOW(word));
}

static const directive rows[] = {
    {"request", parse_request, false},
};

const directive_group request_directive = DIRECTIVE_GROUP(rows);
