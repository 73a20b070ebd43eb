#!/usr/bin/python3
"""Echo server on Debian's python3-tornado (tornado.websocket.WebSocketHandler).

Usage: tornado-echo.py [PORT]   (default 0: a free port)
Listens on 127.0.0.1 only, WebSocket endpoint at "/". Prints "version X" and
then "listening on ws://127.0.0.1:PORT/" once it accepts connections.
Echoes every text and binary message. Library defaults otherwise, except:
permessage-deflate on (tornado accepts it only when get_compression_options
returns a dict; an empty one keeps its default level and memory), and
websocket_max_message_size raised to 32 MiB so 16 MiB messages fit.
"""
import asyncio
import sys

import tornado
import tornado.httpserver
import tornado.netutil
import tornado.web
import tornado.websocket


class Echo(tornado.websocket.WebSocketHandler):
    def get_compression_options(self):
        return {}

    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))


async def main(port):
    app = tornado.web.Application([(r"/", Echo)],
                                  websocket_max_message_size=2**25)
    sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    print(f"version {tornado.version}", flush=True)
    print(f"listening on ws://127.0.0.1:{bound}/", flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    except KeyboardInterrupt:
        pass
