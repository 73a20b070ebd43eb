#include "lang/quantity.h"

#include <string.h>

static bool ends_with(const char *text, size_t length, const char *suffix)
{
    size_t n = strlen(suffix);
    return length > n && memcmp(text + length - n, suffix, n) == 0;
}

bool quantity_number(const char *text, size_t length, uint64_t max, uint64_t *out)
{
    if (length == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        unsigned d = (unsigned)(text[i] - '0');
        if (d > max || v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool quantity_size(const char *text, size_t length, uint64_t max, uint64_t *out)
{
    static const struct { const char *suffix; uint64_t unit; } units[] = {
        {"KiB", 1024u}, {"MiB", 1024u * 1024u}, {"Ki", 1024u}, {"Mi", 1024u * 1024u},
    };
    uint64_t unit = 1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ends_with(text, length, units[i].suffix)) {
            unit = units[i].unit;
            length -= strlen(units[i].suffix);
            break;
        }
    uint64_t v;
    if (!quantity_number(text, length, UINT64_MAX, &v) || v > max / unit)
        return false;
    *out = v * unit;
    return true;
}

bool quantity_duration(const char *text, size_t length, uint32_t max_ms, uint32_t *ms)
{
    uint64_t scale;
    if (ends_with(text, length, "ms")) {
        scale = 1;
        length -= 2;
    } else if (ends_with(text, length, "s")) {
        scale = 1000;
        length -= 1;
    } else {
        return false;
    }
    size_t whole = length, frac = 0;
    const char *dot = memchr(text, '.', length);
    if (dot) {
        whole = (size_t)(dot - text);
        frac = length - whole - 1;
        if (frac == 0 || frac > 3)
            return false;
    }
    uint64_t w, f = 0;
    if (!quantity_number(text, whole, max_ms, &w))
        return false;
    if (frac && !quantity_number(dot + 1, frac, 999, &f))
        return false;
    /* f has `frac` decimals; express it in thousandths of a unit. */
    for (size_t i = frac; i < 3; i++)
        f *= 10;
    uint64_t total = w * scale * 1000u + f * scale; /* thousandths of a millisecond */
    if (total % 1000u)
        return false;
    total /= 1000u;
    if (total > max_ms)
        return false;
    *ms = (uint32_t)total;
    return true;
}
