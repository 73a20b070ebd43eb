#!/usr/bin/env python3
"""A WebSocket server that misbehaves on purpose, in one MODE, to check that
`wsconform run` stays bounded in time and memory whatever its target does.

    hostile_peer.py MODE [--port N] [--lifetime S] [--max-seconds S] [--max-mib M]

Listens on 127.0.0.1 (port 0: a free port) and prints "listening on
ws://127.0.0.1:PORT/" (wss:// for tls-garbage) once it accepts connections.
Every connection gets its own thread. Every misbehaviour is bounded: a stream
stops after --max-seconds or --max-mib per connection, the process exits after
--lifetime seconds, and connections beyond MAX_CONNECTIONS are closed at once.

Modes (those after a "valid handshake" answer a correct 101 first):
  silent            accepts TCP, never sends anything, keeps the socket open
  endless-headers   "HTTP/1.1 101 ..." then header lines, a few KiB every 10 ms
  garbage-http      random bytes instead of an HTTP answer
  ping-flood        valid handshake, then 125-byte Pings as fast as possible, never reads
  pong-flood        the same with Pongs
  fragment-flood    valid handshake, a text frame with FIN=0, then endless continuations
  huge-frame        valid handshake, a binary frame declaring 2^62 bytes, then bytes
  top-bit-length    valid handshake, a frame whose 64-bit length has its top bit set
  drip              handshake answer one byte at a time (about 1.5 s in all), then
                    unsolicited text frames one byte every 100 ms
  reset-mid-frame   valid handshake, half a frame, then a TCP RST
  tls-garbage       for a wss:// URL: bytes that are not TLS
  never-reads       valid handshake (reads only the request head), then never reads
  echo-then-die     a correct echo server that exits the whole process when it
                    receives a Ping
  first-n           a correct echo server for the first --accept N connections,
                    then it closes its listening socket
"""

import argparse
import os
import select
import socket
import struct
import sys
import threading
import time

from wsframes import accept_for, exit_after, frame, frame_header

MAX_CONNECTIONS = 600
MAX_REQUEST_HEAD = 64 * 1024
MIB = 1024 * 1024

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


def read_request_head(conn, deadline):
    """Reads until the blank line ending the request head. Returns the head
    (bytes before CRLFCRLF) or None on EOF, error, oversize or deadline."""
    data = b""
    while b"\r\n\r\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or len(data) > MAX_REQUEST_HEAD:
            return None
        conn.settimeout(left)
        try:
            chunk = conn.recv(4096)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n\r\n", 1)[0]


def accept_value(head):
    key = b""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    return accept_for(key)


