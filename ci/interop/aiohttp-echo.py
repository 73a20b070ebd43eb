#!/usr/bin/python3
"""Echo server on Debian's python3-aiohttp (aiohttp.web WebSocketResponse).

Usage: aiohttp-echo.py [PORT]   (default 0: a free port)
Listens on 127.0.0.1 only, WebSocket endpoint at "/". Prints "version X" and
then "listening on ws://127.0.0.1:PORT/" once it accepts connections.
Echoes every text and binary message. Library defaults otherwise (among
them permessage-deflate, accepted when offered), except max_msg_size raised
to 32 MiB so 16 MiB messages fit.
"""
import asyncio
import sys

import aiohttp
from aiohttp import web


async def echo(request):
    ws = web.WebSocketResponse(compress=True, max_msg_size=2**25)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == aiohttp.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


async def main(port):
    app = web.Application()
    app.router.add_get("/", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"version {aiohttp.__version__}", flush=True)
    print(f"listening on ws://127.0.0.1:{bound}/", flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    except KeyboardInterrupt:
        pass
