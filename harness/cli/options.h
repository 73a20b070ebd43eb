/*
 * What every subcommand's option parsing shares: getopt started afresh, the
 * usage printed for --help (stdout, exit 0) or for a bad option (stderr,
 * exit 2), and numbers read from option values.
 */
#ifndef WSCONFORM_OPTIONS_H
#define WSCONFORM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

/* A command's usage text, printed to f. */
typedef void usage_fn(FILE *f);

/* Returned by option parsers when the command goes on (any other value is
 * the exit status to return at once). */
#define OPTIONS_CONTINUE (-1)

/* Starts a getopt_long scan afresh (getopt keeps its position in globals). */
void options_reset(void);

/* For getopt_long's answer `opt` of 'h' (--help): usage on stdout, 0;
 * for anything else (an option getopt rejected): usage on stderr, 2. */
int options_usage_status(usage_fn *usage, int opt);

/* A decimal number min..max as strtod(3) reads it (so 4, 4.0 and 1e1 alike),
 * the whole text. Returns 0, or -1 leaving *out unchanged. */
int options_number(const char *text, double min, double max, double *out);

/* options_number restricted to whole numbers. */
int options_whole_number(const char *text, long min, long max, long *out);

#endif
