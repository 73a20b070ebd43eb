/*
 * permessage-deflate (RFC 7692): parameter negotiation (§5, §7.1) and the
 * payload transformation (§7.2) over zlib's raw DEFLATE streams.
 */
#define ZLIB_CONST /* next_in is const: our input buffers are */
#include "wscodec/deflate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "wscodec/error.h"
#include "wscodec/message.h"
#include "libc_realloc.h"

static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};

/* ---- negotiation ---------------------------------------------------------- */

enum { P_SERVER_NO_TAKEOVER, P_CLIENT_NO_TAKEOVER, P_SERVER_BITS, P_CLIENT_BITS, P_COUNT };

static const char *const param_names[P_COUNT] = {
    "server_no_context_takeover",
    "client_no_context_takeover",
    "server_max_window_bits",
    "client_max_window_bits",
};

static bool slice_is(const char *s, size_t len, const char *name)
{
    return s && strlen(name) == len && memcmp(s, name, len) == 0;
}

static bool is_pmd(const ws_extension *e)
{
    return slice_is(e->name, e->name_len, WS_PMD_EXTENSION_NAME);
}

/* A window size as §7.1.2.1 and §7.1.2.2 spell it once unescaped: 8..15 in
 * digits without a leading zero. 0 for anything else, "08" and "+9" included. */
static uint8_t window_value(const ws_extension_param *p)
{
    char v[2];
    int n = ws_extension_param_value(p, v, sizeof v);
    if (n == 1 && v[0] >= '8' && v[0] <= '9')
        return (uint8_t)(v[0] - '0');
    if (n == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5')
        return (uint8_t)(10 + v[1] - '0');
    return 0;
}

static bool window_ok(uint8_t bits)
{
    return bits >= WS_PMD_WINDOW_BITS_MIN && bits <= WS_PMD_WINDOW_BITS_MAX;
}

/* A configured window: 0 stands for the default, 15. */
static bool window_config_ok(uint8_t bits) { return bits == 0 || window_ok(bits); }

/* An agreed window as zlib takes it: absent (or without value) is 15. */
static uint8_t window_or_15(uint8_t bits) { return window_ok(bits) ? bits : 15; }

static uint8_t smaller(uint8_t a, uint8_t b) { return a < b ? a : b; }

int ws_pmd_parse(const ws_extension *ext, ws_pmd_kind kind, ws_pmd_params *out)
{
    if (!ext || !out || (kind != WS_PMD_OFFER && kind != WS_PMD_RESPONSE) || !is_pmd(ext) ||
        ext->num_params > WS_EXTENSION_MAX_PARAMS)
        return WS_E_INVALID_ARGUMENT;
    ws_pmd_params p = {0};
    bool seen[P_COUNT] = {false};
    for (size_t i = 0; i < ext->num_params; i++) {
        const ws_extension_param *param = &ext->params[i];
        int which = -1;
        for (int k = 0; k < P_COUNT; k++)
            if (slice_is(param->name, param->name_len, param_names[k]))
                which = k;
        if (which < 0)
            return WS_E_PMD_PARAM_UNKNOWN;
        if (seen[which])
            return WS_E_PMD_PARAM_DUPLICATE;
        seen[which] = true;
        bool has_value = param->value != NULL;
        switch (which) {
        case P_SERVER_NO_TAKEOVER:
            if (has_value)
                return WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_VALUE;
            p.server_no_context_takeover = true;
            break;
        case P_CLIENT_NO_TAKEOVER:
            if (has_value)
                return WS_E_PMD_CLIENT_NO_CONTEXT_TAKEOVER_VALUE;
            p.client_no_context_takeover = true;
            break;
        case P_SERVER_BITS:
            p.server_max_window_bits = has_value ? window_value(param) : 0;
            if (!p.server_max_window_bits)
                return WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID;
            break;
        default: /* P_CLIENT_BITS: a bare one lets the server choose (offer only) */
            if (!has_value) {
                if (kind == WS_PMD_RESPONSE)
                    return WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NO_VALUE;
                p.client_max_window_bits = WS_PMD_WINDOW_BITS_NO_VALUE;
                break;
            }
            p.client_max_window_bits = window_value(param);
            if (!p.client_max_window_bits)
                return WS_E_PMD_CLIENT_MAX_WINDOW_BITS_INVALID;
            break;
        }
    }
    *out = p;
    return WS_OK;
}

/* The answer to one valid offer, or false if config cannot honour it. */
static bool answer_offer(const ws_pmd_params *offer, const ws_pmd_server_config *config,
                         ws_pmd_params *response)
{
    uint8_t ours = window_or_15(config->server_max_window_bits);
    uint8_t theirs = window_or_15(config->client_max_window_bits);
    ws_pmd_params r = {0};
    r.server_no_context_takeover =
        offer->server_no_context_takeover || config->server_no_context_takeover;
    r.client_no_context_takeover =
        offer->client_no_context_takeover || config->client_no_context_takeover;
    if (offer->server_max_window_bits)
        r.server_max_window_bits = smaller(offer->server_max_window_bits, ours);
    else if (ours < 15)
        r.server_max_window_bits = ours;
    if (offer->client_max_window_bits == 0) {
        /* We may not name the client's window, so it may use 15 (§7.1.2.2). */
        if (theirs < 15)
            return false;
    } else if (offer->client_max_window_bits == WS_PMD_WINDOW_BITS_NO_VALUE) {
        if (theirs < 15)
            r.client_max_window_bits = theirs;
    } else {
        r.client_max_window_bits = smaller(offer->client_max_window_bits, theirs);
    }
    *response = r;
    return true;
}

int ws_pmd_server_choose(const ws_extension *offers, size_t num_offers,
                         const ws_pmd_server_config *config, ws_pmd_params *response,
                         size_t *chosen)
{
    static const ws_pmd_server_config defaults;
    if (!config)
        config = &defaults;
    if (!response || !chosen || (!offers && num_offers) ||
        !window_config_ok(config->server_max_window_bits) ||
        !window_config_ok(config->client_max_window_bits))
        return WS_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < num_offers; i++) {
        ws_pmd_params offer;
        if (!is_pmd(&offers[i]) || ws_pmd_parse(&offers[i], WS_PMD_OFFER, &offer) != WS_OK)
            continue;
        if (answer_offer(&offer, config, response)) {
            *chosen = i;
            return 1;
        }
    }
    return 0;
}

