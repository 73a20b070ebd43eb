/* The key=value options of send, send-begin, send-data and send-raw, and
 * opcodes. Shared by the parser files only. */
#ifndef WSCONFORM_SEND_OPTIONS_H
#define WSCONFORM_SEND_OPTIONS_H

#include "lang/parser.h"

enum {
    OPT_FIN = 1u << 0,
    OPT_RSV = 1u << 1,
    OPT_MASK = 1u << 2,
    OPT_LEN = 1u << 3,
    OPT_FORM = 1u << 4,
    OPT_CHOP = 1u << 5,
    OPT_FRAGMENT = 1u << 6,
    OPT_CODE = 1u << 7,
    OPT_REASON = 1u << 8,
    OPT_COMPRESS = 1u << 9,
    OPT_WINDOW = 1u << 10,
};

typedef struct options {
    unsigned given;  /* OPT_* bits of the options written */
    bool fin;
    uint8_t rsv;
    int mask;
    uint8_t key[4];
    uint64_t len;
    uint8_t form;
    uint64_t chop, fragment;
    uint16_t code;
    payload reason;
    uint8_t compress;        /* compress_form */
    uint8_t window;          /* window= bits, 8..15 */
} options;

/* key=value where key is lower-case letters; payloads never look like that.
 * The bare word `compress` is the option compress=sync. */
bool is_option(span tok);

/* One option token; `allowed` are the OPT_* bits `directive_name` takes. */
int parse_option(parser *ps, int line, span tok, unsigned allowed, const char *directive_name,
                 options *o);

/* An opcode name or 0..15; *data_opcode: may be cut into fragments. */
bool parse_opcode(span tok, uint8_t *op, bool *data_opcode);

/* form=7 and form=16 cap the length they encode. */
int check_form(parser *ps, int line, uint8_t form, uint64_t length);

void apply_frame_options(step *st, const options *o);

#endif
