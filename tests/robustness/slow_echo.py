#!/usr/bin/env python3
"""A correct but slow WebSocket echo server (RFC 6455), for checking that the
verdicts of `wsconform run` do not depend on --jobs.

    slow_echo.py [--port N] [--delay-ms MS] [--max-delay-ms MS] [--lifetime S]

One thread, one selectors loop, every connection handled strictly in the
order its bytes arrive: each frame is acted on (echo, Pong, Close, failure)
before the next one is read, so the sequence of what it sends back never
depends on timing. Before the first echo on each connection it blocks the
whole loop for --delay-ms times the number of open connections (at most
--max-delay-ms), like a server whose set-up of a session walks all the others:
alone it answers within milliseconds; with 32 connections opening one after
the other, a new connection's first echo waits for seconds.

Prints "listening on ws://127.0.0.1:PORT/" once it accepts connections.
"""

import argparse
import base64
import binascii
import codecs
import re
import selectors
import socket
import struct
import time

from wsframes import accept_for, exit_after, frame

MAX_HEAD = 16 * 1024
MAX_MESSAGE = 32 * 1024 * 1024
MAX_OUTPUT = 64 * 1024 * 1024
TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
# RFC 6455 7.4.1, and 1012-1014 which IANA registered later.
VALID_CLOSE_CODES = set(range(1000, 1004)) | set(range(1007, 1015)) | set(range(3000, 5000))


