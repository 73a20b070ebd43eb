/*
 * What one case observed and how it was judged. The session fills the
 * observations; judge.c derives the verdicts; reporters only read.
 */
#ifndef WSCONFORM_RESULT_H
#define WSCONFORM_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/case.h"
#include "lang/names.h"
#include "run/wirelog.h"

typedef enum close_verdict {
    CLOSE_OK = 0,
    CLOSE_FAILED,
    CLOSE_UNCLEAN,
    CLOSE_WRONG_CODE,
    CLOSE_FAILED_BY_CLIENT,
    CLOSE_INFORMATIONAL,
    CLOSE_NOT_RUN,
} close_verdict;

/* OK, FAILED, UNCLEAN, WRONG CODE, ... (the table, and the name of one) */
extern const name_table close_verdict_names;
const char *close_verdict_name(close_verdict v);

typedef struct observed_event {
    event_kind kind;
    uint8_t opcode;       /* messages: WS_OP_TEXT or WS_OP_BINARY */
    uint8_t *data;        /* payload, or the response head for EVENT_HTTP */
    size_t length;
    const char *tag;      /* EVENT_TIMEOUT: points into the case */
    bool over_limit;      /* a message that outgrew the suite's limit for the case:
                             length is that limit plus one, nothing was kept */
    uint32_t echo_of;     /* k + 1 when the message equals the k-th text or binary
                             message sent (from 0), checked on arrival and not
                             kept (`bulk`): its bytes are those of the message sent */
    int status;           /* EVENT_HTTP */
    uint64_t at_us;       /* since the case started */
} observed_event;

typedef enum endpoint { NOBODY = 0, BY_US, BY_PEER } endpoint;

/* How far a connection got: what tells a target that is gone or is not a
 * WebSocket server from one that breaks the protocol. */
typedef enum connect_stage {
    STAGE_NONE = 0,       /* no TCP connection */
    STAGE_TCP,            /* TCP connected */
    STAGE_TLS,            /* TLS handshake done (wss://) or not needed */
    STAGE_RESPONSE,       /* bytes of the handshake response arrived */
    STAGE_OPEN,           /* a 101 response was read */
} connect_stage;

/* Timers whose firing shaped what was observed (case_result.timers). */
enum {
    TIMER_HANDSHAKE = 1u << 0,  /* no complete handshake response in time */
    TIMER_KILL = 1u << 1,
    TIMER_CLOSE_WAIT = 1u << 2, /* the peer did not drop TCP after the close */
    TIMER_HARD_STOP = 1u << 3,
    TIMER_CLOSE_AFTER = 1u << 4,
    TIMER_AWAIT = 1u << 5,      /* an `await` ran out without an event */
    TIMER_WAIT_TAG = 1u << 6,   /* a tagged wait recorded a timeout event */
};

typedef struct case_result {
    const case_def *def;

    /* observations */
    bool handshake_done;       /* 101 received and valid */
    bool connected;
    connect_stage stage;
    int response_status;       /* of the opening handshake's answer; 0 none */
    char server_header[96];    /* its Server header, printable ASCII; "" none */
    uint64_t started_at_us;    /* monotonic time the case started */
    uint64_t handshake_at_us;  /* since the start: when the 101 was read; 0 never */
    unsigned timers;           /* TIMER_* bits of the timers that fired */
    observed_event *events;
    size_t event_count, event_capacity;
    size_t events_dropped;     /* events beyond the per-case cap, counted only */
    size_t event_bytes;        /* payload bytes stored, capped */
    size_t pongs_coalesced;    /* pings answered by a later pong (5.5.3) */
    bool decided_early;        /* closed before the kill timer: no expectation could match */
    bool over_limit;           /* the suite closed with 1009: a peer message outgrew its limit */
    bool compressed;           /* permessage-deflate was agreed in the handshake */
    char violation[256];       /* first protocol violation by the peer; "" if none */
    bool violation_in_close;   /* it is the payload of the peer's Close, which was recorded */
    char failure[256];         /* why the suite could not run the case; "" if none */
    endpoint closer;           /* who started the close: first Close sent or TCP dropped */
    bool we_sent_close, peer_sent_close; /* ours: queued (no more frames follow it) */
    bool close_written;        /* every byte of our first Close reached the socket */
    bool suite_close;          /* our first Close came from the suite itself, not a case step */
    uint16_t our_close_code;   /* code of the first Close we sent (0: none or empty) */
    int peer_close_code;       /* -1: no Close from the peer; 1005: Close without code */
    char peer_close_reason[128]; /* its bytes as sent, NUL-terminated for printing */
    size_t peer_close_reason_length;
    endpoint tcp_closed_by;
    bool killed;               /* the kill timer fired */
    uint32_t kill_ms;
    bool dropped_after_close_wait; /* we dropped TCP because the server did not */
    uint64_t duration_us;
    wire_log wire;
    uint64_t bytes_out, bytes_in;
    /* permessage-deflate, for the compression ratios of the reports: bytes of
     * the messages sent or received compressed, and the octets of their
     * frames on the wire (headers included) */
    uint64_t message_bytes_out, compressed_bytes_out;
    uint64_t message_bytes_in, compressed_bytes_in;

    /* what was sent, for `echo` expectations (slices of the case's payloads) */
    struct sent_message *sent_messages;
    size_t sent_message_count, sent_message_capacity;
    size_t sent_ping_count;    /* pings among them: with none, message k is sent_messages[k] */

    /* verdicts */
    verdict outcome;
    close_verdict close_outcome;
    char reason[768];
    bool rerun_alone;          /* played again with nothing else running; this is that run */
    bool heartbeat_checked;    /* not passed in parallel, but the heartbeat showed the target
                                  answering promptly while it waited: kept, not played again */
} case_result;

typedef struct sent_slice {
    const payload *source;
    uint64_t offset, length;
} sent_slice;

typedef struct sent_message {
    uint8_t opcode;            /* WS_OP_TEXT, WS_OP_BINARY or WS_OP_PING */
    sent_slice *slices;
    size_t slice_count, slice_capacity;
    uint64_t length;
} sent_message;

/* The k-th (from 0) message sent of the given kind: text and binary
 * together, or pings; NULL if fewer were sent. */
const sent_message *result_sent(const case_result *r, bool pings, size_t k);

/* The sent message's bytes equal data[0..length). */
bool sent_message_equals(const sent_message *m, const uint8_t *data, uint64_t length);

/* Copies the first bytes of a sent message (at most cap); returns how many. */
size_t sent_message_head(const sent_message *m, uint8_t *out, size_t cap);

/* The case failed when either verdict is a failure (DESIGN.md). */
bool result_failed(const case_result *r);

/* A clean close (§7.1.1, §7.1.2): our Close written, the peer's received,
 * and the server dropped TCP. */
bool result_clean(const case_result *r);

void result_free(case_result *r);

/* A result for a case that could not be played, with why. */
case_result *result_not_run(const case_def *def, const char *why);

/* After the reports of the case were written: frees what only they need (the
 * wire log, payloads beyond their first bytes, what was sent), keeping the
 * verdicts and the summary fields. */
void result_trim(case_result *r);

#endif