def response_101(head):
    return (b"HTTP/1.1 101 Switching Protocols\r\n"
            b"Upgrade: websocket\r\n"
            b"Connection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept_value(head) + b"\r\n\r\n")


class Connection:
    """One accepted socket and the bounds that apply to it."""

    def __init__(self, conn, args):
        self.conn = conn
        self.args = args
        self.start = time.monotonic()
        self.deadline = self.start + args.max_seconds
        self.budget = int(args.max_mib * MIB)

    def expired(self):
        return time.monotonic() >= self.deadline or self.budget <= 0

    def send(self, data):
        """Sends all of data unless the deadline passes or the peer goes away.
        Waits for the socket to become writable, so a peer that stops reading
        costs no CPU. Returns False when it could not send everything."""
        view = memoryview(data)
        self.conn.settimeout(0.5)
        while view:
            if time.monotonic() >= self.deadline:
                return False
            try:
                n = self.conn.send(view)
            except socket.timeout:
                continue
            except OSError:
                return False
            view = view[n:]
            self.budget -= n
        return True

    def handshake(self):
        head = read_request_head(self.conn, time.monotonic() + 10)
        if head is None:
            return False
        return self.send(response_101(head))

    def wait_for_close(self, read=True):
        """Idles until the peer closes (or the deadline). With read=False it
        never consumes a byte: it watches for the peer's FIN or RST only."""
        if not read:
            poller = select.poll()
            poller.register(self.conn, select.POLLRDHUP | select.POLLERR | select.POLLHUP)
            while time.monotonic() < self.deadline:
                if poller.poll(500):
                    return
            return
        self.conn.settimeout(0.5)
        while time.monotonic() < self.deadline:
            try:
                if not self.conn.recv(65536):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def discard_input(self):
        """Reads whatever is waiting without blocking; False once the peer is gone."""
        poller = select.poll()
        poller.register(self.conn, select.POLLIN)
        while poller.poll(0):
            try:
                chunk = self.conn.recv(65536)
            except socket.timeout:
                return True
            except OSError:
                return False
            if not chunk:
                return False
        return True

    def stream(self, block):
        """Sends block again and again, as fast as the peer takes it, within bounds."""
        while not self.expired():
            if not self.send(block):
                return False
        return True


def mode_silent(c):
    c.wait_for_close()


def mode_endless_headers(c):
    if read_request_head(c.conn, time.monotonic() + 10) is None:
        return
    if not c.send(b"HTTP/1.1 101 Switching Protocols\r\n"):
        return
    n = 0
    while not c.expired():
        lines = b"".join(b"X-Filler-%d: %s\r\n" % (n + i, b"h" * 100) for i in range(32))
        n += 32
        if not c.send(lines):
            return
        time.sleep(0.01)
    c.wait_for_close()


def garbage(size):
    # Never starts like an HTTP status line, whatever os.urandom gives.
    return b"\x00\xff" + os.urandom(size - 2)


def mode_garbage_http(c):
    if read_request_head(c.conn, time.monotonic() + 10) is None:
        return
    while not c.expired() and c.budget > c.args.max_mib * MIB - MIB:
        if not c.send(garbage(4096)):
            return
        if not c.discard_input():
            return
        time.sleep(0.01)
    c.wait_for_close()


def flood(c, opcode):
    if not c.handshake():
        return
    one = frame(opcode, b"P" * 125)
    block = one * (65536 // len(one))
    if c.stream(block):
        c.wait_for_close()


def mode_ping_flood(c):
    flood(c, OP_PING)


def mode_pong_flood(c):
    flood(c, OP_PONG)


def mode_fragment_flood(c):
    if not c.handshake():
        return
    if not c.send(frame(OP_TEXT, b"a" * 125, fin=False)):
        return
    one = frame(OP_CONT, b"a" * 4096, fin=False)
    if c.stream(one * 16):
        c.wait_for_close()


def mode_huge_frame(c):
    if not c.handshake():
        return
    if not c.send(frame_header(OP_BINARY, 1 << 62)):
        return
    if c.stream(b"\x00" * 65536):
        c.wait_for_close()


def mode_top_bit_length(c):
    if not c.handshake():
        return
    if c.send(bytes([0x80 | OP_BINARY, 127]) + struct.pack("!Q", (1 << 63) + 5) + b"Hello"):
        c.wait_for_close()


def mode_drip(c):
    head = read_request_head(c.conn, time.monotonic() + 10)
    if head is None:
        return
    answer = response_101(head)
    pause = 1.5 / len(answer)
    for i in range(len(answer)):
        if not c.send(answer[i:i + 1]) or not c.discard_input():
            return
        time.sleep(pause)
    stream = frame(OP_TEXT, b"drip")
    i = 0
    while not c.expired():
        if not c.send(stream[i:i + 1]) or not c.discard_input():
            return
        i = (i + 1) % len(stream)
        time.sleep(0.1)
    c.wait_for_close()


def mode_reset_mid_frame(c):
    if not c.handshake():
        return
    # A text frame declaring 10 bytes, of which 5 are sent.
    if not c.send(frame_header(OP_TEXT, 10) + b"Hello"):
        return
    time.sleep(0.05)
    # Linger on, timeout 0: close() sends RST instead of FIN.
    c.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def mode_tls_garbage(c):
    if c.send(b"this is not TLS\r\n" + os.urandom(2048)):
        c.wait_for_close()


def mode_never_reads(c):
    if c.handshake():
        c.wait_for_close(read=False)


THREADED_MODES = {
    "silent": mode_silent,
    "endless-headers": mode_endless_headers,
    "garbage-http": mode_garbage_http,
    "ping-flood": mode_ping_flood,
    "pong-flood": mode_pong_flood,
    "fragment-flood": mode_fragment_flood,
    "huge-frame": mode_huge_frame,
    "top-bit-length": mode_top_bit_length,
    "drip": mode_drip,
    "reset-mid-frame": mode_reset_mid_frame,
    "tls-garbage": mode_tls_garbage,
    "never-reads": mode_never_reads,
}
ECHO_MODES = ("echo-then-die", "first-n")
TLS_MODES = ("tls-garbage",)


def announce(port, mode):
    scheme = "wss" if mode in TLS_MODES else "ws"
    print("listening on %s://127.0.0.1:%d/" % (scheme, port), flush=True)


def serve_threaded(args):
    handler = THREADED_MODES[args.mode]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.mode == "never-reads":
        # A small receive buffer (inherited by accepted sockets): the client's
        # big writes block after a few dozen KiB instead of filling megabytes.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(1024)
    announce(listener.getsockname()[1], args.mode)
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def run(conn):
        try:
            handler(Connection(conn, args))
        except OSError:
            pass
        finally:
            conn.close()
            slots.release()

    while True:
        conn, _ = listener.accept()
        if not slots.acquire(blocking=False):
            conn.close()
            continue
        threading.Thread(target=run, args=(conn,), daemon=True).start()


def serve_echo(args):
    import asyncio
    import websockets
    import websockets.frames
    import websockets.legacy.server

    class DyingProtocol(websockets.legacy.server.WebSocketServerProtocol):
        async def read_frame(self, max_size):
            received = await super().read_frame(max_size)
            if args.mode == "echo-then-die" and received.opcode == websockets.frames.Opcode.PING:
                sys.stdout.flush()
                os._exit(0)
            return received

    accepted = 0
    stop_accepting = None

    async def echo(ws, path=None):
        nonlocal accepted
        accepted += 1
        if args.mode == "first-n" and accepted >= args.accept:
            stop_accepting()
        try:
            async for message in ws:
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass

    async def main():
        nonlocal stop_accepting
        server = await websockets.serve(
            echo, "127.0.0.1", args.port, create_protocol=DyingProtocol,
            max_size=32 * MIB, max_queue=None, compression=None,
            ping_interval=None, close_timeout=5)
        # Stops accepting: established connections go on, new ones are refused.
        stop_accepting = server.server.close
        announce(server.sockets[0].getsockname()[1], args.mode)
        await asyncio.sleep(args.lifetime)

    asyncio.run(main())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=sorted(list(THREADED_MODES) + list(ECHO_MODES)))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=600,
                        help="the process exits after this many seconds (default 600)")
    parser.add_argument("--max-seconds", type=float, default=30,
                        help="a connection's misbehaviour stops after this (default 30)")
    parser.add_argument("--max-mib", type=float, default=512,
                        help="a connection sends at most this many MiB (default 512)")
    parser.add_argument("--accept", type=int, default=1,
                        help="first-n: connections accepted before it stops listening")
    args = parser.parse_args()

    exit_after(args.lifetime)
    if args.mode in ECHO_MODES:
        serve_echo(args)
    else:
        serve_threaded(args)


if __name__ == "__main__":
    main()