class Failure(Exception):
    """The connection must be failed with this close code (RFC 6455 7.1.7)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def unmask(data, key):
    if not data:
        return b""
    n = len(data)
    keystream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(keystream, "big")).to_bytes(n, "big")


def http_answer(status, reason, extra=b""):
    return (b"HTTP/1.1 %d %s\r\n" % (status, reason) + extra
            + b"Content-Length: 0\r\nConnection: close\r\n\r\n")


def comma_list(values):
    return [item.strip() for value in values for item in value.split(b",") if item.strip()]


def extension_offer_is_valid(value):
    """extension = token *( ";" token [ "=" ( token | quoted token ) ] ) (RFC 6455 9.1)."""
    for extension in comma_list([value]):
        parts = [p.strip() for p in extension.split(b";")]
        if not TOKEN.match(parts[0]):
            return False
        for param in parts[1:]:
            name, eq, arg = param.partition(b"=")
            if not TOKEN.match(name.strip()):
                return False
            arg = arg.strip()
            if eq and len(arg) >= 2 and arg[:1] == arg[-1:] == b'"':
                arg = arg[1:-1]
            if eq and not TOKEN.match(arg):
                return False
    return True


def handshake_answer(head):
    """Returns (answer bytes, True if the connection is now open)."""
    lines = head.split(b"\r\n")
    request = lines[0].split(b" ")
    if len(request) != 3 or request[0] != b"GET" or request[2] != b"HTTP/1.1":
        return http_answer(400, b"Bad Request"), False
    fields = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not TOKEN.match(name):
            return http_answer(400, b"Bad Request"), False
        fields.setdefault(name.lower(), []).append(value.strip(b" \t"))
    versions = fields.get(b"sec-websocket-version", [])
    if versions != [b"13"]:
        return http_answer(426, b"Upgrade Required", b"Sec-WebSocket-Version: 13\r\n"), False
    keys = fields.get(b"sec-websocket-key", [])
    try:
        key_ok = len(keys) == 1 and len(base64.b64decode(keys[0], validate=True)) == 16
    except binascii.Error:
        key_ok = False
    upgrade = [v.lower() for v in comma_list(fields.get(b"upgrade", []))]
    connection = [v.lower() for v in comma_list(fields.get(b"connection", []))]
    protocols = comma_list(fields.get(b"sec-websocket-protocol", []))
    extensions = fields.get(b"sec-websocket-extensions", [])
    if (not key_ok or len(fields.get(b"host", [])) != 1 or b"websocket" not in upgrade
            or b"upgrade" not in connection or not all(TOKEN.match(p) for p in protocols)
            or not all(extension_offer_is_valid(e) for e in extensions)):
        return http_answer(400, b"Bad Request"), False
    accept = accept_for(keys[0])
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"), True


class Connection:
    def __init__(self, sock):
        self.sock = sock
        self.input = bytearray()
        self.output = bytearray()
        self.open = False        # opening handshake done
        self.finishing = False   # nothing more is acted on; FIN once output is written
        self.draining_since = None  # FIN sent: input is discarded until the peer closes
        self.message_opcode = None
        self.message = bytearray()
        self.utf8 = None
        self.echoed = False

    def fail(self, code):
        self.output += frame(OP_CLOSE, struct.pack("!H", code))
        self.finishing = True

    def process(self, stall):
        """Acts on every complete request head or frame in the input, in order."""
        if not self.open:
            end = self.input.find(b"\r\n\r\n")
            if end < 0:
                if len(self.input) > MAX_HEAD:
                    self.output += http_answer(431, b"Request Header Fields Too Large")
                    self.finishing = True
                return
            if end > MAX_HEAD:
                self.output += http_answer(431, b"Request Header Fields Too Large")
                self.finishing = True
                return
            head = bytes(self.input[:end])
            del self.input[:end + 4]
            answer, self.open = handshake_answer(head)
            self.output += answer
            if not self.open:
                self.finishing = True
                return
        try:
            while not self.finishing and self.next_frame(stall):
                pass
        except Failure as failure:
            self.fail(failure.code)

    def next_frame(self, stall):
        """Handles one frame if it is complete; False when more input is needed.
        The header alone is checked first, so a bad header fails at once."""
        buf = self.input
        if len(buf) < 2:
            return False
        fin, rsv, opcode = buf[0] >> 7, (buf[0] >> 4) & 7, buf[0] & 15
        masked, length, pos = buf[1] >> 7, buf[1] & 127, 2
        if rsv or opcode not in (OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG):
            raise Failure(1002)
        if not masked:
            raise Failure(1002)
        if opcode >= OP_CLOSE and (not fin or length > 125):
            raise Failure(1002)
        if length == 126:
            if len(buf) < 4:
                return False
            length, pos = struct.unpack("!H", buf[2:4])[0], 4
        elif length == 127:
            if len(buf) < 10:
                return False
            length, pos = struct.unpack("!Q", buf[2:10])[0], 10
            if length >> 63:
                raise Failure(1002)
        if length > MAX_MESSAGE or len(self.message) + length > MAX_MESSAGE:
            raise Failure(1009)
        if len(buf) < pos + 4 + length:
            return False
        payload = unmask(bytes(buf[pos + 4:pos + 4 + length]), bytes(buf[pos:pos + 4]))
        del buf[:pos + 4 + length]
        self.handle(fin, opcode, payload, stall)
        return True

    def handle(self, fin, opcode, payload, stall):
        if opcode == OP_PING:
            self.output += frame(OP_PONG, payload)
        elif opcode == OP_PONG:
            pass
        elif opcode == OP_CLOSE:
            self.close_received(payload)
        elif opcode == OP_CONT:
            if self.message_opcode is None:
                raise Failure(1002)
            self.data(fin, payload, stall)
        else:
            if self.message_opcode is not None:
                raise Failure(1002)
            self.message_opcode = opcode
            self.utf8 = codecs.getincrementaldecoder("utf-8")() if opcode == OP_TEXT else None
            self.data(fin, payload, stall)

    def data(self, fin, payload, stall):
        if self.utf8 is not None:
            try:
                self.utf8.decode(payload, final=bool(fin))
            except UnicodeDecodeError:
                raise Failure(1007)
        self.message += payload
        if fin:
            if not self.echoed:
                stall()
                self.echoed = True
            self.output += frame(self.message_opcode, bytes(self.message))
            self.message_opcode, self.message, self.utf8 = None, bytearray(), None

    def close_received(self, payload):
        if len(payload) == 1:
            raise Failure(1002)
        if payload:
            code = struct.unpack("!H", payload[:2])[0]
            if code not in VALID_CLOSE_CODES:
                raise Failure(1002)
            try:
                payload[2:].decode("utf-8")
            except UnicodeDecodeError:
                raise Failure(1007)
            self.output += frame(OP_CLOSE, payload[:2])
        else:
            self.output += frame(OP_CLOSE, b"")
        self.finishing = True


def serve(args):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(1024)
    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, None)
    connections = {}
    print("listening on ws://127.0.0.1:%d/" % listener.getsockname()[1], flush=True)

    def stall():
        # Blocks the one loop on purpose: every connection waits.
        time.sleep(min(args.delay_ms * len(connections), args.max_delay_ms) / 1000)

    def drop(conn):
        selector.unregister(conn.sock)
        del connections[conn.sock]
        conn.sock.close()

    def flush(conn):
        try:
            sent = conn.sock.send(conn.output) if conn.output else 0
        except BlockingIOError:
            sent = 0
        except OSError:
            drop(conn)
            return
        del conn.output[:sent]
        if len(conn.output) > MAX_OUTPUT:
            drop(conn)
            return
        if conn.finishing and not conn.output and conn.draining_since is None:
            # The server closes TCP first (RFC 6455 7.1.1), with a FIN: closing
            # with unread input would send a RST that can destroy the Close.
            conn.draining_since = time.monotonic()
            try:
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                drop(conn)
                return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.output else 0)
        selector.modify(conn.sock, events, conn)

    while True:
        now = time.monotonic()
        for conn in [c for c in connections.values()
                     if c.draining_since is not None and now - c.draining_since > 5]:
            drop(conn)
        for key, events in selector.select(timeout=0.5):
            if key.data is None:
                try:
                    sock, _ = listener.accept()
                except OSError:
                    continue
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn = Connection(sock)
                connections[sock] = conn
                selector.register(sock, selectors.EVENT_READ, conn)
                continue
            conn = key.data
            if conn.sock not in connections:
                continue
            if events & selectors.EVENT_READ:
                try:
                    chunk = conn.sock.recv(256 * 1024)
                except BlockingIOError:
                    chunk = None
                except OSError:
                    chunk = b""
                if chunk == b"":
                    drop(conn)
                    continue
                if chunk and not conn.finishing:
                    conn.input += chunk
                    conn.process(stall)
            flush(conn)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=3,
                        help="pause before a connection's first echo, per open connection (default 3)")
    parser.add_argument("--max-delay-ms", type=float, default=200,
                        help="the longest such pause (default 200)")
    parser.add_argument("--lifetime", type=float, default=900,
                        help="the process exits after this many seconds (default 900)")
    args = parser.parse_args()
    exit_after(args.lifetime)
    serve(args)


if __name__ == "__main__":
    main()
