/* The event loop: poll() over the running sessions, timers from their deadlines. */
#include "run/runner.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/judge.h"
#include "wscodec.h"

#define PROBE_TRIES 3
#define PROBE_PAUSE_MS 250
#define PROGRESS_EVERY_US 250000u
/* Connections dropped this long before the target's last good handshake may
 * still be what killed it (events are timed by poll rounds, not the kernel). */
#define DEATH_WINDOW_MS 100
#define NO_CASE ((size_t)-1)

/* The opening handshake the pre-flight and the liveness probes play. */
static const case_def probe_case = {
    .id = "pre-flight",
    .title = "A valid opening handshake, then a Close 1000",
    .rfc = "4.1",
    .kill_ms = 2000,
    .close = {.by = CLOSER_US},
};

/* The heartbeat: a connection of its own beside a parallel run, pinging every
 * HEARTBEAT_PAUSE_MS. Its pongs show whether the target answers promptly
 * while cases wait, which is what makes a long timer's verdict trustworthy
 * without playing the case again alone (see trusted_by_heartbeat()). */
#define HEARTBEAT_PAUSE_MS 500
#define HEARTBEAT_MAX_GAP_MS 2000   /* between pongs: pause + a slow answer */
#define HEARTBEAT_MIN_CASE_MS 10000 /* shorter cases are cheaper to play again */
#define HEARTBEAT_RESTART_MS 1000   /* pause before a heartbeat that ended starts again */
/* Empty pings for as long as the pass lasts: sending no payload keeps what
 * the peer may send it at the smallest bound (a session accepts no message
 * larger than all it sends, with a floor). */
static step heartbeat_steps[] = {
    {.kind = STEP_LOOP, .count = UINT32_MAX, .loop_end = 4},
    {.kind = STEP_FRAME, .opcode = WS_OP_PING, .fin = true},
    {.kind = STEP_AWAIT, .wait_ms = HEARTBEAT_MAX_GAP_MS},
    {.kind = STEP_WAIT, .wait_ms = HEARTBEAT_PAUSE_MS},
    {.kind = STEP_LOOP_END},
};
static const case_def heartbeat_case = {
    .id = "heartbeat",
    .title = "Pings every 500 ms beside the cases, to see the target answer while they wait",
    .rfc = "5.5.2",
    .steps = heartbeat_steps,
    .step_count = sizeof heartbeat_steps / sizeof heartbeat_steps[0],
    .kill_ms = 24u * 3600u * 1000u,
    .close = {.by = CLOSER_US},
    .informational = true, /* never decided early nor closed by auto-close */
};

typedef struct slot {
    session *s;
    size_t index;              /* into the cases */
    uint64_t bound;            /* its memory bound, admitted against the budget */
    bool bulk;                 /* it has a bulk step (see BULK_JOBS) */
} slot;

/* Cases with a bulk step (thousands of round trips, compressed) at once: a
 * few keep both ends busy; more only make each round trip wait for the
 * others, which is no faster and stretches every case toward its timer. */
#define BULK_JOBS 2

/* A result that waits for the probe's answer before it is kept or dropped. */
typedef struct held {
    size_t index;
    case_result *r;            /* final if the target is alive; NULL: play it again alone */
    bool replay;               /* r comes from playing the case again */
} held;

typedef struct runner {
    const runner_config *cfg;
    const case_def *const *cases;
    size_t count;
    run_info *info;
    case_result **results;
    uint64_t *bounds;
    bool *bulk;                /* the case has a bulk step (BULK_JOBS) */
    size_t done;

    /* for telling where the target died */
    uint64_t *started_at;      /* monotonic µs */
    uint64_t *ended_at;        /* monotonic µs; 0: not ended */
    bool *silent;              /* no byte of an answer to its handshake came */
    bool *dropped;             /* the peer dropped TCP without a Close */
    uint64_t last_handshake;   /* the latest 101 any case read */

    bool *again;               /* cases to play again alone */
    size_t again_count;
    held *held;
    size_t held_count;

    slot *slots;
    size_t jobs, active, bulk_active;
    uint64_t memory;
    struct pollfd *fds;

    session *heartbeat;
    bool heartbeat_wanted;
    uint64_t heartbeat_not_before;

    session *probe;
    bool probing;
    int probe_failures;
    uint64_t probe_not_before;
    char probe_failure[300];

    bool dead;
    char not_run_why[600];     /* what a case the run could not play is marked with */
    uint64_t last_progress;
} runner;

