#include "run/clock.h"

#include <time.h>

uint64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t scaled_us(uint32_t ms, double scale)
{
    return (uint64_t)((double)ms * 1000.0 * scale);
}
