/* Results: the verdict names and freeing what a session recorded. */
#include "verdict/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/names.h"
#include "lang/payload.h"
#include "wscodec/frame.h"

static const name_entry close_verdicts[] = {
    {"OK", CLOSE_OK},
    {"FAILED", CLOSE_FAILED},
    {"UNCLEAN", CLOSE_UNCLEAN},
    {"WRONG CODE", CLOSE_WRONG_CODE},
    {"FAILED BY CLIENT", CLOSE_FAILED_BY_CLIENT},
    {"INFORMATIONAL", CLOSE_INFORMATIONAL},
    {"NOT RUN", CLOSE_NOT_RUN},
};
const name_table close_verdict_names = NAME_TABLE(close_verdicts);

const char *close_verdict_name(close_verdict v)
{
    const char *name = name_of(&close_verdict_names, (int)v);
    return name ? name : "FAILED";
}

bool result_failed(const case_result *r)
{
    return r->outcome == VERDICT_FAILED || r->close_outcome == CLOSE_FAILED ||
           r->close_outcome == CLOSE_UNCLEAN || r->close_outcome == CLOSE_WRONG_CODE ||
           r->close_outcome == CLOSE_FAILED_BY_CLIENT;
}

bool result_clean(const case_result *r)
{
    return r->close_written && r->peer_sent_close && r->tcp_closed_by == BY_PEER;
}

void result_free(case_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->event_count; i++)
        free(r->events[i].data);
    free(r->events);
    for (size_t i = 0; i < r->sent_message_count; i++)
        free(r->sent_messages[i].slices);
    free(r->sent_messages);
    wire_log_free(&r->wire);
    free(r);
}

case_result *result_not_run(const case_def *def, const char *why)
{
    case_result *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->def = def;
    r->peer_close_code = -1;
    r->outcome = VERDICT_NOT_RUN;
    r->close_outcome = CLOSE_NOT_RUN;
    snprintf(r->reason, sizeof r->reason, "%s", why);
    return r;
}

void result_trim(case_result *r)
{
    enum { KEEP = 256 }; /* what the reports show of a payload; HTTP heads stay whole */
    for (size_t i = 0; i < r->event_count; i++) {
        observed_event *e = &r->events[i];
        if (e->data && e->length > KEEP && e->kind != EVENT_HTTP) {
            uint8_t *head = realloc(e->data, KEEP);
            if (head)
                e->data = head;
        }
    }
    for (size_t i = 0; i < r->sent_message_count; i++)
        free(r->sent_messages[i].slices);
    free(r->sent_messages);
    r->sent_messages = NULL;
    r->sent_message_count = r->sent_message_capacity = 0;
    wire_log_free(&r->wire);
}

const sent_message *result_sent(const case_result *r, bool pings, size_t k)
{
    if (!pings && r->sent_ping_count == 0)
        return k < r->sent_message_count ? &r->sent_messages[k] : NULL;
    for (size_t i = 0; i < r->sent_message_count; i++) {
        const sent_message *m = &r->sent_messages[i];
        if ((m->opcode == WS_OP_PING) == pings && k-- == 0)
            return m;
    }
    return NULL;
}

bool sent_message_equals(const sent_message *m, const uint8_t *data, uint64_t length)
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

size_t sent_message_head(const sent_message *m, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < m->slice_count && n < cap; i++) {
        const sent_slice *s = &m->slices[i];
        size_t take = s->length < cap - n ? (size_t)s->length : cap - n;
        payload_copy(s->source, s->offset, out + n, take);
        n += take;
    }
    return n;
}
