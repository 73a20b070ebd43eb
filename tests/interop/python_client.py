#!/usr/bin/python3
"""Drives the echo server with python3-websockets (Debian's package).

Usage: python_client.py ws://HOST:PORT/
Prints one line per check, "ok - what" or "not ok - what: why"; the caller
numbers them into TAP. Exits 1 if any check failed, 2 if the library is
missing.
"""
import asyncio
import sys

try:
    import websockets
except ImportError as e:
    print(f"not ok - python3-websockets is importable: {e}")
    sys.exit(2)

failures = 0
mode = ""


def check(ok, what, why=""):
    global failures
    if ok:
        print(f"ok - python websockets {websockets.__version__}{mode}: {what}")
    else:
        failures += 1
        print(f"not ok - python websockets {websockets.__version__}{mode}: {what}: {why}")
    sys.stdout.flush()


async def run(uri, compression):
    # compression=None keeps the library's permessage-deflate offer out of
    # the handshake; "deflate" makes it, and the server must accept it.
    async with websockets.connect(uri, compression=compression, max_size=None,
                                  close_timeout=3) as ws:
        names = [e.name for e in ws.extensions]
        want = ["permessage-deflate"] if compression else []
        check(names == want, f"extensions in use: {want}", f"{names}")
        await ws.send("Hello, wsconform")
        got = await asyncio.wait_for(ws.recv(), 5)
        check(got == "Hello, wsconform", "text message echoed", repr(got)[:80])

        text = "κόσμε ✓ " * 100
        await ws.send(text)
        got = await asyncio.wait_for(ws.recv(), 5)
        check(got == text, "non-ASCII text echoed", repr(got)[:80])

        data = bytes(range(256))
        await ws.send(data)
        got = await asyncio.wait_for(ws.recv(), 5)
        check(got == data, "binary message echoed", repr(got)[:80])

        big = bytes((i * 7) & 0xFF for i in range(64 * 1024))
        await ws.send(big)
        got = await asyncio.wait_for(ws.recv(), 10)
        check(isinstance(got, bytes) and got == big, "64 KiB binary message echoed",
              f"{len(got)} bytes")

        await ws.send([b"frag", b"mented"])
        got = await asyncio.wait_for(ws.recv(), 5)
        check(got == b"fragmented", "fragmented message echoed as one", repr(got)[:80])

        pong = await ws.ping(b"ping-payload")
        try:
            await asyncio.wait_for(pong, 5)
            check(True, "ping answered by a pong with the same payload")
        except asyncio.TimeoutError:
            check(False, "ping answered by a pong with the same payload", "no pong in 5 s")

        loop = asyncio.get_running_loop()
        started = loop.time()
        await ws.close(code=1000, reason="bye")
        took = loop.time() - started
        check(ws.close_code == 1000, "clean close: server answered with code 1000",
              f"close code {ws.close_code}")
        # The client waits for the server to close TCP (RFC 6455 7.1.1) and
        # gives up after close_timeout; a prompt return means the server did.
        check(took < 1.0, "server closed TCP right after the closing handshake",
              f"close took {took:.2f} s")


def main():
    if len(sys.argv) != 2:
        print("usage: python_client.py ws://HOST:PORT/", file=sys.stderr)
        sys.exit(2)
    global mode
    for compression in (None, "deflate"):
        mode = " (permessage-deflate)" if compression else ""
        try:
            asyncio.run(asyncio.wait_for(run(sys.argv[1], compression), 30))
        except Exception as e:  # any failure to talk is a failed check
            check(False, "conversation completed", f"{type(e).__name__}: {e}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
