/* Releasing compiled cases; verdict names; reading payloads without
 * materialising a repeated pattern. */
#include "lang/case.h"

#include <stdlib.h>
#include <string.h>

#include "lang/names.h"
#include "lang/payload.h"

void payload_free(payload *p)
{
    free(p->pattern);
    memset(p, 0, sizeof *p);
}

void expected_event_free(expected_event *e)
{
    payload_free(&e->data);
    free(e->tag);
    for (size_t k = 0; k < e->header_count; k++) {
        free(e->headers[k].name);
        free(e->headers[k].value);
    }
    free(e->headers);
    memset(e, 0, sizeof *e);
}

void case_def_free(case_def *def)
{
    if (!def)
        return;
    free(def->id);
    free(def->title);
    free(def->rfc);
    free(def->requirement);
    free(def->note);
    free(def->body);
    free(def->file);

    request_spec *rq = &def->request;
    free(rq->method);
    free(rq->target);
    free(rq->version);
    free(rq->extensions);
    for (size_t i = 0; i < rq->edit_count; i++) {
        free(rq->edits[i].name);
        free(rq->edits[i].value);
    }
    free(rq->edits);
    payload_free(&rq->raw);

    for (size_t i = 0; i < def->step_count; i++) {
        payload_free(&def->steps[i].data);
        free(def->steps[i].tag);
    }
    free(def->steps);

    for (size_t i = 0; i < def->expectation_count; i++) {
        expectation *x = &def->expectations[i];
        for (size_t j = 0; j < x->event_count; j++)
            expected_event_free(&x->events[j]);
        free(x->events);
    }
    free(def->expectations);
    memset(def, 0, sizeof *def);
}

void case_list_free(case_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        case_def_free(&list->cases[i]);
    free(list->cases);
    list->cases = NULL;
    list->count = 0;
}

const char *verdict_name(verdict v)
{
    const char *name = name_of(&verdict_names, (int)v);
    return name ? name : "FAILED";
}

uint8_t payload_byte_at(const payload *p, uint64_t i)
{
    if (!p->pattern || p->pattern_length == 0 || i >= p->length)
        return 0;
    return p->pattern[i % p->pattern_length];
}

void payload_copy(const payload *p, uint64_t offset, uint8_t *out, size_t n)
{
    if (n == 0)
        return;
    if (!p->pattern || p->pattern_length == 0) {
        memset(out, 0, n);
        return;
    }
    /* The rest of the pattern from `offset`, then one aligned copy of it,
     * then the output doubles itself: a 16 MiB repeat of a 1-byte pattern
     * costs a few dozen memcpy calls. */
    size_t plen = p->pattern_length;
    size_t pos = (size_t)(offset % plen);
    size_t first = plen - pos < n ? plen - pos : n;
    memcpy(out, p->pattern + pos, first);
    out += first;
    n -= first;
    if (n == 0)
        return;
    size_t have = plen < n ? plen : n;
    memcpy(out, p->pattern, have);
    while (have < n) {
        size_t chunk = have < n - have ? have : n - have;
        memcpy(out + have, out, chunk);
        have += chunk;
    }
}

bool payload_equal_bytes(const payload *p, const uint8_t *data, uint64_t len)
{
    if (len != p->length)
        return false;
    if (len == 0)
        return true;
    if (!p->pattern || p->pattern_length == 0)
        return false;
    /* data equals the repeat iff it starts with the pattern and is periodic
     * with the pattern's length. */
    size_t plen = p->pattern_length;
    if (len <= plen)
        return memcmp(data, p->pattern, (size_t)len) == 0;
    return memcmp(data, p->pattern, plen) == 0 && memcmp(data + plen, data, (size_t)len - plen) == 0;
}
