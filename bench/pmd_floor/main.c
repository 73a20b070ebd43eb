/*
 * pmd-floor [--cases-dir DIR] [--cases GLOBS] [--workers N] [--mem-level N]
 *
 * Plays the zlib work of the compressed bulk cases (floor.h) in one worker
 * process per core, each taking the next case, largest first, until none is
 * left. Prints on stdout
 *   BENCH name=pmd_floor value=<wall seconds> unit=s
 * and on stderr, as # lines, where the time went: per side and operation,
 * per data set and agreed windows. Exit 0, or 1 with a message.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.h"
#include "lang/catalog.h"

#define WORKERS_MAX 256
#define ERROR_MAX 512

/* Shared by the workers (an anonymous mapping survives fork): the next case
 * to take, each worker's split, and the first failure. */
typedef struct shared {
    atomic_size_t next_case;
    atomic_int failed;
    char error[ERROR_MAX];
    floor_split split[];
} shared;

static const char *const op_names[OP_COUNT] = {
    [OP_SUITE_DEFLATE] = "suite deflate",
    [OP_ECHO_INFLATE] = "echo inflate",
    [OP_ECHO_DEFLATE] = "echo deflate",
    [OP_SUITE_INFLATE] = "suite inflate",
};

static void usage(void)
{
    fprintf(stderr, "usage: pmd-floor [--cases-dir DIR] [--cases GLOBS] [--workers N] "
                    "[--mem-level 1..9]\n");
    exit(1);
}

static int work(const floor_plan *plan, shared *sh, size_t worker)
{
    char err[ERROR_MAX];
    for (;;) {
        if (atomic_load(&sh->failed))
            return 1;
        size_t i = atomic_fetch_add(&sh->next_case, 1);
        if (i >= plan->count)
            return 0;
        if (floor_replay_case(plan, &plan->cases[i], &sh->split[worker], err, sizeof err) != 0) {
            int expected = 0;
            if (atomic_compare_exchange_strong(&sh->failed, &expected, 1))
                memcpy(sh->error, err, sizeof err);
            return 1;
        }
    }
}

/* Forks the workers and waits for them all; false if one failed. */
static bool run_workers(const floor_plan *plan, shared *sh, size_t workers)
{
    pid_t pids[WORKERS_MAX];
    size_t started = 0;
    for (; started < workers; started++) {
        pid_t pid = fork();
        if (pid < 0) {
            snprintf(sh->error, ERROR_MAX, "fork: %s", strerror(errno));
            atomic_store(&sh->failed, 1);
            break;
        }
        if (pid == 0) {
            fflush(NULL);
            _exit(work(plan, sh, started));
        }
        pids[started] = pid;
    }
    bool ok = started == workers;
    for (size_t i = 0; i < started; i++) {
        int status;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR) {
        }
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return ok && !atomic_load(&sh->failed);
}

static double children_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static void describe_side(char *out, size_t cap, const ws_deflater_config *d)
{
    snprintf(out, cap, "w%u%s", d->window_bits ? d->window_bits : 15u,
             d->no_context_takeover ? " reset" : "");
}

/* The workers' splits added up; per row and per operation. */
static void report_split(const floor_plan *plan, const shared *sh, size_t workers)
{
    floor_tally total[OP_COUNT] = {{0}};
    fprintf(stderr, "# pmd_floor split: zlib CPU seconds (summed over workers) "
                    "and MB in, per data set and agreement (window; reset = no context "
                    "takeover)\n");
    fprintf(stderr, "#   %-5s %-10s %-10s %8s %15s %15s %15s %15s\n", "data", "suite", "echo",
            "messages", op_names[0], op_names[1], op_names[2], op_names[3]);
    for (size_t p = 0; p < plan->profile_count; p++) {
        floor_tally row[OP_COUNT] = {{0}};
        for (size_t w = 0; w < workers; w++)
            for (int op = 0; op < OP_COUNT; op++) {
                const floor_tally *t = &sh->split[w].tally[p][op];
                row[op].seconds += t->seconds;
                row[op].bytes_in += t->bytes_in;
                row[op].bytes_out += t->bytes_out;
                row[op].messages += t->messages;
            }
        char suite[16], echo[16];
        describe_side(suite, sizeof suite, &plan->profiles[p].agreement.suite_deflate);
        describe_side(echo, sizeof echo, &plan->profiles[p].agreement.echo_deflate);
        fprintf(stderr, "#   %-5s %-10s %-10s %8llu", plan->profiles[p].set->name, suite, echo,
                (unsigned long long)row[0].messages);
        for (int op = 0; op < OP_COUNT; op++) {
            fprintf(stderr, " %6.2fs %6.1fMB", row[op].seconds, (double)row[op].bytes_in / 1e6);
            total[op].seconds += row[op].seconds;
            total[op].bytes_in += row[op].bytes_in;
            total[op].bytes_out += row[op].bytes_out;
        }
        fputc('\n', stderr);
    }
    double all = 0;
    for (int op = 0; op < OP_COUNT; op++)
        all += total[op].seconds;
    for (int op = 0; op < OP_COUNT; op++)
        fprintf(stderr, "# pmd_floor %-13s %7.2f s (%4.1f %%), %8.1f MB in, %8.1f MB out\n",
                op_names[op], total[op].seconds, all > 0 ? 100 * total[op].seconds / all : 0,
                (double)total[op].bytes_in / 1e6, (double)total[op].bytes_out / 1e6);
    double echo = total[OP_ECHO_INFLATE].seconds + total[OP_ECHO_DEFLATE].seconds;
    fprintf(stderr, "# pmd_floor suite side %.2f s, echo side %.2f s, all %.2f s\n",
            total[OP_SUITE_DEFLATE].seconds + total[OP_SUITE_INFLATE].seconds, echo, all);
    /* The echo server plays every connection on one thread. */
    fprintf(stderr, "# pmd_floor: a single-threaded echo server needs at least %.2f s for "
                    "these cases (its zlib work on one core)\n", echo);
}

