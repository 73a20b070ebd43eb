/* `offer` and `deflate`: the extensions a case offers in its handshake and
 * what it needs of the answer (RFC 7692, permessage-deflate). */
#include "lang/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFERS_MAX 16
#define OFFER_LENGTH_MAX 1024

/* offer TEXT: one element of Sec-WebSocket-Extensions, verbatim. */
static int parse_offer(parser *ps, builder *b, int line, span rest)
{
    request_spec *rq = &b->c.request;
    char *text;
    if (text_argument(ps, line, rest, "an extension offer", &text) != 0)
        return -1;
    size_t length = strlen(text);
    bool printable = true;
    for (size_t i = 0; i < length; i++)
        printable = printable && (text[i] == '\t' || (text[i] >= 0x20 && text[i] != 0x7f));
    if (!printable || length > OFFER_LENGTH_MAX) {
        free(text);
        return fail(ps, line, "expected an extension offer of printable characters, at most %d "
                              "bytes", OFFER_LENGTH_MAX);
    }
    if (b->offer_count >= OFFERS_MAX) {
        free(text);
        return fail(ps, line, "expected at most %d offer lines per case, found more", OFFERS_MAX);
    }
    size_t old = rq->extensions ? strlen(rq->extensions) : 0;
    char *joined = realloc(rq->extensions, old + length + 3);
    if (!joined) {
        free(text);
        return out_of_memory(ps, line);
    }
    snprintf(joined + old, length + 3, "%s%s", old ? ", " : "", text);
    rq->extensions = joined;
    b->offer_count++;
    free(text);
    return 0;
}

/* deflate required */
static int parse_deflate(parser *ps, builder *b, int line, span rest)
{
    char show_buf[SHOW_MAX];
    span word;
    next_token(&rest, &word);
    if (!span_is(word, "required"))
        return fail(ps, line, "expected 'required' after deflate, found %s", SHOW(word));
    if (expect_end(ps, line, rest, "deflate required") != 0)
        return -1;
    b->c.deflate_required = true;
    return 0;
}

static const directive rows[] = {
    {"offer", parse_offer, false},
    {"deflate", parse_deflate, true},
};

const directive_group extension_directives = DIRECTIVE_GROUP(rows);