/* WS_OK if response accepts offer (§7.1), else the first reason it does not. */
static int check_acceptance(const ws_pmd_params *offer, const ws_pmd_params *response)
{
    if (offer->server_no_context_takeover && !response->server_no_context_takeover)
        return WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_MISSING;
    if (offer->server_max_window_bits) {
        if (!response->server_max_window_bits)
            return WS_E_PMD_SERVER_MAX_WINDOW_BITS_MISSING;
        if (response->server_max_window_bits > offer->server_max_window_bits)
            return WS_E_PMD_SERVER_MAX_WINDOW_BITS_TOO_LARGE;
    }
    if (response->client_max_window_bits) {
        if (!offer->client_max_window_bits)
            return WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NOT_OFFERED;
        if (offer->client_max_window_bits != WS_PMD_WINDOW_BITS_NO_VALUE &&
            response->client_max_window_bits > offer->client_max_window_bits)
            return WS_E_PMD_CLIENT_MAX_WINDOW_BITS_TOO_LARGE;
    }
    return WS_OK;
}

int ws_pmd_client_accept(const ws_extension *offers, size_t num_offers,
                         const ws_extension *response, size_t num_response,
                         ws_pmd_params *agreed)
{
    if (!agreed || (!offers && num_offers) || (!response && num_response))
        return WS_E_INVALID_ARGUMENT;
    bool offered = false;
    for (size_t i = 0; i < num_offers; i++) {
        ws_pmd_params own;
        if (!is_pmd(&offers[i]))
            continue;
        if (ws_pmd_parse(&offers[i], WS_PMD_OFFER, &own) != WS_OK)
            return WS_E_INVALID_ARGUMENT;
        offered = true;
    }
    const ws_extension *accepted = NULL;
    for (size_t i = 0; i < num_response; i++) {
        if (!is_pmd(&response[i]))
            continue;
        if (accepted)
            return WS_E_PMD_ACCEPTED_TWICE;
        accepted = &response[i];
    }
    if (!accepted)
        return 0;
    ws_pmd_params r;
    int err = ws_pmd_parse(accepted, WS_PMD_RESPONSE, &r);
    if (err != WS_OK)
        return err;
    if (!offered)
        return WS_E_HS_EXTENSION_NOT_OFFERED;

    int first_reason = WS_OK;
    for (size_t i = 0; i < num_offers; i++) {
        ws_pmd_params offer;
        if (!is_pmd(&offers[i]))
            continue;
        (void)ws_pmd_parse(&offers[i], WS_PMD_OFFER, &offer); /* parsed above */
        int reason = check_acceptance(&offer, &r);
        if (reason == WS_OK) {
            /* What the offer promised binds the client whatever the answer says. */
            r.client_no_context_takeover |= offer.client_no_context_takeover;
            if (!r.client_max_window_bits &&
                offer.client_max_window_bits != WS_PMD_WINDOW_BITS_NO_VALUE)
                r.client_max_window_bits = offer.client_max_window_bits;
            *agreed = r;
            return 1;
        }
        if (first_reason == WS_OK)
            first_reason = reason;
    }
    return first_reason;
}