/* A duration of the runner's own, stretched by --timeout-scale, in µs. */
static uint64_t runner_us(const runner *rn, uint32_t ms)
{
    return scaled_us(ms, rn->cfg->session->timeout_scale);
}

static void *must_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

/* ---- what a connection that ended tells about the target --------------------- */

/* The connection never got an answer: refused, no TCP, TLS failed, silence,
 * or closed before a byte of the answer (how a connection left in the
 * backlog of a target that is exiting ends). A target that refuses
 * handshakes by dropping TCP answers the probe, and the verdict stands. */
static bool could_not_connect(const case_result *r)
{
    return r->stage < STAGE_RESPONSE && (r->failure[0] || r->tcp_closed_by == BY_PEER);
}

/* A verdict the suite's own load may have decided: any case that did not
 * pass (a timer fired, the peer dropped the connection, a slow server shed
 * load...). Playing these again alone is cheap: a failure without a timer
 * ends in milliseconds. Informational cases have one verdict whatever
 * happens. */
static bool load_sensitive(const case_result *r)
{
    if (r->def->informational)
        return false;
    return !(r->outcome == VERDICT_OK && r->close_outcome == CLOSE_OK);
}

static void describe_probe_failure(const case_result *r, char *out, size_t cap)
{
    if (r->stage == STAGE_NONE)
        snprintf(out, cap, "%s", r->failure[0] ? r->failure : "no TCP connection");
    else if (r->stage == STAGE_TCP)
        snprintf(out, cap, "TLS handshake failed: %s", r->failure);
    else if (r->response_status && r->response_status != 101)
        snprintf(out, cap, "it answered a valid opening handshake with HTTP %d",
                 r->response_status);
    else if (r->violation[0])
        snprintf(out, cap, "its answer to a valid opening handshake is not HTTP: %s",
                 r->violation);
    else if (r->timers & TIMER_HANDSHAKE)
        snprintf(out, cap, "%s", r->failure);
    else if (r->stage == STAGE_TLS)
        snprintf(out, cap, "it closed the connection without answering a valid opening "
                           "handshake");
    else
        snprintf(out, cap, "it closed the connection in the middle of its answer to a valid "
                           "opening handshake");
}

/* ---- the event loop ------------------------------------------------------------- */

/* poll()'s timeout to wake at `wake` (UINT64_MAX: none), at most a second. */
static int poll_timeout_ms(uint64_t now, uint64_t wake)
{
    if (wake <= now)
        return 0;
    if (wake - now >= 1000000u)
        return 1000;
    return (int)((wake - now + 999) / 1000);
}

/* Slot j of the poll set: the case sessions, then the probe, then the heartbeat. */
static session *polled_session(const runner *rn, size_t j)
{
    return j < rn->jobs ? rn->slots[j].s : j == rn->jobs ? rn->probe : rn->heartbeat;
}

/* Polls the sessions (and the probe and the heartbeat) once, then advances them. */
static void poll_once(runner *rn)
{
    uint64_t now = monotonic_us(), wake = UINT64_MAX;
    size_t n = 0;
    for (size_t j = 0; j <= rn->jobs + 1; j++) {
        session *s = polled_session(rn, j);
        rn->fds[j].fd = -1;
        rn->fds[j].events = 0;
        rn->fds[j].revents = 0;
        if (!s)
            continue;
        rn->fds[j].fd = session_poll(s, &rn->fds[j].events, now);
        uint64_t d = session_deadline(s);
        if (d < wake)
            wake = d;
        n = j + 1;
    }
    if (rn->probing && !rn->probe && rn->probe_not_before < wake)
        wake = rn->probe_not_before;
    if (rn->heartbeat_wanted && !rn->heartbeat && rn->heartbeat_not_before < wake)
        wake = rn->heartbeat_not_before;
    if (rn->cfg->stop && *rn->cfg->stop)
        return;
    if (poll(rn->fds, n, poll_timeout_ms(now, wake)) < 0 && errno != EINTR)
        abort();
    now = monotonic_us();
    for (size_t j = 0; j < n; j++) {
        session *s = polled_session(rn, j);
        if (s)
            session_advance(s, rn->fds[j].revents, now);
    }
}

