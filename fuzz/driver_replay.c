/*
 * Replay driver: runs files through LLVMFuzzerTestOneInput() without a
 * fuzzing engine, so that seeds, regressions and crash files can be run with
 * any compiler and any sanitizer, under a debugger, or for coverage.
 *
 *   <target> [-t] [-q] [-timeout=N] PATH...
 *
 * Each PATH is a file or a directory, read recursively in sorted order;
 * names starting with "." or "README" are skipped. By default every input
 * runs in this process, like a libFuzzer binary given files: the first crash
 * stops the run, which is what a debugger wants. With -t every input runs in
 * a child process with a time limit, the empty input first, and a summary
 * line follows; the exit status is 1 if any input failed. Arguments of the
 * form -name=value that libFuzzer takes are accepted and ignored.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

typedef struct path_list {
    char **items;
    size_t count, cap;
} path_list;

static void add_path(path_list *l, const char *path)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = realloc(l->items, l->cap * sizeof *l->items);
        if (!l->items) {
            perror("realloc");
            exit(2);
        }
    }
    l->items[l->count] = strdup(path);
    if (!l->items[l->count]) {
        perror("strdup");
        exit(2);
    }
    l->count++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int skipped(const char *name)
{
    return name[0] == '.' || strncmp(name, "README", 6) == 0;
}

static void collect(path_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_path(l, path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    path_list here = { 0 };
    for (struct dirent *d; (d = readdir(dir)) != NULL;) {
        if (skipped(d->d_name))
            continue;
        size_t n = strlen(path) + strlen(d->d_name) + 2;
        char *child = malloc(n);
        if (!child) {
            perror("malloc");
            exit(2);
        }
        snprintf(child, n, "%s/%s", path, d->d_name);
        add_path(&here, child);
        free(child);
    }
    closedir(dir);
    if (here.count)
        qsort(here.items, here.count, sizeof *here.items, by_name);
    for (size_t i = 0; i < here.count; i++) {
        collect(l, here.items[i]);
        free(here.items[i]);
    }
    free(here.items);
}

/* Reads a whole file into an allocation of exactly its size, so that a read
 * past the input's end is caught by AddressSanitizer. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    if (!buf || ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        exit(2);
    }
    fclose(f);
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        perror("malloc");
        exit(2);
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    *size = n;
    return exact;
}

static void run_one(const char *path)
{
    size_t size = 0;
    uint8_t *data = path ? read_file(path, &size) : malloc(1);
    if (!data) {
        perror("malloc");
        exit(2);
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
}

/* Runs one input in a child; returns 0 if it passed. */
static int run_forked(const char *path, unsigned timeout)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        alarm(timeout);
        run_one(path);
        exit(0); /* exit(), not _exit(): the leak checker runs at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            exit(2);
        }
    }
    const char *name = path ? path : "(empty input)";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        fprintf(stderr, "FAIL %s: timeout after %u s\n", name, timeout);
    else if (WIFSIGNALED(status))
        fprintf(stderr, "FAIL %s: killed by signal %d\n", name, WTERMSIG(status));
    else
        fprintf(stderr, "FAIL %s: exit status %d\n", name, WEXITSTATUS(status));
    return 1;
}

int main(int argc, char **argv)
{
    int forked = 0, quiet = 0;
    unsigned timeout = 10;
    path_list inputs = { 0 };

    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-t") == 0)
            forked = 1;
        else if (strcmp(a, "-q") == 0)
            quiet = 1;
        else if (strncmp(a, "-timeout=", 9) == 0)
            timeout = (unsigned)strtoul(a + 9, NULL, 10);
        else if (a[0] == '-' && strchr(a, '='))
            ; /* a libFuzzer option: ignored */
        else if (a[0] == '-') {
            fprintf(stderr, "usage: %s [-t] [-q] [-timeout=N] PATH...\n", argv[0]);
            return 2;
        } else
            collect(&inputs, a);
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s [-t] [-q] [-timeout=N] PATH...\n", argv[0]);
        return 2;
    }

    size_t failed = 0;
    if (forked)
        failed += (size_t)run_forked(NULL, timeout);
    for (size_t i = 0; i < inputs.count; i++) {
        if (forked) {
            failed += (size_t)run_forked(inputs.items[i], timeout);
        } else {
            if (!quiet)
                fprintf(stderr, "Running: %s\n", inputs.items[i]);
            run_one(inputs.items[i]);
            if (!quiet)
                fprintf(stderr, "Executed %s\n", inputs.items[i]);
        }
        free(inputs.items[i]);
    }
    free(inputs.items);
    if (forked || !quiet)
        fprintf(stderr, "replayed %zu inputs%s, %zu failed\n", inputs.count + (size_t)forked,
                forked ? " (empty input included)" : "", failed);
    return failed ? 1 : 0;
}
