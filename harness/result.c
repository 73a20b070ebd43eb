/* Results: the verdict names and freeing what a session recorded. */
#include "result.h"

#include <stdlib.h>

const char *close_verdict_name(close_verdict v)
{
    static const char *const names[] = {"OK", "FAILED", "UNCLEAN", "WRONG CODE",
                                         "FAILED BY CLIENT", "INFORMATIONAL"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "FAILED";
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
    free(r->wire);
    free(r->wire_bytes);
    free(r);
}