static void keep(runner *rn, size_t index, case_result *r)
{
    rn->results[index] = r;
    rn->done++;
    if (rn->cfg->hooks.finished)
        rn->cfg->hooks.finished(rn->cfg->hooks.ctx, r, rn->done, rn->count);
}

static void not_run(runner *rn, size_t index, const char *why)
{
    if (!rn->results[index])
        keep(rn, index, result_not_run(rn->cases[index], why));
}

static void play_again(runner *rn, size_t index)
{
    rn->again[index] = true;
    rn->again_count++;
}

static void start_probe(runner *rn)
{
    if (rn->probing)
        return;
    rn->probing = true;
    rn->probe_failures = 0;
    rn->probe_not_before = 0;
}

/* Runs the heartbeat while cases run in parallel; one that ended (the target
 * closed it, or a flood of events) is started again after a pause. */
static void keep_heartbeat(runner *rn, bool wanted, uint64_t now)
{
    rn->heartbeat_wanted = wanted;
    if (rn->heartbeat && (!wanted || session_done(rn->heartbeat))) {
        result_free(session_finish(rn->heartbeat));
        rn->heartbeat = NULL;
        rn->heartbeat_not_before = now + runner_us(rn, HEARTBEAT_RESTART_MS);
    }
    if (wanted && !rn->heartbeat && now >= rn->heartbeat_not_before)
        rn->heartbeat = session_start(&heartbeat_case, rn->cfg->session, now);
}

static bool has_bulk_step(const case_def *d)
{
    for (size_t k = 0; k < d->step_count; k++)
        if (d->steps[k].kind == STEP_BULK)
            return true;
    return false;
}

/* True when the heartbeat was answered all through the second half of the
 * case (pongs no more than HEARTBEAT_MAX_GAP_MS apart) while the case's own
 * conversation had gone quiet: the target was answering promptly while this
 * case waited, so the suite's load did not decide what the timer found. */
static bool trusted_by_heartbeat(const runner *rn, const case_result *r)
{
    uint64_t gap = runner_us(rn, HEARTBEAT_MAX_GAP_MS);
    if (!r->timers || !rn->heartbeat || r->duration_us < runner_us(rn, HEARTBEAT_MIN_CASE_MS))
        return false;
    /* A conversation still going when its timer fired was slowed, not stuck:
     * how far it got depends on what ran beside it. */
    uint64_t last_from_peer = 0;
    for (size_t k = 0; k < r->event_count; k++) {
        event_kind kind = r->events[k].kind;
        bool from_peer = kind == EVENT_MESSAGE || kind == EVENT_PING || kind == EVENT_PONG;
        if (from_peer && r->events[k].at_us > last_from_peer)
            last_from_peer = r->events[k].at_us;
    }
    if (last_from_peer && r->duration_us - last_from_peer <= gap)
        return false;
    const case_result *hb = session_result(rn->heartbeat);
    uint64_t to = r->started_at_us + r->duration_us, from = to - r->duration_us / 2;
    if (hb->started_at_us + hb->handshake_at_us > from || !hb->handshake_done)
        return false;
    uint64_t last = from;
    for (size_t k = 0; k < hb->event_count; k++) {
        const observed_event *e = &hb->events[k];
        uint64_t at = hb->started_at_us + e->at_us;
        if (e->kind != EVENT_PONG || at < from)
            continue;
        if (at > to)
            break;
        if (at - last > gap)
            return false;
        last = at;
    }
    return to - last <= gap;
}

/* A session ended: judge it and decide what its result is worth. `alone`:
 * nothing else ran beside it; `replay`: this is the case played again. */