typedef struct options {
    const char *dir, *include;
    size_t workers;
    uint8_t mem_level;
} options;

/* A whole number in [min, max], or the usage message. */
static long number_option(const char *text, long min, long max)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || *end || n < min || n > max)
        usage();
    return n;
}

static options parse_options(int argc, char **argv)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    options o = {catalog_default_dir(), NULL, online > 0 ? (size_t)online : 1, FLOOR_MEM_LEVEL};
    if (o.workers > WORKERS_MAX)
        o.workers = WORKERS_MAX;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 == argc)
            usage();
        if (strcmp(argv[i], "--cases-dir") == 0)
            o.dir = argv[i + 1];
        else if (strcmp(argv[i], "--cases") == 0)
            o.include = argv[i + 1];
        else if (strcmp(argv[i], "--workers") == 0)
            o.workers = (size_t)number_option(argv[i + 1], 1, WORKERS_MAX);
        else if (strcmp(argv[i], "--mem-level") == 0)
            o.mem_level = (uint8_t)number_option(argv[i + 1], 1, 9);
        else
            usage();
    }
    return o;
}

int main(int argc, char **argv)
{
    options o = parse_options(argc, argv);
    size_t workers = o.workers;
    char err[ERROR_MAX];
    floor_plan plan;
    double t0 = floor_now();
    if (floor_plan_load(&plan, o.dir, o.include, o.mem_level, err, sizeof err) != 0) {
        fprintf(stderr, "pmd-floor: %s\n", err);
        floor_plan_free(&plan);
        return 1;
    }
    double planned = floor_now() - t0;
    if (plan.count == 0) {
        fprintf(stderr, "pmd-floor: no case with a compressed bulk step the echo would agree "
                        "to\n");
        floor_plan_free(&plan);
        return 1;
    }
    if (workers > plan.count)
        workers = plan.count;

    size_t size = sizeof(shared) + workers * sizeof(floor_split);
    shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        fprintf(stderr, "pmd-floor: mmap: %s\n", strerror(errno));
        floor_plan_free(&plan);
        return 1;
    }
    atomic_init(&sh->next_case, 0);
    atomic_init(&sh->failed, 0);

    fflush(NULL);
    t0 = floor_now();
    bool ok = run_workers(&plan, sh, workers);
    double wall = floor_now() - t0;
    if (!ok) {
        fprintf(stderr, "pmd-floor: %s\n", sh->error[0] ? sh->error : "a worker failed");
    } else {
        fprintf(stderr,
                "# pmd_floor: %zu cases, %llu messages, %zu workers, level %d, memLevel %u (0: the codec's): "
                "%.2f s wall, %.2f s CPU (cases read and planned in %.2f s, not counted)\n",
                plan.count, (unsigned long long)plan.messages, workers, FLOOR_LEVEL,
                (unsigned)o.mem_level, wall,
                children_cpu_seconds(), planned);
        if (plan.not_agreed || plan.not_compressed)
            fprintf(stderr, "# pmd_floor: left out %zu bulk cases the echo declines and %zu "
                            "uncompressed bulk steps\n", plan.not_agreed, plan.not_compressed);
        report_split(&plan, sh, workers);
        printf("BENCH name=pmd_floor value=%.3f unit=s\n", wall);
    }
    munmap(sh, size);
    floor_plan_free(&plan);
    return ok ? 0 : 1;
}
