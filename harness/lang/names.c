/* The name tables (names.h). */
#include "lang/names.h"

#include <stdio.h>
#include <string.h>

#include "wscodec/frame.h"

/* Spelled once here and joined at compile time into event_spelling()'s words. */
#define MESSAGE_WORD "message"
#define TEXT_WORD "text"
#define BINARY_WORD "binary"

static const name_entry events[] = {
    {MESSAGE_WORD, EVENT_MESSAGE}, {"ping", EVENT_PING}, {"pong", EVENT_PONG},
    {"timeout", EVENT_TIMEOUT},    {"http", EVENT_HTTP},
};
const name_table event_names = NAME_TABLE(events);

static const name_entry verdicts[] = {
    {"OK", VERDICT_OK},
    {"NON-STRICT", VERDICT_NON_STRICT},
    {"INFORMATIONAL", VERDICT_INFORMATIONAL},
    {"UNIMPLEMENTED", VERDICT_UNIMPLEMENTED},
    {"FAILED", VERDICT_FAILED},
    {"NOT RUN", VERDICT_NOT_RUN},
};
const name_table verdict_names = NAME_TABLE(verdicts);

static const name_entry opcodes[] = {
    {"continuation", WS_OP_CONTINUATION}, {TEXT_WORD, WS_OP_TEXT}, {BINARY_WORD, WS_OP_BINARY},
    {"close", WS_OP_CLOSE},               {"ping", WS_OP_PING},    {"pong", WS_OP_PONG},
};
const name_table opcode_names = NAME_TABLE(opcodes);

static const name_entry closers[] = {
    {"us", CLOSER_US},
    {"peer", CLOSER_PEER},
    {"none", CLOSER_NONE},
};
const name_table closer_names = NAME_TABLE(closers);

static const name_entry situations[] = {
    {"kill", SITUATION_KILL},
    {"code", SITUATION_CODE},
    {"peer-close", SITUATION_PEER_CLOSE},
    {"peer-drop", SITUATION_PEER_DROP},
    {"refused", SITUATION_REFUSED},
};
const name_table situation_names = NAME_TABLE(situations);

static const name_entry compress_forms[] = {
    {"sync", COMPRESS_SYNC},
    {"stored", COMPRESS_STORED},
    {"final", COMPRESS_FINAL},
    {"tail", COMPRESS_TAIL},
};
const name_table compress_form_names = NAME_TABLE(compress_forms);

const char *name_of(const name_table *t, int value)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->entries[i].value == value)
            return t->entries[i].name;
    return NULL;
}

bool name_lookup(const name_table *t, const char *text, size_t length, int *value)
{
    for (size_t i = 0; i < t->count; i++) {
        const char *name = t->entries[i].name;
        if (length && name[0] == text[0] && strlen(name) == length &&
            memcmp(name, text, length) == 0) {
            *value = t->entries[i].value;
            return true;
        }
    }
    return false;
}

void name_list(const name_table *t, const char *last_separator, char *buf, size_t cap)
{
    size_t o = 0;
    if (cap)
        buf[0] = '\0';
    for (size_t i = 0; i < t->count && o < cap; i++) {
        const char *separator = i == 0 ? "" : i + 1 == t->count ? last_separator : ", ";
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", separator, t->entries[i].name);
    }
}

const char *event_name(event_kind k)
{
    const char *name = name_of(&event_names, (int)k);
    return name ? name : "?";
}

const char *opcode_name(uint8_t op)
{
    static const char *const numbers[16] = {"0", "1", "2",  "3",  "4",  "5",  "6",  "7",
                                            "8", "9", "10", "11", "12", "13", "14", "15"};
    const char *name = name_of(&opcode_names, op & 15);
    return name ? name : numbers[op & 15];
}

const char *closer_name(closer c)
{
    const char *name = name_of(&closer_names, (int)c);
    return name ? name : "?";
}

const char *situation_name(close_situation s)
{
    const char *name = name_of(&situation_names, (int)s);
    return name ? name : "?";
}

const char *event_spelling(event_kind k, uint8_t opcode)
{
    if (k == EVENT_MESSAGE)
        return opcode == WS_OP_BINARY ? MESSAGE_WORD " " BINARY_WORD : MESSAGE_WORD " " TEXT_WORD;
    return event_name(k);
}
