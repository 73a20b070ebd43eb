"""What the test servers here share: server frames, the accept value, and a
process that ends by itself."""

import base64
import hashlib
import os
import struct
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame_header(opcode, length, fin=True):
    """Server frames are unmasked (RFC 6455 5.1); length is written as declared."""
    first = (0x80 if fin else 0) | opcode
    if length < 126:
        return bytes([first, length])
    if length < 65536:
        return bytes([first, 126]) + struct.pack("!H", length)
    return bytes([first, 127]) + struct.pack("!Q", length)


def frame(opcode, payload, fin=True):
    return frame_header(opcode, len(payload), fin) + payload


def accept_for(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2)."""
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def exit_after(seconds):
    """The whole process is bounded, even if nobody stops it."""
    timer = threading.Timer(seconds, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
