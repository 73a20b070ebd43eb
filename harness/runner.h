/* Plays many cases at once, each on its own connection. */
#ifndef WSCONFORM_RUNNER_H
#define WSCONFORM_RUNNER_H

#include <stddef.h>

#include "case.h"
#include "result.h"
#include "session.h"

/* Called after each case finishes (for progress); may be NULL. */
typedef void (*runner_progress)(void *ctx, const case_result *done, size_t finished,
                                size_t total);

/* Runs cases[0..count) with at most `jobs` at a time. Returns an array of
 * judged results in the order of `cases` (free each with result_free() and
 * the array with free()). */
case_result **runner_run(const case_def *const *cases, size_t count, const session_config *cfg,
                         size_t jobs, runner_progress progress, void *ctx);

#endif
