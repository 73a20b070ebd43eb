/*
 * The wire log of one case: what went over the connection each way, with
 * timestamps, and every frame decoded. Its memory is fixed whatever the peer
 * sends and however long the case lasts: for each direction it keeps the
 * first WIRE_HEAD_BYTES and the last WIRE_TAIL_BYTES of the stream, the
 * first and last WIRE_CHUNKS chunks (one chunk per read or write), and the
 * first and last WIRE_FRAMES frames, and counts what it left out between.
 */
#ifndef WSCONFORM_WIRELOG_H
#define WSCONFORM_WIRELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_HEAD_BYTES (64u << 10)
#define WIRE_TAIL_BYTES (64u << 10)
#define WIRE_CHUNKS 512
#define WIRE_FRAMES 256
#define WIRE_PREVIEW 32

enum { WIRE_OUT = 0, WIRE_IN = 1 };

typedef struct wire_chunk {
    uint64_t at_us;        /* since the case started */
    uint64_t offset;       /* of its first byte in the direction's stream */
    uint32_t length;
} wire_chunk;

/* One frame as it went over the wire, decoded from its bytes. */
typedef struct wire_frame {
    uint64_t at_us;        /* when its header was complete */
    uint64_t length;       /* payload length as declared */
    uint8_t opcode;
    bool fin, masked;
    uint8_t rsv;
    uint8_t preview_length; /* payload bytes kept (unmasked), at most WIRE_PREVIEW */
    uint8_t preview[WIRE_PREVIEW];
} wire_frame;

/* A ring that keeps the first `cap` items, then the last `cap` items. */
typedef struct wire_ring {
    size_t head_count;     /* items in the head part (fills first) */
    size_t tail_count;     /* items in the tail ring */
    size_t tail_next;      /* where the next tail item goes */
    uint64_t total;        /* items ever added */
} wire_ring;

/* Walks a byte stream frame by frame, without buffering payloads. */
typedef struct frame_walker {
    uint64_t skip;         /* bytes still to pass over (the HTTP head) */
    bool active;           /* frames have started */
    uint8_t header[14];
    uint8_t header_have, header_need;
    uint64_t payload_left, payload_seen;
    uint8_t key[4];
    wire_frame *current;   /* the frame being filled, in the log; NULL if not kept */
} frame_walker;

typedef struct wire_direction {
    uint64_t bytes;        /* every byte that went this way */
    uint8_t *head;         /* the first WIRE_HEAD_BYTES */
    size_t head_used;
    uint8_t *tail;         /* a ring over the last WIRE_TAIL_BYTES */
    wire_chunk *chunks;    /* [0, WIRE_CHUNKS): head, [WIRE_CHUNKS, 2*WIRE_CHUNKS): tail ring */
    wire_ring chunk_ring;
    wire_frame *frames;    /* likewise, 2*WIRE_FRAMES */
    wire_ring frame_ring;
    frame_walker walker;
} wire_direction;

typedef struct wire_log {
    wire_direction dir[2];
} wire_log;

/* Records n bytes that went one way at at_us. */
void wire_log_add(wire_log *log, int direction, const uint8_t *bytes, size_t n, uint64_t at_us);

/* Frames start after `bytes_before_frames` more bytes of the stream (the
 * HTTP head); until this or wire_log_frames_start() is called no frame is
 * decoded in that direction. */
void wire_log_frames_after(wire_log *log, int direction, uint64_t bytes_before_frames);

/* Frames start with `already`, bytes of the direction that were added before
 * their place in the stream was known (what followed the HTTP head). */
void wire_log_frames_start(wire_log *log, int direction, const uint8_t *already, size_t n,
                           uint64_t at_us);

/* Visits the kept chunks of a direction in stream order. For each, the bytes
 * kept are [kept_from, kept_from + kept) of the stream, the part of the chunk
 * that is still in the log (maybe none). */
typedef void (*wire_chunk_visit)(void *ctx, const wire_chunk *c, const uint8_t *kept,
                                 uint64_t kept_from, size_t kept_length);
void wire_log_chunks(const wire_log *log, int direction, wire_chunk_visit visit, void *ctx);

/* Visits the kept frames of a direction in order; *omitted_before is set on
 * the first tail frame to the number of frames left out before it. */
typedef void (*wire_frame_visit)(void *ctx, const wire_frame *f, uint64_t omitted_before);
void wire_log_frames(const wire_log *log, int direction, wire_frame_visit visit, void *ctx);

/* Chunks and frames seen in a direction, and how many of them were left out. */
uint64_t wire_log_chunks_omitted(const wire_log *log, int direction);
uint64_t wire_log_frames_total(const wire_log *log, int direction);
uint64_t wire_log_frames_omitted(const wire_log *log, int direction);

void wire_log_free(wire_log *log);

#endif
