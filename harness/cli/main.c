/* wsconform: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: wsconform COMMAND [options]\n"
               "  run URL     play the cases against a WebSocket server (ws:// or wss://)\n"
               "  echo        run the reference echo server\n"
               "  list        list the cases\n"
               "  check FILE  check case files for errors\n"
               "  report RUN  HTML, JUnit or Autobahn reports from finished runs\n"
               "  baseline RUN  expected verdicts from finished runs, for run --baseline\n"
               "  diff A B    what changed between two finished runs\n"
               "  version     print the version\n"
               "'wsconform COMMAND --help' describes each command.\n");
}

/* The version is the Makefile's, and nowhere else. */
static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("wsconform %s\n", WSCONFORM_VERSION);
    return 0;
}

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},         {"echo", cmd_echo},       {"list", cmd_list},
    {"check", cmd_check},     {"report", cmd_report},   {"baseline", cmd_baseline},
    {"diff", cmd_diff},       {"version", cmd_version}, {"--version", cmd_version},
};

/* Runs argv[0] as a command, given argv[0..argc). */
static int dispatch(int argc, char **argv)
{
    const char *name = argv[0];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc, argv);
    if (strcmp(name, "help") == 0 && argc > 1 && strcmp(argv[1], "help") != 0) {
        /* `wsconform help COMMAND` is `wsconform COMMAND --help`. */
        char help[] = "--help";
        char *again[] = {argv[1], help, NULL};
        return dispatch(2, again);
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "wsconform: unknown command '%s'\n", name);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    return dispatch(argc - 1, argv + 1);
}