static void collect(runner *rn, slot *sl, bool alone, bool replay)
{
    case_result *r = session_finish(sl->s);
    sl->s = NULL;
    rn->active--;
    rn->bulk_active -= sl->bulk;
    rn->memory -= sl->bound;
    judge_case(r);
    size_t i = sl->index;
    rn->started_at[i] = r->started_at_us;
    rn->ended_at[i] = r->started_at_us + r->duration_us;
    rn->silent[i] = r->stage < STAGE_RESPONSE;
    rn->dropped[i] = r->tcp_closed_by == BY_PEER && !r->peer_sent_close && r->stage >= STAGE_TLS;
    if (r->handshake_done && r->started_at_us + r->handshake_at_us > rn->last_handshake)
        rn->last_handshake = r->started_at_us + r->handshake_at_us;

    if (could_not_connect(r)) {
        /* Gone, or only busy? The probe tells; until then the result waits. */
        start_probe(rn);
        rn->held[rn->held_count++] = (held){i, alone ? r : NULL, replay};
        if (!alone)
            result_free(r);
        return;
    }
    if (!alone && load_sensitive(r) && !trusted_by_heartbeat(rn, r)) {
        result_free(r);
        play_again(rn, i);
        return;
    }
    r->rerun_alone = replay;
    r->heartbeat_checked = !alone && load_sensitive(r);
    keep(rn, i, r);
}

/* The probe ended: the target is alive, or after PROBE_TRIES tries, dead. */
static void probe_done(runner *rn)
{
    case_result *r = session_finish(rn->probe);
    rn->probe = NULL;
    bool alive = r->response_status == 101;
    if (!alive)
        describe_probe_failure(r, rn->probe_failure, sizeof rn->probe_failure);
    result_free(r);
    if (!alive && ++rn->probe_failures < PROBE_TRIES) {
        rn->probe_not_before = monotonic_us() + runner_us(rn, PROBE_PAUSE_MS);
        return;
    }
    rn->probing = false;
    if (!alive) {
        rn->dead = true;
        return;
    }
    /* Alive: what could not connect in a parallel run is played again alone;
     * what could not connect alone is a verdict. */
    for (size_t k = 0; k < rn->held_count; k++) {
        if (rn->held[k].r) {
            rn->held[k].r->rerun_alone = rn->held[k].replay;
            keep(rn, rn->held[k].index, rn->held[k].r);
        } else {
            play_again(rn, rn->held[k].index);
        }
    }
    rn->held_count = 0;
}

/* Sorts case indexes by key[index] (insertion sort: the lists are short or
 * nearly sorted). */
static void sort_by(size_t *list, size_t n, const uint64_t *key)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && key[list[j - 1]] > key[list[j]]; j--) {
            size_t t = list[j];
            list[j] = list[j - 1];
            list[j - 1] = t;
        }
}

/* The run ends here: every session still open (the probe and the heartbeat
 * too) is closed, and the cases they and the held results were for are
 * NOT RUN, with rn->not_run_why. */
static void abandon(runner *rn)
{
    const char *why = rn->not_run_why;
    for (size_t j = 0; j < rn->jobs; j++)
        if (rn->slots[j].s) {
            result_free(session_finish(rn->slots[j].s));
            rn->slots[j].s = NULL;
            not_run(rn, rn->slots[j].index, why);
        }
    if (rn->probe) {
        result_free(session_finish(rn->probe));
        rn->probe = NULL;
    }
    keep_heartbeat(rn, false, monotonic_us());
    rn->active = 0;
    rn->memory = 0;
    for (size_t k = 0; k < rn->held_count; k++) {
        result_free(rn->held[k].r);
        not_run(rn, rn->held[k].index, why);
    }
    rn->held_count = 0;
}

/* The target died: name the cases that were running when it stopped (those
 * it dropped around its last good handshake, and those still open), the
 * earliest started first, and mark every case that could not be played NOT
 * RUN. A connection that got no answer at all and began after the first of
 * them was dropped only reached a dying target's backlog: it is not named.
 * One case at a time names exactly one; in parallel, events of the same
 * millisecond cannot be ordered, so all are named. */
