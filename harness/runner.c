/* The event loop: poll() over the running sessions, timers from their deadlines. */
#include "runner.h"

#include <poll.h>
#include <stdlib.h>

#include "judge.h"

case_result **runner_run(const case_def *const *cases, size_t count, const session_config *cfg,
                         size_t jobs, runner_progress progress, void *ctx)
{
    if (jobs == 0)
        jobs = 1;
    case_result **results = calloc(count ? count : 1, sizeof *results);
    session **active = calloc(jobs, sizeof *active);
    size_t *index = calloc(jobs, sizeof *index);
    struct pollfd *fds = calloc(jobs, sizeof *fds);
    if (!results || !active || !index || !fds)
        abort();

    size_t next = 0, finished = 0;
    while (finished < count) {
        uint64_t now = monotonic_us();
        for (size_t j = 0; j < jobs; j++) {
            if (!active[j] && next < count) {
                index[j] = next;
                active[j] = session_start(cases[next++], cfg, now);
            }
            if (active[j] && session_done(active[j])) {
                case_result *r = session_finish(active[j]);
                active[j] = NULL;
                judge_case(r);
                results[index[j]] = r;
                finished++;
                if (progress)
                    progress(ctx, r, finished, count);
                j--; /* reuse this slot for the next case at once */
                continue;
            }
        }
        if (finished == count)
            break;

        uint64_t wake = UINT64_MAX;
        for (size_t j = 0; j < jobs; j++) {
            fds[j].fd = -1;
            fds[j].revents = 0;
            if (!active[j])
                continue;
            fds[j].fd = session_poll(active[j], &fds[j].events);
            uint64_t d = session_deadline(active[j]);
            if (d < wake)
                wake = d;
        }
        int timeout = -1;
        if (wake != UINT64_MAX)
            timeout = wake <= now ? 0 : (int)((wake - now + 999) / 1000);
        if (timeout > 1000 || timeout < 0)
            timeout = 1000;
        poll(fds, jobs, timeout);

        now = monotonic_us();
        for (size_t j = 0; j < jobs; j++)
            if (active[j])
                session_advance(active[j], fds[j].revents, now);
    }
    free(fds);
    free(index);
    free(active);
    return results;
}
