/*
 * libwscodec: a strict RFC 6455 codec with no I/O and no global state.
 * See wscodec(3) in the README for the contract of each header.
 */
#ifndef WSCODEC_H
#define WSCODEC_H

#include "wscodec/error.h"
#include "wscodec/frame.h"
#include "wscodec/mask.h"
#include "wscodec/utf8.h"
#include "wscodec/close.h"
#include "wscodec/message.h"
#include "wscodec/http.h"
#include "wscodec/handshake.h"
#include "wscodec/deflate.h"

#define WSCODEC_VERSION "0.1.0"

#endif
