#!/usr/bin/python3
"""Echo server on Debian's python3-websockets (asyncio websockets.serve).

Usage: websockets-echo.py [PORT]   (default 0: a free port)
Listens on 127.0.0.1 only. Prints "version X" and then
"listening on ws://127.0.0.1:PORT/" once it accepts connections.
Echoes every text and binary message. Library defaults otherwise (among
them permessage-deflate, accepted when offered, with the library's windows of
2^12 both ways), except max_size raised to 32 MiB so 16 MiB messages fit.
"""
import asyncio
import sys

import websockets


async def echo(ws, path=None):  # 10.x passes the path; newer releases do not
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.exceptions.ConnectionClosed:
        pass


async def main(port):
    async with websockets.serve(echo, "127.0.0.1", port,
                                compression="deflate", max_size=2**25) as server:
        bound = server.sockets[0].getsockname()[1]
        print(f"version {websockets.__version__}", flush=True)
        print(f"listening on ws://127.0.0.1:{bound}/", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    except KeyboardInterrupt:
        pass