static void after_death(runner *rn)
{
    run_info *info = rn->info;
    uint64_t window = runner_us(rn, DEATH_WINDOW_MS);
    uint64_t since = rn->last_handshake > window ? rn->last_handshake - window : 0;
    size_t *named = must_calloc(rn->count, sizeof *named), n = 0;
    for (size_t i = 0; i < rn->count; i++)
        if (rn->ended_at[i] && rn->dropped[i] && rn->ended_at[i] >= since)
            named[n++] = i;
    for (size_t j = 0; j < rn->jobs; j++) {
        const case_result *r = rn->slots[j].s ? session_result(rn->slots[j].s) : NULL;
        if (r && r->handshake_done) {
            rn->started_at[rn->slots[j].index] = r->started_at_us;
            named[n++] = rn->slots[j].index;
        }
    }
    sort_by(named, n, rn->started_at);
    uint64_t first_drop = UINT64_MAX;
    for (size_t k = 0; k < n; k++)
        if (rn->ended_at[named[k]] && rn->ended_at[named[k]] < first_drop)
            first_drop = rn->ended_at[named[k]];
    size_t kept = 0;
    for (size_t k = 0; k < n; k++)
        if (k == 0 || !rn->silent[named[k]] || rn->started_at[named[k]] < first_drop)
            named[kept++] = named[k];
    n = kept;
    if (n == 0) {
        /* It died between cases: the last one to end is the likeliest. */
        size_t last = NO_CASE;
        for (size_t i = 0; i < rn->count; i++)
            if (rn->ended_at[i] && (last == NO_CASE || rn->ended_at[i] > rn->ended_at[last]))
                last = i;
        if (last != NO_CASE)
            named[n++] = last;
    }
    info->died_during = must_calloc(n, sizeof *info->died_during);
    for (size_t k = 0; k < n; k++)
        info->died_during[k] = rn->cases[named[k]];
    info->died_count = n;
    info->target_state = TARGET_DIED;

    char list[256] = "";
    for (size_t k = 0, used = 0; k < n && used < sizeof list - 16; k++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                                 rn->cases[named[k]]->id);
    snprintf(info->target_detail, sizeof info->target_detail,
             "the target stopped answering during %s%s: %s (%d probes)",
             n > 1 ? "one of " : "", n ? list : "the run", rn->probe_failure, PROBE_TRIES);
    free(named);

    snprintf(rn->not_run_why, sizeof rn->not_run_why, "not run: %s", info->target_detail);
    abandon(rn);
}

/* Ctrl-C: every case without a final result is NOT RUN. */
static void after_stop(runner *rn)
{
    rn->info->target_state = TARGET_INTERRUPTED;
    snprintf(rn->info->target_detail, sizeof rn->info->target_detail,
             "the run was interrupted after %zu of %zu cases", rn->done, rn->count);
    snprintf(rn->not_run_why, sizeof rn->not_run_why, "not run: the run was interrupted");
    abandon(rn);
}

static void show_running(runner *rn)
{
    if (!rn->cfg->hooks.running)
        return;
    uint64_t now = monotonic_us();
    if (now - rn->last_progress < PROGRESS_EVERY_US)
        return;
    rn->last_progress = now;
    const case_def *running[16];
    size_t n = 0;
    for (size_t j = 0; j < rn->jobs && n < 16; j++)
        if (rn->slots[j].s)
            running[n++] = rn->cases[rn->slots[j].index];
    rn->cfg->hooks.running(rn->cfg->hooks.ctx, running, n, rn->done, rn->count);
}

/* Plays order[0..n) with at most `jobs` sessions at once. Returns false when
 * the run must end (the target died or the user stopped it). */
static bool play(runner *rn, const size_t *order, size_t n, size_t jobs, bool alone, bool replay)
{
    size_t next = 0;
    for (;;) {
        if (rn->cfg->stop && *rn->cfg->stop) {
            after_stop(rn);
            return false;
        }
        for (size_t j = 0; j < rn->jobs; j++)
            if (rn->slots[j].s && session_done(rn->slots[j].s))
                collect(rn, &rn->slots[j], alone, replay);
        uint64_t now = monotonic_us();
        if (rn->probe && session_done(rn->probe))
            probe_done(rn);
        if (rn->dead) {
            after_death(rn);
            return false;
        }
        if (rn->probing && !rn->probe && now >= rn->probe_not_before)
            rn->probe = session_start(&probe_case, rn->cfg->session, now);
        keep_heartbeat(rn, !alone && !rn->probing, now);

        /* No new case while the probe decides whether the target is there. */
        while (!rn->probing && next < n && rn->active < jobs) {
            size_t i = order[next];
            bool bulk = rn->bulk[i];
            if (rn->active && rn->memory + rn->bounds[i] > rn->cfg->memory_budget)
                break;
            if (bulk && rn->bulk_active >= BULK_JOBS)
                break;
            for (size_t j = 0; j < rn->jobs; j++)
                if (!rn->slots[j].s) {
                    rn->slots[j] = (slot){session_start(rn->cases[i], rn->cfg->session, now), i,
                                          rn->bounds[i], bulk};
                    break;
                }
            rn->active++;
            rn->bulk_active += bulk;
            rn->memory += rn->bounds[i];
            next++;
        }
        if (next == n && rn->active == 0 && !rn->probing) {
            keep_heartbeat(rn, false, now);
            return true;
        }
        show_running(rn);
        poll_once(rn);
    }
}

