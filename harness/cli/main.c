/* wsconform: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "lang/catalog.h"
#include "cli/cmd_run.h"
#include "echo/echo.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: wsconform COMMAND [options]\n"
               "  run URL     play the cases against a WebSocket server (ws:// or wss://)\n"
               "  echo        run the reference echo server\n"
               "  list        list the cases\n"
               "  check FILE  check case files for errors\n"
               "  version     print the version\n"
               "'wsconform COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "echo") == 0)
        return cmd_echo(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("wsconform %s\n", WSCONFORM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 && argc > 2 && strcmp(argv[2], "help") != 0) {
        /* `wsconform help COMMAND` is `wsconform COMMAND --help`. */
        char help[] = "--help";
        char *again[] = {argv[0], argv[2], help, NULL};
        return main(3, again);
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "wsconform: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
