/*
 * What one case observed and how it was judged. The session fills the
 * observations; judge.c derives the verdicts; reporters only read.
 */
#ifndef WSCONFORM_RESULT_H
#define WSCONFORM_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "case.h"

typedef enum close_verdict {
    CLOSE_OK = 0,
    CLOSE_FAILED,
    CLOSE_UNCLEAN,
    CLOSE_WRONG_CODE,
    CLOSE_FAILED_BY_CLIENT,
    CLOSE_INFORMATIONAL,
} close_verdict;

const char *close_verdict_name(close_verdict v);

typedef struct observed_event {
    event_kind kind;
    uint8_t opcode;       /* messages: WS_OP_TEXT or WS_OP_BINARY */
    uint8_t *data;        /* payload, or the response head for EVENT_HTTP */
    size_t length;
    const char *tag;      /* EVENT_TIMEOUT: points into the case */
    int status;           /* EVENT_HTTP */
    uint64_t at_us;       /* since the case started */
} observed_event;

typedef enum endpoint { NOBODY = 0, BY_US, BY_PEER } endpoint;

typedef struct wire_chunk {
    uint64_t at_us;
    bool outgoing;
    uint32_t length;      /* bytes that went over the wire */
    uint32_t kept;        /* of which stored in the log (the cap may cut them) */
    size_t offset;        /* into wire_bytes */
} wire_chunk;

typedef struct case_result {
    const case_def *def;

    /* observations */
    bool handshake_done;       /* 101 received and valid */
    bool connected;
    observed_event *events;
    size_t event_count, event_capacity;
    size_t event_bytes;        /* payload bytes stored, capped */
    char violation[256];       /* first protocol violation by the peer; "" if none */
    bool violation_in_close;   /* it is the payload of the peer's Close, which was recorded */
    char failure[256];         /* why the suite could not run the case; "" if none */
    endpoint closer;           /* who started the close: first Close sent or TCP dropped */
    bool we_sent_close, peer_sent_close; /* ours: queued (no more frames follow it) */
    bool close_written;        /* every byte of our first Close reached the socket */
    bool suite_close;          /* our first Close came from the suite itself, not a case step */
    uint16_t our_close_code;   /* code of the first Close we sent (0: none or empty) */
    int peer_close_code;       /* -1: no Close from the peer; 1005: Close without code */
    char peer_close_reason[128];
    endpoint tcp_closed_by;
    bool killed;               /* the kill timer fired */
    uint32_t kill_ms;
    bool dropped_after_close_wait; /* we dropped TCP because the server did not */
    uint64_t duration_us;
    wire_chunk *wire;
    size_t wire_count, wire_capacity;
    uint8_t *wire_bytes;
    size_t wire_used, wire_cap_bytes;
    uint64_t bytes_out, bytes_in;

    /* what was sent, for `echo` expectations (slices of the case's payloads) */
    struct sent_message *sent_messages;
    size_t sent_message_count, sent_message_capacity;

    /* verdicts */
    verdict outcome;
    close_verdict close_outcome;
    char reason[512];
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

/* The case failed when either verdict is a failure (DESIGN.md). */
bool result_failed(const case_result *r);

/* A clean close (§7.1.1, §7.1.2): our Close written, the peer's received,
 * and the server dropped TCP. */
bool result_clean(const case_result *r);

void result_free(case_result *r);

#endif
