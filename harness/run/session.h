/*
 * One case played over one client connection: the session engine
 * (run/engine.h) driven over a transport (run/transport.h). A session never
 * blocks: the runner calls session_advance() when its socket is ready or its
 * next deadline passes.
 */
#ifndef WSCONFORM_SESSION_H
#define WSCONFORM_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/case.h"
#include "verdict/result.h"
#include "run/clock.h"
#include "run/transport.h"
#include "run/target_url.h"

typedef struct session_config {
    const target_url *url;
    const transport_target *target;
    double timeout_scale;     /* multiplies kill, handshake and close timeouts */
    const char *user_agent;
} session_config;

/* The most a session of this case keeps in memory, whatever the peer does:
 * the wire log, buffers, and the largest message the peer may send (no more
 * than every byte the case sends, since an echo never needs more, with a
 * floor for the cases that send little). The runner admits sessions within a
 * memory budget by this figure. */
uint64_t session_memory_bound(const case_def *def);

typedef struct session session;

/* Starts the case: opens the connection. Never NULL (a failure to start is
 * recorded in the result and the session is done at once). */
session *session_start(const case_def *def, const session_config *cfg, uint64_t now_us);

/* The descriptor and poll events to wait for at `now`; fd < 0 when none. */
int session_poll(const session *s, short *events, uint64_t now);

/* The next time (monotonic µs) the session must be advanced without I/O. */
uint64_t session_deadline(const session *s);

/* Does whatever the session can do now: I/O, timers, steps. */
void session_advance(session *s, short revents, uint64_t now_us);

bool session_done(const session *s);

/* What the session observed so far (read-only, valid until session_finish()). */
const case_result *session_result(const session *s);

/* Hands over the result (observations only; judge it with judge_case()) and
 * frees the session. */
case_result *session_finish(session *s);

#endif
