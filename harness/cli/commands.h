/*
 * The subcommands of wsconform. Each takes its own argument vector (argv[0]
 * is the command's name, as in `wsconform NAME ...`) and returns the exit
 * status; `wsconform NAME --help` prints its usage on stdout.
 */
#ifndef WSCONFORM_COMMANDS_H
#define WSCONFORM_COMMANDS_H

/* `wsconform run URL [options]`: plays the selected cases against a server.
 * 0 no case failed, 1 a case failed, 2 usage or case-file error, 3 the target
 * could not be reached or died, 130 interrupted. */
int cmd_run(int argc, char **argv);

/* `wsconform echo [options]`: the reference echo server (echo/echo.h). */
int cmd_echo(int argc, char **argv);

/* `wsconform list [--cases LIST] [--exclude LIST] [--cases-dir DIR]`: prints
 * ID<TAB>RFC<TAB>TITLE per case, then a count on stderr. 0, or 2 on usage or
 * case-file errors. */
int cmd_list(int argc, char **argv);

/* `wsconform check FILE|DIR...`: prints "FILE: N cases OK" per good file and
 * "FILE:LINE: message" per bad one. 0 if all parse, 2 otherwise. */
int cmd_check(int argc, char **argv);

/* `wsconform report RUN... [--html DIR] [--junit FILE] [--autobahn-json DIR]`:
 * reports made from finished runs (report/reports.h). 0, or 2. */
int cmd_report(int argc, char **argv);

/* `wsconform baseline RUN... [--update OLD [--merge]]`: a baseline of expected
 * verdicts (report/baseline.h) from runs of one agent, on stdout. 0, or 2.
 * `wsconform baseline --check FILE RUN [--json OUT]`: the gate of `run
 * --baseline` over a finished run. 0 no regression, 1 one at least, 2. */
int cmd_baseline(int argc, char **argv);

/* `wsconform diff A B`: the cases whose verdicts or reason differ between two
 * runs, and those only in one. 0 nothing changed, 1 something did, 2 bad input. */
int cmd_diff(int argc, char **argv);

#endif
