/*
 * The session engine: one case played as one WebSocket conversation, in the
 * client role (it masks what it sends and expects unmasked frames) or the
 * server role (the reverse). It does no I/O and reads no clock: bytes go in
 * with engine_input(), bytes come out of engine_output(), every call takes
 * `now`, and engine_deadline() says when it must be called again without I/O.
 * Whoever drives it (run/session.c over a socket, a test from a script) owns
 * the connection; the engine says when to close it (engine_done()).
 *
 * The engine keeps every observation the judge needs (events, who closed,
 * codes, timings, the wire log) and decides nothing about verdicts except
 * when to close, through the hooks, following Autobahn's rules so verdicts
 * stay comparable: it closes once the events match an OK expectation,
 * answers a peer's Close with 1000, waits 1 s for the server to drop TCP
 * (the server role drops it itself), and fails the connection with 1001 when
 * the kill timer fires.
 */
#ifndef WSCONFORM_ENGINE_H
#define WSCONFORM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/case.h"
#include "run/target_url.h"
#include "verdict/result.h"

typedef enum engine_role { ROLE_CLIENT = 0, ROLE_SERVER } engine_role;

/* What the engine asks of the judge, so that it never includes it. */
typedef struct engine_hooks {
    /* The events so far form a sequence the case grades OK. */
    bool (*events_ok)(const case_def *def, const case_result *r);
    /* Some acceptable sequence can still follow the events so far. */
    bool (*still_possible)(const case_def *def, const case_result *r);
} engine_hooks;

typedef struct engine_config {
    engine_role role;
    const target_url *url;    /* client: Host and request target; unused by a server */
    double timeout_scale;     /* multiplies kill, handshake and close timeouts */
    const char *user_agent;   /* client: the User-Agent header */
    engine_hooks hooks;
} engine_config;

typedef struct engine engine;

/* Per-case memory, whatever the peer does: see session_memory_bound(). */
uint64_t engine_memory_bound(const case_def *def);

/* A new conversation, waiting for its connection (the handshake timer runs
 * from now). Never NULL. */
engine *engine_new(const case_def *def, const engine_config *cfg, uint64_t now);

/* The connection is up (TCP, and TLS for wss://): a client sends its request. */
void engine_connected(engine *e, uint64_t now);

/* How far the connection got before it was up (for the handshake timer's
 * message and the runner's view of the target). */
void engine_note_stage(engine *e, connect_stage stage);

/* The connection could not be made or broke on our side: why, and the end. */
void engine_fail(engine *e, const char *why, uint64_t now);

/* Bytes from the peer. */
void engine_input(engine *e, const uint8_t *bytes, size_t n, uint64_t now);

/* The peer dropped TCP (end of stream, reset, or a failed write); `error`
 * names a read error that is not a drop, NULL otherwise. */
void engine_peer_gone(engine *e, const char *error, uint64_t now);

/* Timers and steps: call when engine_deadline() has passed (calling it
 * earlier does no harm). */
void engine_tick(engine *e, uint64_t now);

/* The next bytes to write now, at most cap: 0 when there is nothing to write
 * before engine_deadline(). *alone: nothing may follow them in the same
 * write (the case cuts its writes). */
size_t engine_output(engine *e, uint8_t *buf, size_t cap, uint64_t now, bool *alone);

/* The first n bytes of the last engine_output() reached the connection. */
void engine_output_written(engine *e, const uint8_t *bytes, size_t n, uint64_t now);

/* There are bytes to write now (the driver waits for the socket to take them). */
bool engine_wants_output(const engine *e, uint64_t now);

/* The next time the engine must be ticked without I/O; UINT64_MAX: none. */
uint64_t engine_deadline(const engine *e);

/* The conversation is over: close the connection. */
bool engine_done(const engine *e);

const case_result *engine_result(const engine *e);

/* Hands over the result (ending the conversation first if it is not over)
 * and frees the engine. */
case_result *engine_finish(engine *e, uint64_t now);

#endif