/* Appends s to buf[*len ..) within cap; returns false (and stops) when full. */
static bool append(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap - *len)
        return false;
    memcpy(buf + *len, s, n);
    *len += n;
    return true;
}

static bool append_window(char *buf, size_t cap, size_t *len, const char *name, uint8_t bits)
{
    char digits[4] = {'=', (char)('0' + bits / 10), (char)('0' + bits % 10), '\0'};
    if (bits < 10) {
        digits[1] = (char)('0' + bits);
        digits[2] = '\0';
    }
    return append(buf, cap, len, "; ") && append(buf, cap, len, name) &&
           (bits == WS_PMD_WINDOW_BITS_NO_VALUE || append(buf, cap, len, digits));
}

int ws_pmd_format(const ws_pmd_params *params, char *out, size_t cap)
{
    if (!params || !out)
        return WS_E_INVALID_ARGUMENT;
    uint8_t server = params->server_max_window_bits, client = params->client_max_window_bits;
    if ((server && !window_ok(server)) ||
        (client && client != WS_PMD_WINDOW_BITS_NO_VALUE && !window_ok(client)))
        return WS_E_INVALID_ARGUMENT;
    char buf[WS_PMD_FORMAT_MAX];
    size_t len = 0, room = sizeof buf;
    bool fits = append(buf, room, &len, WS_PMD_EXTENSION_NAME);
    if (params->server_no_context_takeover)
        fits = fits && append(buf, room, &len, "; server_no_context_takeover");
    if (params->client_no_context_takeover)
        fits = fits && append(buf, room, &len, "; client_no_context_takeover");
    if (server)
        fits = fits && append_window(buf, room, &len, "server_max_window_bits", server);
    if (client)
        fits = fits && append_window(buf, room, &len, "client_max_window_bits", client);
    if (!fits || len + 1 > cap) { /* the first cannot happen: buf holds the longest */
        if (cap)
            out[0] = '\0';
        return WS_E_BUFFER_TOO_SMALL;
    }
    memcpy(out, buf, len);
    out[len] = '\0';
    return (int)len;
}

