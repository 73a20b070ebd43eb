/*
 * A compiled case: what the case language (caselang.c) produces and the
 * runner plays. Everything a case file can say is represented here; nothing
 * here depends on how the file was written.
 *
 * Memory: a case_list owns everything reachable from it (strings, payload
 * bytes, arrays); case_list_free() releases it all.
 */
#ifndef WSCONFORM_CASE_H
#define WSCONFORM_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes to send or expect: `pattern` repeated and cut to `length` bytes.
 * A literal is a pattern whose length equals `length`. An empty payload has
 * length 0 (pattern may be NULL). */
typedef struct payload {
    uint8_t *pattern;
    size_t pattern_length;
    uint64_t length;
} payload;

/* How bytes are handed to the socket (Autobahn's chopsize and sync). */
typedef enum write_mode {
    WRITE_WHOLE = 0,  /* coalesce: everything pending goes out as the socket allows */
    WRITE_FRAMES,     /* each frame (or raw chunk) in its own write */
    WRITE_CHOP,       /* pieces of write_chop bytes, each its own write */
} write_mode;

typedef enum step_kind {
    STEP_FRAME,       /* one frame: spec fields + payload */
    STEP_MESSAGE,     /* a text/binary message cut into frames of `fragment` bytes */
    STEP_FRAME_BEGIN, /* a frame header only (declared length), payload follows in STEP_FRAME_DATA */
    STEP_FRAME_DATA,  /* the next bytes of the frame begun; masked with the running offset */
    STEP_RAW,         /* bytes exactly as given */
    STEP_WRITE_MODE,  /* changes how later steps are written */
    STEP_WAIT,        /* pause; if `tag` is set, records a timeout event if still open */
    STEP_AWAIT,       /* pause until one more event arrives (or the case ends) */
    STEP_LOOP,        /* repeat steps [index+1, loop_end) `count` times */
    STEP_LOOP_END,
    STEP_BULK,        /* `count` messages cut from a data set, each after the previous echo */
} step_kind;

struct dataset; /* lang/dataset.h */

/* How a message goes out compressed (RFC 7692 §7.2.1, §7.2.3). */
typedef enum compress_form {
    COMPRESS_NONE = 0,
    COMPRESS_SYNC,    /* the session's compressor, sync flush, tail removed (§7.2.1) */
    COMPRESS_STORED,  /* stored blocks, no compression (§7.2.3.3) */
    COMPRESS_FINAL,   /* ends with a BFINAL=1 block (§7.2.3.4) */
    COMPRESS_TAIL,    /* sync flush with the 00 00 ff ff tail left in */
} compress_form;

typedef struct step {
    step_kind kind;
    int line;                 /* line in the case file, for messages */
    /* STEP_FRAME, STEP_MESSAGE, STEP_FRAME_BEGIN */
    uint8_t opcode;           /* 0..15 */
    bool fin;                 /* default true */
    uint8_t rsv;              /* 0..7 */
    enum { MASK_RANDOM = 0, MASK_OFF, MASK_KEY } mask;
    uint8_t mask_key[4];      /* MASK_KEY */
    bool declare_length;      /* len= given */
    uint64_t declared_length;
    uint8_t length_form;      /* ws_length_form: 0 minimal, 1/2/3 = 7/16/64-bit */
    uint64_t fragment;        /* STEP_MESSAGE: frame payload size; 0 = one frame */
    payload data;             /* payload; a close's code= and reason= are built into it */
    uint64_t chop;            /* > 0: this step's bytes go out in pieces of this size */
    uint8_t compress;         /* compress_form: the message is sent compressed, RSV1 on frame 1 */
    uint8_t compress_window;  /* 8..15: compress with this window, not the agreed one; 0 */
    /* STEP_WRITE_MODE */
    write_mode mode;
    uint64_t mode_chop;       /* WRITE_CHOP piece size */
    /* STEP_WAIT, STEP_AWAIT */
    uint32_t wait_ms;
    char *tag;
    /* STEP_LOOP, STEP_BULK */
    uint32_t count;
    size_t loop_end;          /* index of the matching STEP_LOOP_END */
    /* STEP_BULK (opcode, fragment, compress as above) */
    const struct dataset *dataset;
    uint64_t bulk_size;       /* characters of a text set, bytes of a binary one */
} step;

/* What the peer may do, in the order it is observed. */
typedef enum event_kind {
    EVENT_MESSAGE,   /* text or binary message (opcode says which) */
    EVENT_PING,
    EVENT_PONG,
    EVENT_TIMEOUT,   /* a tagged wait elapsed with the connection open */
    EVENT_HTTP,      /* the handshake was answered with a status other than 101 */
} event_kind;

typedef enum payload_match {
    MATCH_ANY = 0,   /* any payload */
    MATCH_BYTES,     /* exactly `data` */
    MATCH_ECHO,      /* what this case sent: the k-th message for a message,
                        the k-th ping for a pong (k counts from 0 in the list) */
} payload_match;

typedef struct header_match {
    char *name;
    char *value;     /* NULL: the header must be present with any value */
} header_match;

