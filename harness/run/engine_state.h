/*
 * Inside the session engine: its state and the functions its parts share.
 * Only run/engine*.c include this; everyone else uses run/engine.h.
 *   engine.c          lifecycle, recording, closing rules, timers, output
 *   engine_opening.c  the opening handshake, both roles
 *   engine_steps.c    the case's steps turned into frames
 *   engine_peer.c     frames from the peer turned into events
 */
#ifndef WSCONFORM_ENGINE_STATE_H
#define WSCONFORM_ENGINE_STATE_H

#include "run/compressor.h"
#include "run/engine.h"
#include "run/outq.h"
#include "wscodec.h"

#define ENGINE_HEAD_MAX 16384
#define ENGINE_LOOP_DEPTH_MAX 16
#define ENGINE_NO_DEADLINE UINT64_MAX
/* Per-case memory: events kept, and what the peer may send (see
 * engine_memory_bound()). */
#define ENGINE_MAX_EVENTS 8192
#define PEER_MESSAGE_FLOOR (64u << 10)
#define PEER_MESSAGE_CEILING (64u << 20)

typedef enum phase { PH_CONNECTING, PH_HANDSHAKE, PH_OPEN, PH_DONE } phase;

struct engine {
    const case_def *def;
    engine_config cfg;
    case_result *r;
    phase phase;
    uint64_t start_us;
    uint64_t rng;

    outq out;
    uint64_t write_not_before;
    uint32_t output_pause_ms;    /* pause after the bytes of the last engine_output() */
    bool drop_when_flushed;      /* end once everything queued is written */

    char key[WS_HANDSHAKE_KEY_LEN + 1];
    char *offered_protocols, *offered_extensions;
    uint8_t head[ENGINE_HEAD_MAX];
    size_t head_length;
    ws_assembler in;
    ws_inflater inflater;
    bool inflater_ready;
    compressor comp;             /* what we send compressed */
    uint64_t octets_since_event; /* frame octets read since the last event */
    size_t messages_in;          /* messages received so far */
    bool in_failed;
    uint64_t peer_message_cap;   /* largest message and stored event bytes accepted */
    size_t events_judged;        /* events already checked by engine_decide_early() */

    out_unit *pending_pong;      /* our latest Pong, while not yet written */
    bool pending_pong_written;

    /* steps */
    size_t pc;
    struct { size_t start; uint32_t left; } loops[ENGINE_LOOP_DEPTH_MAX];
    int loop_depth;
    write_mode mode;
    uint64_t mode_chop;
    uint64_t wait_until;
    const char *wait_tag;
    bool awaiting;
    size_t await_count;
    uint64_t await_until;
    bool steps_done, steps_abandoned;
    struct { bool masked; uint8_t key[4]; uint64_t offset; long message; } stream;
    long open_message; /* index into sent_messages of a fragmented message, -1 none */
    /* the `bulk` step running: messages sent, the data set's cursor (units) */
    struct { bool active; uint32_t sent; uint64_t cursor; } bulk;
    bool await_repeats;          /* the await ends where it started (bulk) */

    /* timers */
    uint64_t handshake_until, kill_at, close_after_at, close_wait_until, hard_stop_at;
};

/* engine.c */
uint32_t engine_random(engine *e);
void *engine_grow(void *array, size_t *capacity, size_t need, size_t item);
void engine_violation(engine *e, const char *fmt, const char *detail);
observed_event *engine_add_event(engine *e, event_kind kind, const uint8_t *data, size_t n,
                                 uint64_t now);
bool engine_peer_open(const engine *e);
void engine_arm_close_wait(engine *e, uint64_t now);
void engine_send_close(engine *e, uint16_t code, uint64_t now);
void engine_answer_ping(engine *e, const uint8_t *data, size_t n);
void engine_maybe_auto_close(engine *e, uint64_t now);
void engine_decide_early(engine *e, uint64_t now);
void engine_drop(engine *e, uint64_t now);
void engine_opened(engine *e, uint64_t now);

/* engine_opening.c */
void engine_opening_start(engine *e);
void engine_opening_input(engine *e, const uint8_t *bytes, size_t n, uint64_t now);
void engine_init_assembler(engine *e);
void engine_opening_free(engine *e);

/* engine_steps.c */
void engine_run_steps(engine *e, uint64_t now);

/* engine_peer.c */
void engine_feed_frames(engine *e, const uint8_t *bytes, size_t n, uint64_t now);

#endif