void ws_pmd_configure(const ws_pmd_params *agreed, ws_role role, ws_deflater_config *ours,
                      ws_inflater_config *theirs)
{
    if (!agreed)
        return;
    bool server = role == WS_ROLE_SERVER;
    uint8_t server_bits = window_or_15(agreed->server_max_window_bits);
    uint8_t client_bits = window_or_15(agreed->client_max_window_bits);
    if (ours) {
        ours->window_bits = server ? server_bits : client_bits;
        ours->no_context_takeover =
            server ? agreed->server_no_context_takeover : agreed->client_no_context_takeover;
    }
    if (theirs) {
        theirs->window_bits = server ? client_bits : server_bits;
        theirs->no_context_takeover =
            server ? agreed->client_no_context_takeover : agreed->server_no_context_takeover;
    }
}

/* ---- zlib glue ------------------------------------------------------------ */

/* The z_stream and the allocator zlib calls back with, in one block that does
 * not move even if the caller copies its ws_inflater or ws_deflater. */
typedef struct zbox {
    z_stream z;
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
    void *alloc_ctx;
} zbox;

static voidpf zbox_alloc(voidpf opaque, uInt items, uInt size)
{
    zbox *box = opaque;
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return box->realloc_fn(box->alloc_ctx, NULL, (size_t)items * size);
}

static void zbox_free(voidpf opaque, voidpf address)
{
    zbox *box = opaque;
    if (address)
        box->realloc_fn(box->alloc_ctx, address, 0);
}

static zbox *zbox_new(void *(*realloc_fn)(void *, void *, size_t), void *alloc_ctx)
{
    zbox *box = realloc_fn(alloc_ctx, NULL, sizeof *box);
    if (!box)
        return NULL;
    memset(box, 0, sizeof *box);
    box->realloc_fn = realloc_fn;
    box->alloc_ctx = alloc_ctx;
    box->z.zalloc = zbox_alloc;
    box->z.zfree = zbox_free;
    box->z.opaque = box;
    return box;
}

static void zbox_delete(zbox *box) { box->realloc_fn(box->alloc_ctx, box, 0); }

static uInt clamp_uint(size_t n) { return n > UINT_MAX ? UINT_MAX : (uInt)n; }

/* ---- inflater ------------------------------------------------------------- */

int ws_inflater_init(ws_inflater *inf, const ws_inflater_config *config)
{
    if (!inf)
        return WS_E_INVALID_ARGUMENT;
    memset(inf, 0, sizeof *inf);
    if (!config || !window_config_ok(config->window_bits))
        return WS_E_INVALID_ARGUMENT;
    inf->config = *config;
    if (!inf->config.window_bits)
        inf->config.window_bits = 15;
    if (!inf->config.max_message_size)
        inf->config.max_message_size = WS_DEFAULT_MAX_MESSAGE_SIZE;
    if (!inf->config.realloc_fn) {
        inf->config.realloc_fn = libc_realloc;
        inf->config.alloc_ctx = NULL;
    }
    zbox *box = zbox_new(inf->config.realloc_fn, inf->config.alloc_ctx);
    if (!box)
        return WS_E_NO_MEMORY;
    /* Negative: a raw DEFLATE stream, no zlib header or checksum (§7.2). */
    int r = inflateInit2(&box->z, -(int)inf->config.window_bits);
    if (r != Z_OK) {
        zbox_delete(box);
        return r == Z_MEM_ERROR ? WS_E_NO_MEMORY : WS_E_FAILED;
    }
    inf->stream = box;
    return WS_OK;
}

void ws_inflater_free(ws_inflater *inf)
{
    if (!inf || !inf->stream)
        return;
    zbox *box = inf->stream;
    inflateEnd(&box->z);
    zbox_delete(box);
    inf->stream = NULL;
}

/* Makes err sticky and reports how far the call got. */
static int inflater_stop(ws_inflater *inf, int err, size_t used, size_t made, size_t *consumed,
                         size_t *produced)
{
    if (err < 0)
        inf->error = err;
    *consumed = used;
    *produced = made;
    return err;
}