typedef struct expected_event {
    event_kind kind;
    uint8_t opcode;        /* EVENT_MESSAGE: WS_OP_TEXT or WS_OP_BINARY */
    payload_match match;
    payload data;          /* MATCH_BYTES */
    char *tag;             /* EVENT_TIMEOUT */
    uint16_t status_min, status_max;  /* EVENT_HTTP */
    header_match *headers; /* EVENT_HTTP: headers the response must carry */
    size_t header_count;
    uint32_t repeat;       /* this event repeated `repeat` times (>= 1), or at least */
    uint32_t repeat_max;   /* ... `repeat` and at most `repeat_max` times (xMIN-MAX); 0: exact */
} expected_event;

typedef enum verdict {
    VERDICT_OK = 0,
    VERDICT_NON_STRICT,
    VERDICT_INFORMATIONAL,
    VERDICT_UNIMPLEMENTED,
    VERDICT_FAILED,
    VERDICT_NOT_RUN,  /* the case could not be played (the target died, the run was stopped) */
} verdict;

#define VERDICT_COUNT 6

/* One acceptable event sequence and the verdict it earns. */
typedef struct expectation {
    verdict verdict;
    expected_event *events;  /* empty list: "nothing" */
    size_t event_count;
    int line;
} expectation;

typedef enum closer {
    CLOSER_US = 0,   /* the suite starts the close (normal cases) */
    CLOSER_PEER,     /* the peer must fail or close the connection */
    CLOSER_NONE,     /* no WebSocket connection is expected (refused handshake) */
} closer;

#define CLOSE_CODES_MAX 16
#define CLOSE_WHY_MAX 160

/* Ways a connection may end that the `close` line does not accept but the RFC
 * does not forbid (a SHOULD, or nothing said): `tolerate VERDICT: SITUATION`. */
typedef enum close_situation {
    SITUATION_KILL = 0,   /* close peer: the kill timer fired before the peer closed */
    SITUATION_CODE,       /* the peer's Close carried one of tolerated_codes */
    SITUATION_PEER_CLOSE, /* close us: the peer started the close with a Close frame */
    SITUATION_PEER_DROP,  /* close us: the peer dropped TCP first, without a Close */
    SITUATION_REFUSED,    /* close us: the server refused the handshake with an HTTP status */
    SITUATION_COUNT,
} close_situation;

typedef struct close_tolerance {
    bool allowed;
    verdict verdict;          /* NON-STRICT or INFORMATIONAL: the least the outcome becomes */
    char why[CLOSE_WHY_MAX];  /* the RFC's grounds, quoted in the reason */
} close_tolerance;

typedef struct close_expectation {
    closer by;
    uint16_t codes[CLOSE_CODES_MAX]; /* codes the peer may send; 0 entries unused */
    size_t code_count;
    bool echo_code;           /* the code of the first Close the case sent is acceptable too */
    bool clean_required;      /* "clean": full closing handshake, server drops TCP */
    bool wrong_closer_fatal;  /* outcome FAILED too if the wrong side closed */
    bool wrong_code_fatal;    /* outcome FAILED too on WRONG CODE */
    close_tolerance tolerate[SITUATION_COUNT];
    uint16_t tolerated_codes[CLOSE_CODES_MAX]; /* SITUATION_CODE */
    size_t tolerated_code_count;
} close_expectation;

typedef enum header_edit_op { HEADER_ADD, HEADER_SET, HEADER_REMOVE } header_edit_op;

typedef struct header_edit {
    header_edit_op op;
    char *name;
    char *value;              /* NULL for HEADER_REMOVE */
} header_edit;

typedef struct request_spec {
    char *method;             /* NULL: GET */
    char *target;             /* NULL: the URL's path */
    char *version;            /* NULL: HTTP/1.1 */
    header_edit *edits;       /* applied in order to the default headers */
    size_t edit_count;
    payload raw;              /* length > 0: send these bytes instead of a built request */
    uint64_t trickle;         /* > 0: write the request in pieces of this size */
    uint32_t trickle_ms;      /* pause between trickled pieces */
    bool eager;               /* send the first steps with the request, before the answer */
    char *extensions;         /* `offer` lines joined with ", ": Sec-WebSocket-Extensions */
} request_spec;

typedef struct case_def {
    char *id;                 /* "1.1.1", "H.2.3" */
    char *title;
    char *rfc;                /* "5.5.2" */
    char *requirement;        /* the RFC's words */
    char *note;               /* optional */
    char *body;               /* the case's lines after title/rfc/require/note, as played
                                 (families expanded), one per line; for the reports */
    char *file;
    int line;                 /* of the `case` line (or the family row) */
    request_spec request;
    step *steps;
    size_t step_count;
    expectation *expectations;
    size_t expectation_count;
    close_expectation close;
    write_mode initial_mode;  /* write mode before the first step */
    uint64_t initial_chop;
    uint32_t kill_ms;         /* fail the connection (1001) if still open; default 2000 */
    uint32_t close_after_ms;  /* 0: none; else send Close 1000 after this long */
    bool informational;       /* both verdicts INFORMATIONAL; observations in the reason */
    bool deflate_required;    /* UNIMPLEMENTED unless permessage-deflate is agreed */
} case_def;

typedef struct case_list {
    case_def *cases;
    size_t count;
} case_list;

void case_list_free(case_list *list);

/* Releases what one case owns (not the case_def itself) and zeroes it. */
void case_def_free(case_def *def);

/* Releases what one expected event owns and zeroes it. */
void expected_event_free(expected_event *e);

const char *verdict_name(verdict v);

#endif
