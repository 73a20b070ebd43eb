/*
 * A session drives the engine (run/engine.h) over one connection: it opens
 * the transport, hands the engine what the socket reads, writes what the
 * engine has to send, and closes the connection when the engine is done.
 * The judge comes in here, as the engine's hooks.
 */
#include "run/session.h"

#include <poll.h>
#include <stdlib.h>

#include "run/engine.h"
#include "verdict/judge.h"

#define READ_CHUNK 65536
#define WRITE_CHUNK 65536
#define READS_PER_ADVANCE 8 /* so that one flooding peer cannot starve the others */

struct session {
    engine *engine;
    transport t;
    const session_config *cfg;
    bool connecting;
};

static bool events_ok(const case_def *def, const case_result *r)
{
    verdict v;
    return judge_match(def, r, &v) >= 0 && v == VERDICT_OK;
}

uint64_t session_memory_bound(const case_def *def) { return engine_memory_bound(def); }

session *session_start(const case_def *def, const session_config *cfg, uint64_t now_us)
{
    session *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->cfg = cfg;
    s->t.fd = -1;
    engine_config ecfg = {.role = ROLE_CLIENT, .url = cfg->url, .timeout_scale = cfg->timeout_scale,
                          .user_agent = cfg->user_agent,
                          .hooks = {.events_ok = events_ok,
                                    .still_possible = judge_still_possible}};
    s->engine = engine_new(def, &ecfg, now_us);
    if (engine_done(s->engine))
        return s;
    if (transport_open(&s->t, cfg->target) != 0) {
        engine_fail(s->engine, s->t.error, now_us);
        return s;
    }
    s->connecting = true;
    return s;
}

int session_poll(const session *s, short *events, uint64_t now)
{
    if (engine_done(s->engine)) {
        *events = 0;
        return -1;
    }
    *events = transport_poll_events(&s->t, engine_wants_output(s->engine, now));
    return s->t.fd;
}

uint64_t session_deadline(const session *s) { return engine_deadline(s->engine); }

/* Connect and TLS: true once the connection is up and the engine knows it. */
static bool connect_step(session *s, uint64_t now)
{
    transport_state st = transport_step(&s->t, s->cfg->target);
    if (st == TRANSPORT_TLS_HANDSHAKE || (st == TRANSPORT_FAILED && s->t.ssl))
        engine_note_stage(s->engine, STAGE_TCP);
    if (st == TRANSPORT_FAILED) {
        engine_fail(s->engine, s->t.error, now);
        return false;
    }
    if (st != TRANSPORT_READY) {
        engine_tick(s->engine, now); /* the handshake timer runs */
        return false;
    }
    s->connecting = false;
    engine_connected(s->engine, now);
    return true;
}

static void do_read(session *s, uint64_t now)
{
    static uint8_t buf[READ_CHUNK]; /* used and consumed within one call */
    for (int rounds = 0; rounds < READS_PER_ADVANCE && !engine_done(s->engine); rounds++) {
        long n = transport_read(&s->t, buf, sizeof buf);
        if (n == TRANSPORT_AGAIN)
            return;
        if (n <= 0) {
            /* End of stream and reset are both the peer dropping TCP. */
            engine_peer_gone(s->engine, n == TRANSPORT_ERROR ? s->t.error : NULL, now);
            return;
        }
        engine_input(s->engine, buf, (size_t)n, now);
    }
}

static void do_write(session *s, uint64_t now)
{
    static uint8_t buf[WRITE_CHUNK];
    for (;;) {
        bool alone;
        size_t n = engine_output(s->engine, buf, sizeof buf, now, &alone);
        if (n == 0)
            return;
        long w = transport_write(&s->t, buf, n);
        if (w == TRANSPORT_AGAIN)
            return;
        if (w < 0) {
            engine_peer_gone(s->engine, NULL, now);
            return;
        }
        engine_output_written(s->engine, buf, (size_t)w, now);
        if (alone || (size_t)w < n)
            return; /* the next piece goes out in a later write */
    }
}

void session_advance(session *s, short revents, uint64_t now)
{
    if (!engine_done(s->engine) && !(s->connecting && !connect_step(s, now))) {
        if (revents & (POLLIN | POLLHUP | POLLERR))
            do_read(s, now);
        if (!engine_done(s->engine))
            engine_tick(s->engine, now);
        if (!engine_done(s->engine))
            do_write(s, now);
    }
    if (engine_done(s->engine))
        transport_close(&s->t);
}

bool session_done(const session *s) { return engine_done(s->engine); }

const case_result *session_result(const session *s) { return engine_result(s->engine); }

case_result *session_finish(session *s)
{
    case_result *r = engine_finish(s->engine, monotonic_us());
    transport_close(&s->t);
    free(s);
    return r;
}
