#!/usr/bin/env python3
"""A WebSocket server whose every answer tries to break out of an HTML report.

It completes the opening handshake (with headers full of markup, quotes,
a NUL and invalid UTF-8), echoes each data frame wrapped in such text, answers
pings, and answers a Close with a reason made of the same. Listens on
127.0.0.1 on a free port and prints "listening on ws://127.0.0.1:PORT/".
"""
import base64
import hashlib
import socket
import struct
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MARKUP = b"<script>alert(1)</script>"
HOSTILE = MARKUP + b"\"'</pre></td></table><img src=x onerror=alert(2)>"
# Header values may not hold CR or LF, everything else goes.
HEADERS = [
    b"X-Markup: " + HOSTILE,
    b"X-Quotes: \"'\" onmouseover=\"alert(3)",
    b"X-Bytes: invalid\xff\xfe\xc3\x28 overlong\xc0\xaf end",
    b"X-Bidi: \xe2\x80\xaeevil\xe2\x80\xac",
]
READ_TIMEOUT = 10
MAX_HEAD = 64 * 1024
MAX_PAYLOAD = 1 << 20


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        part = conn.recv(n - len(data))
        if not part:
            raise ConnectionError("peer closed")
        data += part
    return data


def read_head(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        part = conn.recv(4096)
        if not part or len(head) > MAX_HEAD:
            raise ConnectionError("no complete request")
        head += part
    return head.split(b"\r\n\r\n", 1)


def frame(opcode, payload, fin=True):
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        return bytes([first, n]) + payload
    if n < 65536:
        return bytes([first, 126]) + struct.pack(">H", n) + payload
    return bytes([first, 127]) + struct.pack(">Q", n) + payload


def read_frame(conn):
    b0, b1 = read_exact(conn, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", read_exact(conn, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", read_exact(conn, 8))[0]
    if n > MAX_PAYLOAD:
        raise ConnectionError("frame too long")
    key = read_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
    data = read_exact(conn, n)
    return b0 & 0x80, b0 & 0x0F, bytes(c ^ key[i % 4] for i, c in enumerate(data))


def serve(conn):
    conn.settimeout(READ_TIMEOUT)
    try:
        head, rest = read_head(conn)
        key = b""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-key":
                key = value.strip()
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n" +
                     b"\r\n".join(HEADERS) + b"\r\n\r\n")
        if rest:
            raise ConnectionError("bytes before the handshake ended")
        while True:
            fin, opcode, payload = read_frame(conn)
            if opcode == 0x8:
                # valid UTF-8, so that the case goes on to judge the echoes
                reason = b"</pre>" + MARKUP + b"\"'\x00\xe2\x80\xae"
                conn.sendall(frame(0x8, struct.pack(">H", 1000) + reason[:123]))
                break
            if opcode == 0x9:
                conn.sendall(frame(0xA, payload))
            elif opcode in (0x0, 0x1):
                # the NUL early, where a report's preview of the message reaches
                conn.sendall(frame(opcode, MARKUP + b"\x00" + HOSTILE + payload + b"</pre>",
                                   bool(fin)))
            elif opcode == 0x2:
                conn.sendall(frame(0x2, HOSTILE + payload + b"\xff\xfe", bool(fin)))
    except (OSError, ConnectionError):
        pass
    finally:
        conn.close()


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"listening on ws://127.0.0.1:{listener.getsockname()[1]}/", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