/* The sender's window in bytes. */
static size_t window_size(const ws_inflater *inf)
{
    uint8_t bits = inf->config.window_bits ? inf->config.window_bits : WS_PMD_WINDOW_BITS_MAX;
    return (size_t)1 << bits;
}

int ws_inflater_feed(ws_inflater *inf, const uint8_t *in, size_t in_len, bool fin,
                     uint8_t *out, size_t cap, size_t *consumed, size_t *produced)
{
    if (!inf || !consumed || !produced)
        return WS_E_INVALID_ARGUMENT;
    *consumed = *produced = 0;
    if ((!in && in_len) || (!out && cap) || !inf->stream)
        return WS_E_INVALID_ARGUMENT;
    if (inf->error)
        return inf->error;
    z_stream *z = &((zbox *)inf->stream)->z;
    uint64_t limit = inf->config.max_message_size;
    size_t used = 0, made = 0;

    for (;;) {
        /* A byte inflated when the caller had no room left goes out first. */
        if (inf->has_spare && made < cap) {
            out[made++] = inf->spare;
            inf->has_spare = false;
        }
        if (inf->has_spare)
            return inflater_stop(inf, WS_PMD_OUTPUT_FULL, used, made, consumed, produced);

        /* The payload first, then the tail §7.2.2 puts back, unless the
         * payload ended exactly with a BFINAL block (nothing left to close). */
        const uint8_t *src = NULL;
        size_t src_len = 0;
        bool from_tail = false;
        if (used < in_len) {
            src = in + used;
            src_len = in_len - used;
        } else if (fin && inf->tail_fed < sizeof tail &&
                   !(inf->after_final_block && inf->tail_fed == 0)) {
            src = tail + inf->tail_fed;
            src_len = sizeof tail - inf->tail_fed;
            from_tail = true;
        } else if (!inf->output_pending) {
            break;
        }

        /* With the caller's buffer full, zlib gets one spare byte: if it
         * writes it, output was pending; if not, the work is done without
         * a call that only reports a full buffer. Room for one byte past the
         * limit lets a message over it show itself without anything but a
         * buffer ever holding it. */
        bool to_spare = made == cap;
        uint8_t *dst = to_spare ? &inf->spare : out + made;
        size_t room = to_spare ? 1 : cap - made;
        if (limit - inf->message_size < room)
            room = (size_t)(limit - inf->message_size) + 1;
        /* zlib lets a reference reach into what this call wrote as well as
         * into its window: at most one window per call keeps a reference
         * past twice the window always an error. */
        if (room > window_size(inf))
            room = window_size(inf);
        uInt in_now = clamp_uint(src_len), out_now = clamp_uint(room);
        z->next_in = src;
        z->avail_in = in_now;
        z->next_out = dst;
        z->avail_out = out_now;
        int r = inflate(z, Z_SYNC_FLUSH);
        size_t took = in_now - z->avail_in, gave = out_now - z->avail_out;
        if (from_tail)
            inf->tail_fed = (uint8_t)(inf->tail_fed + took);
        else
            used += took;
        if (to_spare)
            inf->has_spare = gave != 0;
        else
            made += gave;
        inf->message_size += gave;
        inf->output_pending = z->avail_out == 0;
        if (took || gave) {
            inf->after_final_block = false;
            /* data_type has 128 when zlib stopped right after a block; a
               later call that finds nothing to do clears it, so it is read
               here, after each call that made progress. */
            inf->at_block_boundary = (z->data_type & 128) != 0;
        }

        if (inf->message_size > limit)
            return inflater_stop(inf, WS_E_MESSAGE_TOO_BIG, used, made, consumed, produced);
        if (r == Z_STREAM_END) {
            /* zlib's stream is over, the message is not (§7.2.3.4): start a
             * new stream on the same window. inflateResetKeep() keeps the
             * window in place; inflateReset() would empty it, and copying it
             * out and back per BFINAL block would let a peer cost us 32 KiB
             * of copying per two bytes it sends. */
            inflateResetKeep(z);
            inf->after_final_block = true;
            inf->output_pending = false;
            continue;
        }
        if (r == Z_DATA_ERROR || r == Z_NEED_DICT)
            return inflater_stop(inf, WS_E_PMD_DATA_CORRUPT, used, made, consumed, produced);
        if (r == Z_MEM_ERROR)
            return inflater_stop(inf, WS_E_NO_MEMORY, used, made, consumed, produced);
        if ((r != Z_OK && r != Z_BUF_ERROR) || (src_len && !took && !gave))
            return inflater_stop(inf, WS_E_FAILED, used, made, consumed, produced);
    }

    if (fin) {
        /* The payload plus the tail ended exactly on a block boundary. */
        bool complete = inf->after_final_block ||
                        (inf->tail_fed == sizeof tail && inf->at_block_boundary);
        if (!complete)
            return inflater_stop(inf, WS_E_PMD_DATA_TRUNCATED, used, made, consumed, produced);
        inf->message_size = 0;
        inf->tail_fed = 0;
        inf->after_final_block = false;
        inf->at_block_boundary = false;
        if (inf->config.no_context_takeover)
            inflateReset(z);
    }
    return inflater_stop(inf, WS_OK, used, made, consumed, produced);
}