/* ---- entry points ------------------------------------------------------------- */

target_state runner_preflight(const session_config *cfg, char *detail, size_t cap, char *server,
                              size_t server_cap)
{
    session *s = session_start(&probe_case, cfg, monotonic_us());
    while (!session_done(s)) {
        uint64_t now = monotonic_us();
        struct pollfd pfd = {0};
        pfd.fd = session_poll(s, &pfd.events, now);
        int timeout = poll_timeout_ms(now, session_deadline(s));
        if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, timeout) < 0 && errno != EINTR)
            abort();
        session_advance(s, pfd.revents, monotonic_us());
    }
    case_result *r = session_finish(s);
    if (server && server_cap)
        snprintf(server, server_cap, "%s", r->server_header);
    target_state state = TARGET_OK;
    if (r->response_status != 101) {
        describe_probe_failure(r, detail, cap);
        state = r->stage == STAGE_NONE  ? TARGET_UNREACHABLE
                : r->stage == STAGE_TCP ? TARGET_TLS_FAILED
                                        : TARGET_NOT_WEBSOCKET;
    }
    result_free(r);
    return state;
}

case_result **runner_run(const case_def *const *cases, size_t count, const runner_config *cfg,
                         run_info *info)
{
    runner rn = {.cfg = cfg, .cases = cases, .count = count, .info = info,
                 .jobs = cfg->jobs ? cfg->jobs : 1};
    rn.results = must_calloc(count, sizeof *rn.results);
    rn.bounds = must_calloc(count, sizeof *rn.bounds);
    rn.bulk = must_calloc(count, sizeof *rn.bulk);
    rn.ended_at = must_calloc(count, sizeof *rn.ended_at);
    rn.dropped = must_calloc(count, sizeof *rn.dropped);
    rn.started_at = must_calloc(count, sizeof *rn.started_at);
    rn.silent = must_calloc(count, sizeof *rn.silent);
    rn.again = must_calloc(count, sizeof *rn.again);
    rn.held = must_calloc(count, sizeof *rn.held);
    rn.slots = must_calloc(rn.jobs, sizeof *rn.slots);
    rn.fds = must_calloc(rn.jobs + 2, sizeof *rn.fds);
    size_t *order = must_calloc(count, sizeof *order);
    for (size_t i = 0; i < count; i++) {
        rn.bounds[i] = session_memory_bound(cases[i]);
        rn.bulk[i] = has_bulk_step(cases[i]);
        order[i] = i;
    }
    info->target_state = TARGET_OK;
    snprintf(rn.not_run_why, sizeof rn.not_run_why, "not run: the target died before it");

    bool go_on = play(&rn, order, count, rn.jobs, rn.jobs == 1, false);
    if (go_on && rn.again_count) {
        /* Played again one at a time, in case order, so no verdict depends on
         * what else was running. */
        size_t n = 0;
        for (size_t i = 0; i < count; i++)
            if (rn.again[i])
                order[n++] = i;
        rn.again_count = 0;
        play(&rn, order, n, 1, true, true);
    }
    /* Whatever is left could not be played. */
    for (size_t i = 0; i < count; i++)
        not_run(&rn, i, rn.not_run_why);

    free(order);
    free(rn.bounds);
    free(rn.bulk);
    free(rn.ended_at);
    free(rn.dropped);
    free(rn.started_at);
    free(rn.silent);
    free(rn.again);
    free(rn.held);
    free(rn.slots);
    free(rn.fds);
    return rn.results;
}
