/* The one clock of the harness: monotonic microseconds. Everything that takes
 * a `now` takes it from here (or, in tests, from a script). */
#ifndef WSCONFORM_CLOCK_H
#define WSCONFORM_CLOCK_H

#include <stdint.h>

uint64_t monotonic_us(void);

/* A timeout of `ms` stretched by --timeout-scale, in µs. */
uint64_t scaled_us(uint32_t ms, double scale);

#endif