/* ---- deflater ------------------------------------------------------------- */

int ws_deflater_init(ws_deflater *d, const ws_deflater_config *config)
{
    if (!d)
        return WS_E_INVALID_ARGUMENT;
    memset(d, 0, sizeof *d);
    if (!config || !window_config_ok(config->window_bits) || config->level > 9 ||
        config->mem_level > 9)
        return WS_E_INVALID_ARGUMENT;
    d->config = *config;
    if (!d->config.window_bits)
        d->config.window_bits = 15;
    if (!d->config.level)
        d->config.level = 6;
    /* Below window 11 a smaller hash table is faster for the same output:
     * zlib level 1 at window 9 compresses twice as fast with memLevel 6 as
     * with 8, for 1.5 % more output. */
    if (!d->config.mem_level)
        d->config.mem_level = d->config.window_bits < 11 ? (uint8_t)(d->config.window_bits - 3) : 8;
    if (!d->config.realloc_fn) {
        d->config.realloc_fn = libc_realloc;
        d->config.alloc_ctx = NULL;
    }
    /* zlib refuses a raw window of 8 and would turn it into 9 otherwise; stored
     * blocks (level 0) never refer back, so any window is safe for them. */
    bool stored_only = d->config.window_bits == 8;
    zbox *box = zbox_new(d->config.realloc_fn, d->config.alloc_ctx);
    if (!box)
        return WS_E_NO_MEMORY;
    int r = deflateInit2(&box->z, stored_only ? Z_NO_COMPRESSION : d->config.level, Z_DEFLATED,
                         -(stored_only ? 9 : (int)d->config.window_bits), d->config.mem_level,
                         Z_DEFAULT_STRATEGY);
    if (r != Z_OK) {
        zbox_delete(box);
        return r == Z_MEM_ERROR ? WS_E_NO_MEMORY : WS_E_FAILED;
    }
    d->stream = box;
    return WS_OK;
}

void ws_deflater_free(ws_deflater *d)
{
    if (!d || !d->stream)
        return;
    zbox *box = d->stream;
    deflateEnd(&box->z);
    zbox_delete(box);
    d->stream = NULL;
}

static int deflater_stop(ws_deflater *d, int err, size_t used, size_t made, size_t *consumed,
                         size_t *produced)
{
    if (err < 0)
        d->error = err;
    *consumed = used;
    *produced = made;
    return err;
}

