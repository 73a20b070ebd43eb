/* Case ids: their syntax, and a hash table that finds an id among the cases
 * already loaded and those of this text, so that duplicates name both places. */
#include "lang/parser.h"

#include <stdlib.h>
#include <string.h>

bool valid_id(span id)
{
    return is_word(id, 100);
}

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211u;
    return h;
}

static const case_def *case_at(const parser *ps, size_t index)
{
    return index < ps->existing->count ? &ps->existing->cases[index]
                                       : &ps->cases[index - ps->existing->count];
}

const case_def *id_lookup(parser *ps, const char *id, size_t index)
{
    size_t mask = ps->slot_cap - 1;
    for (size_t i = (size_t)hash_id(id) & mask;; i = (i + 1) & mask) {
        if (ps->slots[i] == 0) {
            if (index != SIZE_MAX)
                ps->slots[i] = index + 1;
            return NULL;
        }
        const case_def *c = case_at(ps, ps->slots[i] - 1);
        if (c->id && strcmp(c->id, id) == 0)
            return c;
    }
}

int id_table_reserve(parser *ps, size_t entries)
{
    if (entries * 2 < ps->slot_cap)
        return 0;
    size_t cap = ps->slot_cap ? ps->slot_cap : 64;
    while (entries * 2 >= cap)
        cap *= 2;
    size_t *old = ps->slots, old_cap = ps->slot_cap;
    ps->slots = calloc(cap, sizeof *ps->slots);
    if (!ps->slots) {
        ps->slots = old;
        return -1;
    }
    ps->slot_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            id_lookup(ps, case_at(ps, old[i] - 1)->id, old[i] - 1);
    free(old);
    return 0;
}
