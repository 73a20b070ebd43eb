/*
 * Numbers, sizes and durations as every part of wsconform writes them: the
 * case language, the command line and the echo server's options.
 *   NUMBER    decimal digits, no sign
 *   SIZE      a NUMBER with an optional Ki, Mi, KiB or MiB suffix (powers of 1024)
 *   DURATION  a NUMBER with up to three decimals and `ms` or `s`, in whole ms
 * Each parses exactly text[0..length) and fails on anything else or on a
 * value above `max`.
 */
#ifndef WSCONFORM_QUANTITY_H
#define WSCONFORM_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool quantity_number(const char *text, size_t length, uint64_t max, uint64_t *out);
bool quantity_size(const char *text, size_t length, uint64_t max, uint64_t *out);
bool quantity_duration(const char *text, size_t length, uint32_t max_ms, uint32_t *ms);

#endif