int ws_deflater_feed(ws_deflater *d, const uint8_t *in, size_t in_len, bool fin, uint8_t *out,
                     size_t cap, size_t *consumed, size_t *produced)
{
    if (!d || !consumed || !produced)
        return WS_E_INVALID_ARGUMENT;
    *consumed = *produced = 0;
    if ((!in && in_len) || (!out && cap) || !d->stream)
        return WS_E_INVALID_ARGUMENT;
    if (d->error)
        return d->error;
    z_stream *z = &((zbox *)d->stream)->z;
    size_t used = 0, made = 0;

    for (;;) {
        /* Give out what is certainly not the tail: all but the last 4 bytes
         * until the flush is over, everything once the tail is gone. */
        size_t safe = d->finished ? d->held_len : d->held_len > 4 ? d->held_len - 4u : 0;
        size_t n = safe < cap - made ? safe : cap - made;
        if (n) {
            memcpy(out + made, d->held, n);
            memmove(d->held, d->held + n, d->held_len - n);
            d->held_len = (uint8_t)(d->held_len - n);
            made += n;
        }
        if (d->finished) {
            if (d->held_len)
                return deflater_stop(d, WS_PMD_OUTPUT_FULL, used, made, consumed, produced);
            d->finished = false;
            d->message_in = 0;
            if (d->config.no_context_takeover)
                deflateReset(z);
            return deflater_stop(d, WS_OK, used, made, consumed, produced);
        }
        if (d->held_len > 4)
            return deflater_stop(d, WS_PMD_OUTPUT_FULL, used, made, consumed, produced);
        bool input_left = used < in_len;
        if (!input_left && !fin)
            return deflater_stop(d, WS_OK, used, made, consumed, produced);
        if (!input_left && d->message_in == 0) {
            /* An empty message: 7.2.1 gives an empty stored block, 00 00 00 ff
             * ff, less the tail. zlib would write nothing at all if it had
             * just flushed the previous message. */
            d->held[0] = 0x00;
            d->held_len = 1;
            d->finished = true;
            continue;
        }
        /* Deflate straight into out when it has room, else into held (also
         * when out is full: the flush may still complete and leave nothing
         * to give). More than 6 bytes of room keeps zlib from repeating the
         * flush marker. */
        size_t room = cap - made;
        bool direct = room > (size_t)d->held_len + 6;
        uint8_t *dst = direct ? out + made + d->held_len : d->held + d->held_len;
        size_t avail = direct ? room - d->held_len : sizeof d->held - d->held_len;
        if (direct)
            memcpy(out + made, d->held, d->held_len);
        uInt in_now = clamp_uint(in_len - used), out_now = clamp_uint(avail);
        int flush = fin && in_now == in_len - used ? Z_SYNC_FLUSH : Z_NO_FLUSH;
        z->next_in = in_now ? in + used : NULL; /* in may be NULL at fin */
        z->avail_in = in_now;
        z->next_out = dst;
        z->avail_out = out_now;
        int r = deflate(z, flush);
        if (r != Z_OK && r != Z_BUF_ERROR)
            return deflater_stop(d, WS_E_FAILED, used, made, consumed, produced);
        size_t took = in_now - z->avail_in, gave = out_now - z->avail_out;
        used += took;
        d->message_in += took;
        if (direct) {
            size_t total = d->held_len + gave, keep = total < 4 ? total : 4;
            memcpy(d->held, out + made + total - keep, keep);
            d->held_len = (uint8_t)keep;
            made += total - keep;
        } else {
            d->held_len = (uint8_t)(d->held_len + gave);
        }
        /* The sync flush is over when zlib stops with room to spare (or, in
         * old zlib, refuses to flush again); it ended with the tail. */
        if (flush == Z_SYNC_FLUSH && z->avail_in == 0 && (z->avail_out != 0 || r == Z_BUF_ERROR)) {
            if (d->held_len < 4 || memcmp(d->held + d->held_len - 4, tail, 4) != 0)
                return deflater_stop(d, WS_E_FAILED, used, made, consumed, produced);
            d->held_len = (uint8_t)(d->held_len - 4);
            d->finished = true;
        } else if (!took && !gave) {
            /* zlib made no progress with input and room: never loop on it. */
            return deflater_stop(d, WS_E_FAILED, used, made, consumed, produced);
        }
    }
}
